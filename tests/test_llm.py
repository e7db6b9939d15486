"""TRL trainers on tiny GPT-NeoX models, sampling and scoring, the paper's online pairs, metrics."""

from __future__ import annotations

import json
import os

import pytest
import torch
from conftest import TRL

from pftlib.llm import evaluate, judges, models, online, preferences, rollout, trainers
from pftlib.llm.rewards import global_reward
from pftlib.params import ParameterError
from pftlib.tasks import Task, build_tokenizer, eval_prompts, sft_dataset

TASK = Task(vocab=8, doc_length=10, budget=2)


def verifier(prompts, completions):
    return [TASK.score(p, c) for p, c in zip(prompts, completions)]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """SFT -> verifier-labelled pairs from SFT samples -> reward model -> DPO, all tiny."""
    out = tmp_path_factory.mktemp("llm")
    tok = build_tokenizer(TASK)
    data = sft_dataset(TASK, 300, seed=0)
    init = models.causal_lm(tok, "tiny", seed=0)
    init_logp = rollout.completion_logprobs(init, tok, list(data["prompt"][:50]), list(data["completion"][:50]))
    sft = trainers.sft(init, tok, data, out / "sft", seed=0, num_train_epochs=2, learning_rate=3e-3, **TRL)
    prompts = list(eval_prompts(TASK, 120, seed=1)["prompt"])
    pairs = preferences.labelled_pairs(prompts, rollout.sample(sft, tok, prompts, 2, 1.0, TASK.budget + 1, seed=0),
                                       verifier, temperature=0.1, seed=0)
    rm = trainers.reward(models.reward_model(tok, "tiny", seed=0), tok, pairs, out / "rm", seed=0, num_train_epochs=8,
                         learning_rate=1e-3, **TRL)
    policy = models.causal_lm(tok, str(out / "sft"), seed=0)
    ref = models.causal_lm(tok, str(out / "sft"), seed=0)
    dpo = trainers.dpo(policy, ref, tok, pairs, out / "dpo", beta=0.1, seed=0, num_train_epochs=3, learning_rate=1e-3,
                       **TRL)
    return dict(out=out, tok=tok, data=data, init_logp=init_logp, sft=sft, pairs=pairs, rm=rm, ref=ref, dpo=dpo)


def test_sft_raises_the_likelihood_of_reference_summaries(pipeline):
    p = pipeline
    data = p["data"]
    after = rollout.completion_logprobs(p["sft"], p["tok"], list(data["prompt"][:50]), list(data["completion"][:50]))
    assert after.mean() > p["init_logp"].mean() + 1.0
    assert (p["out"] / "sft" / "config.json").is_file() and (p["out"] / "sft" / "tokenizer.json").is_file()


def test_the_reward_model_fits_its_preferences(pipeline):
    p = pipeline
    prompts = list(p["pairs"]["prompt"])
    chosen = rollout.reward_scores(p["rm"], p["tok"], prompts, list(p["pairs"]["chosen"]))
    rejected = rollout.reward_scores(p["rm"], p["tok"], prompts, list(p["pairs"]["rejected"]))
    assert evaluate.bt_validation(chosen - rejected)["accuracy"] > 0.6


def test_dpo_widens_the_margin_over_its_reference(pipeline):
    p = pipeline
    prompts, chosen, rejected = (list(p["pairs"][c]) for c in ("prompt", "chosen", "rejected"))

    def margin(model):
        return (rollout.completion_logprobs(model, p["tok"], prompts, chosen)
                - rollout.completion_logprobs(model, p["tok"], prompts, rejected)).mean()

    assert margin(p["dpo"]) > margin(p["ref"]) + 0.1


def test_online_dpo_round_trains_on_best_vs_worst_pairs_of_its_judge(pipeline):
    p = pipeline
    prompts = list(eval_prompts(TASK, 40, seed=7)["prompt"])
    judge = global_reward(p["rm"], p["tok"])
    model, pairs = online.online_dpo_round(p["out"] / "sft", p["tok"], prompts, judge, k=4, temperature=1.0,
                                           max_new_tokens=TASK.budget + 1, out=p["out"] / "online", beta=0.1,
                                           num_train_epochs=1, learning_rate=1e-3, **TRL)
    assert 0 < len(pairs) <= len(prompts) and (p["out"] / "online" / "config.json").is_file()
    chosen, rejected = (judge(list(pairs["prompt"]), list(pairs[side])) for side in ("chosen", "rejected"))
    # the same draws again, to know which samples ended: an unfinished sample is rejected whatever its score
    texts, ended = rollout.sample_with_ends(p["sft"], p["tok"], prompts, 4, 1.0, TASK.budget + 1, seed=0)
    finished = {(q, t) for q, row, flags in zip(prompts, texts, ended) for t, e in zip(row, flags) if e}
    unfinished = [(q, r) not in finished for q, r in zip(pairs["prompt"], pairs["rejected"])]
    assert all(c > r or u for c, r, u in zip(chosen, rejected, unfinished)) and not all(unfinished)
    with pytest.raises(ValueError, match="k >= 2"):
        online.online_dpo_round(p["out"] / "sft", p["tok"], prompts, judge, k=1, temperature=1.0,
                                max_new_tokens=3, out=p["out"] / "x", beta=0.1)


def test_samples_respect_the_budget_and_kl_to_self_is_zero(pipeline):
    p = pipeline
    prompts = list(eval_prompts(TASK, 10, seed=5)["prompt"])
    samples = rollout.sample(p["sft"], p["tok"], prompts, 3, 1.0, TASK.budget + 1, seed=0)
    assert [len(s) for s in samples] == [3] * 10
    assert all(len(c.split()) <= TASK.budget + 1 for s in samples for c in s)
    flat_p, flat_c = [q for q, s in zip(prompts, samples) for _ in s], [c for s in samples for c in s]
    logp = rollout.completion_logprobs(p["sft"], p["tok"], flat_p, flat_c)
    assert evaluate.kl_estimate(logp, logp) == 0.0 and torch.all(logp < 0)
    texts, ended = rollout.sample_with_ends(p["sft"], p["tok"], prompts, 3, 1.0, TASK.budget + 1, seed=0)
    assert texts == samples  # the same draws; a sample that ended is shorter than the limit
    assert all(len(c.split()) < TASK.budget + 1 for s, f in zip(texts, ended) for c, e in zip(s, f) if e)
    short, cut = rollout.sample_with_ends(p["sft"], p["tok"], prompts, 3, 1.0, 1, seed=0)
    assert all(c.strip() == "" for s, f in zip(short, cut) for c, e in zip(s, f) if e)  # one token, and it was EOS
    greedy = rollout.sample(p["sft"], p["tok"], prompts[:2], 1, 0.0, TASK.budget + 1, seed=1)
    assert greedy == rollout.sample(p["sft"], p["tok"], prompts[:2], 1, 0.0, TASK.budget + 1, seed=2)


def test_training_is_deterministic(tmp_path):
    tok = build_tokenizer(TASK)
    data = sft_dataset(TASK, 64, seed=0)
    runs = [trainers.sft(models.causal_lm(tok, "tiny", seed=3), tok, data, tmp_path / f"run{i}", seed=3,
                         num_train_epochs=1,
                         learning_rate=3e-3, **TRL)
            for i in range(2)]
    logps = [rollout.completion_logprobs(m, tok, list(data["prompt"][:8]), list(data["completion"][:8])) for m in runs]
    assert torch.equal(logps[0], logps[1])


def test_best_vs_worst_pairs_and_labels_on_a_fake_scorer():
    def by_length(prompts, completions):
        return [float(len(c.split())) for c in completions]

    pairs = preferences.best_vs_worst(["p1", "p2"], [[" a", " a b c", " a b"], [" x", " y"]], by_length)
    assert pairs[:] == {"prompt": ["p1"], "chosen": [" a b c"], "rejected": [" a"]}  # p2 ties: no pair
    # the authors' no-EOS rule: a sample that never ended scores lowest, whatever the judge says
    ended = [[True, False, True], [False, True]]
    pairs = preferences.best_vs_worst(["p1", "p2"], [[" a", " a b c", " a b"], [" x y", " y"]], by_length, ended)
    assert pairs[:] == {"prompt": ["p1", "p2"], "chosen": [" a b", " y"], "rejected": [" a b c", " x y"]}
    assert len(preferences.best_vs_worst(["p"], [[" a", " b c"]], by_length, [[False, False]])) == 0
    labelled = preferences.labelled_pairs(["p"] * 200, [[" a b", " a"]] * 200, by_length, temperature=0.05, seed=0)
    assert set(labelled["chosen"]) == {" a b"}
    for order in ([" a b", " a"], [" a", " a b"]):  # near zero the draw is the verifier's order, no overflow
        near_zero = preferences.labelled_pairs(["p"] * 20, [order] * 20, by_length, 1e-300, seed=0)
        assert set(near_zero["chosen"]) == {" a b"}
    noisy = preferences.labelled_pairs(["p"] * 2000, [[" a b", " a"]] * 2000, by_length, temperature=1.0, seed=0)
    assert abs(list(noisy["chosen"]).count(" a b") / 2000 - 1 / (1 + torch.e ** -1)) < 0.04
    with pytest.raises(ValueError, match="temperature"):
        preferences.labelled_pairs(["p"], [[" a", " b"]], by_length, temperature=0.0, seed=0)


def test_winrate_counts_ties_half():
    def score(prompts, completions):
        return [float(c) for c in completions]

    compare = judges.ScoreJudge("numbers", score).compare
    assert evaluate.winrate(["p"] * 4, ["3", "1", "2", "2"], ["1", "3", "2", "0"], compare) == (1 + 0 + 0.5 + 1) / 4
    assert evaluate.bt_validation(torch.tensor([1.0, -1.0]))["accuracy"] == 0.5


def test_the_whole_pipeline_runs_and_reports_every_policy(tmp_path, monkeypatch):
    """One tiny run of Chapter 4's experiment, with its settings away from their defaults and the
    calls they should reach recorded on the way: each setting arrives where it says it does."""
    from pftlib.llm import sources
    from pftlib.llm.config import Pipeline
    from pftlib.llm.pipeline import GOLD_JUDGED, POLICIES, SIMPLE_JUDGED, TRL_ONLINE, run

    calls: dict[str, list] = {}

    def spy(module, name, keep):
        real = getattr(module, name)

        def recorded(*args, **kwargs):
            calls.setdefault(name, []).append(keep(*args, **kwargs))
            return real(*args, **kwargs)
        monkeypatch.setattr(module, name, recorded)

    spy(trainers, "_args", lambda cls, out, seed, **kw: (cls.__name__, kw))
    spy(rollout, "sample", lambda policy, tok, prompts, n, temperature, *a, **kw: temperature)
    spy(online, "online_dpo_round", lambda start, tok, prompts, judge, k, temperature, *a, **kw: (k, temperature))
    spy(sources, "labelled_pairs", lambda prompts, samples, verifier, temperature, seed: temperature)
    spy(sources, "eval_prompts", lambda task, n, seed: n)
    spy(sources, "sft_dataset", lambda task, n, seed: (task.budget, task.verifier, n))
    setup = Pipeline(budget=2, verifier="coverage", size="tiny", rm_size="tiny", n_sft=64, sft_epochs=1, n_pairs=32,
                     rm_epochs=1, n_eval=16, k=3, sample_temperature=0.9, label_temperature=0.07, beta=0.2,
                     batch_size=16, trl_online=True)
    result = run(setup, seed=0, workdir=tmp_path)
    assert list(result["policies"]) == [*POLICIES, *GOLD_JUDGED, SIMPLE_JUDGED, TRL_ONLINE]
    for name, m in result["policies"].items():
        assert 0 <= m["winrate"] <= 1 and m["true reward"] <= result["best true reward"] + 1e-9
        assert (m["KL to SFT"] == 0.0) == (name == "SFT")
    assert 0 <= result["reward model"]["accuracy"] <= 1
    assert list(result["pair accuracy"]) == ["offline pairs (labels)", "Online DPO (SFT) pairs (learned RM)",
                                             "Online DPO (DPO) pairs (learned RM)", f"{SIMPLE_JUDGED} pairs"]
    assert 0 <= result["linear reference"]["agreement with gold judge"] <= 1
    assert all(0 <= a <= 1 for a in result["pair accuracy"].values())
    assert all((tmp_path / name / "config.json").is_file() for name in (*POLICIES, TRL_ONLINE, "RM"))
    # the reward model and DPO each chose between E and 2E epochs by their selection likelihood
    for name, e in (("RM", 1), ("DPO", 1)):
        chosen = result["tuning"][name]
        assert set(chosen["selection likelihood"]) == {e, 2 * e}
        assert chosen["epochs"] == max(chosen["selection likelihood"], key=chosen["selection likelihood"].get)
    gap = result["measured gap"]
    assert gap["gap"] == pytest.approx(gap["checking"] - gap["generating"])
    assert gap["checking"] == result["reward model"]["agreement with gold judge"]
    # each setting reached the call it names
    assert calls["sft_dataset"] == [(2, "coverage", 64)] and set(calls["eval_prompts"]) == {32, 16}
    assert set(calls["labelled_pairs"]) == {0.07} and set(calls["online_dpo_round"]) == {(3, 0.9)}
    assert set(calls["sample"]) == {0.9, 0.0}  # sampled pairs and KL draws; greedy evaluation
    trl = calls["_args"]
    assert {kw["per_device_train_batch_size"] for _, kw in trl} == {16}
    assert {kw["beta"] for name, kw in trl if "DPO" in name} == {0.2}
    assert [kw["temperature"] for name, kw in trl if name == "OnlineDPOConfig"] == [0.9]
    assert sorted(kw["num_train_epochs"] for name, kw in trl if name == "RewardConfig") == [1, 2]


def test_pair_accuracy_is_how_often_the_chosen_completion_is_really_better():
    import datasets

    from pftlib.llm.pipeline import pair_accuracy

    def by_length(prompts, completions):
        return [float(len(c.split())) for c in completions]

    pairs = datasets.Dataset.from_dict({"prompt": ["p"] * 4, "chosen": [" a b", " a", " a", " a b c"],
                                        "rejected": [" a", " a b", " b", " a"]})
    assert pair_accuracy(pairs, by_length) == (1 + 0 + 0.5 + 1) / 4


def test_report_to_tensorboard_writes_each_runs_events_under_the_log_dir(tmp_path, monkeypatch):
    """Training logs go to $PFT_LOG_DIR/<seed folder>/<stage>, which outlives the chapter's temporary models."""
    monkeypatch.setenv("PFT_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.delenv("TENSORBOARD_LOGGING_DIR", raising=False)
    task = Task(vocab=6, doc_length=5, budget=2)
    tok = build_tokenizer(task)
    data = sft_dataset(task, 32, seed=0)
    trainers.sft(models.causal_lm(tok, "tiny", seed=0), tok, data, tmp_path / "seed0" / "SFT", seed=0,
                 num_train_epochs=1, learning_rate=3e-3, logging_steps=1, **{**TRL, "report_to": ["tensorboard"]})
    events = list((tmp_path / "logs" / "seed0" / "SFT").glob("events.out.tfevents.*"))
    assert events and events[0].stat().st_size > 0
    assert "TENSORBOARD_LOGGING_DIR" not in os.environ  # restored after the trainer was built


def test_seeds_side_by_side_give_the_numbers_of_seeds_one_after_another(tmp_path, monkeypatch):
    """``experiments.run`` spreads seeds over processes (``$PFT_SEED_WORKERS``); each pins its own
    threads, so the results are identical to a sequential run, seed for seed."""
    from pftlib.llm import experiments
    from pftlib.llm.config import Pipeline

    setup = Pipeline(seeds=2, budget=2, verifier="coverage", size="tiny", rm_size="tiny", n_sft=50, sft_epochs=1,
                     n_pairs=24, rm_epochs=1, n_eval=12, k=2, batch_size=16)
    results = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("PFT_SEED_WORKERS", workers)
        assert experiments.seed_workers(setup.seeds) == int(workers)
        results[workers] = experiments.run("pipeline", setup, tmp_path / workers)
    assert [r["seed"] for r in results["2"]] == setup.run_seeds
    assert json.dumps(results["1"], sort_keys=True) == json.dumps(results["2"], sort_keys=True)
    monkeypatch.setenv("PFT_SEED_WORKERS", "0")
    with pytest.raises(ParameterError, match="PFT_SEED_WORKERS"):
        experiments.seed_workers(2)
