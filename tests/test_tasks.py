"""The synthetic task, its verifiers on hand-checked examples, the tokenizer, and TL;DR loaders."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pftlib.tasks import (
    BudgetTask,
    PricedTask,
    Task,
    build_tokenizer,
    eval_prompts,
    load_tldr,
    optimal_answers,
    rouge_l,
    sft_dataset,
)

FIXTURES = Path(__file__).parent / "fixtures"
PROMPT = "w01 w02 w01 w03 w01 w02 w04 w05 TL;DR:"  # counts: w01 3, w02 2, w03 1, w04 1, w05 1


@pytest.mark.parametrize("completion, expected", [
    (" w01 w02", (3 + 2) / 8),
    (" w01 w02 w03", (3 + 2 + 1) / 8),
    (" w01 w01", 3 / 8 - 0.5),  # a repeat
    (" w01 w09", 3 / 8 - 0.5),  # a word not in the document
    (" w01 w02 w03 w04", (3 + 2 + 1) / 8 - 0.5),  # over the budget of 3
    (" w01 <eos> w02", 3 / 8),  # everything after end-of-sequence is ignored
    ("", 0.0),
])
def test_coverage_verifier_on_hand_checked_summaries(completion, expected):
    assert Task(vocab=10, doc_length=8, budget=3).score(PROMPT, completion) == pytest.approx(expected)


def test_the_ideal_summary_is_the_most_frequent_words_and_scores_best():
    task = Task(vocab=10, doc_length=8, budget=3)
    assert task.best_score(PROMPT) == pytest.approx(6 / 8)
    rng = random.Random(0)
    for _ in range(50):  # no random summary beats it
        words = rng.sample(task.words, rng.randint(0, 5))
        assert task.score(PROMPT, " ".join(words)) <= task.best_score(PROMPT) + 1e-12


def test_rouge_l():
    assert rouge_l(["a", "b", "c"], ["a", "b", "c"]) == 1.0
    assert rouge_l(["a", "x", "c"], ["a", "b", "c"]) == pytest.approx(2 * 2 / 6)
    assert rouge_l(["c", "b", "a"], ["a", "b", "c"]) == pytest.approx(2 * 1 / 6)  # order matters
    assert rouge_l([], ["a"]) == 0.0
    rouge = Task(vocab=10, doc_length=8, budget=3, verifier="rouge")
    assert rouge.score(PROMPT, " w01 w02 w03") == 1.0 and rouge.score(PROMPT, " w03 w02 w01") < 1.0


def test_bad_task_settings_are_refused():
    for bad in (dict(vocab=2), dict(budget=0), dict(verifier="judge"), dict(reference_noise=2.0)):
        with pytest.raises(ValueError):
            Task(**bad)


def test_datasets_are_in_trl_formats_and_deterministic():
    task = Task()
    sft = sft_dataset(task, 20, seed=1)
    assert sft.column_names == ["prompt", "completion"] and len(sft) == 20
    assert sft[:] == sft_dataset(task, 20, seed=1)[:] and sft[:] != sft_dataset(task, 20, seed=2)[:]
    ev = eval_prompts(task, 5, seed=3)
    assert ev.column_names == ["prompt", "reference"]
    for row in sft:
        assert row["prompt"].endswith("TL;DR:") and 1 <= len(row["completion"].split()) <= task.budget


def test_tokenizer_is_word_level_and_round_trips():
    task = Task()
    tok = build_tokenizer(task)
    row = sft_dataset(task, 1, seed=0)[0]
    ids = tok(row["prompt"] + row["completion"])["input_ids"]
    assert len(ids) == task.doc_length + 1 + len(row["completion"].split())
    assert tok.decode(ids) == (row["prompt"] + row["completion"]).strip()
    assert tok.pad_token != tok.eos_token and tok.unk_token_id not in ids


def test_tldr_loaders_read_the_real_schema_from_local_fixtures():
    sft = load_tldr(str(FIXTURES / "tldr"), "train", "sft")
    assert sft.column_names == ["prompt", "completion"] and len(sft) == 3
    assert all(p.endswith("TL;DR:") for p in sft["prompt"])
    assert len(load_tldr(str(FIXTURES / "tldr"), "validation", "sft")) == 1
    prefs = load_tldr(str(FIXTURES / "tldr-preference"), "train", "preference", limit=2)
    assert prefs.column_names == ["prompt", "chosen", "rejected"] and len(prefs) == 2


def test_tldr_loader_names_missing_columns():
    with pytest.raises(ValueError, match=r"lacks the preference columns \['chosen', 'rejected'\]"):
        load_tldr(str(FIXTURES / "tldr"), "train", "preference")
    with pytest.raises(ValueError, match="kind must be"):
        load_tldr(str(FIXTURES / "tldr"), "train", "ranking")


# --- the budgeted summary ---------------------------------------------------------------------
BUDGET = BudgetTask()
BUDGET_PROMPT = "w1 w2 w3 w1 w5 B7 TL;DR:"


def test_budget_task_costs_and_values_are_fixed_and_favour_costly_words():
    assert [BUDGET.cost[w] for w in BUDGET.words] == [1, 2, 3, 1, 2, 3, 1, 2, 3, 1]
    by_cost = {c: [BUDGET.value[w] / c for w in BUDGET.words if BUDGET.cost[w] == c] for c in (1, 2, 3)}
    assert max(by_cost[1]) < min(by_cost[3]) and max(max(v) for v in by_cost.values()) < BUDGET.penalty


@pytest.mark.parametrize("completion, cost", [
    (" w2 w2 w0", 7),          # hits the budget of 7
    (" w2", 3),                # 4 short
    (" w2 w2 w2", 9),          # 2 over
    (" w2 w2 w0 <eos> w5", 7),  # everything after end-of-sequence is ignored
    ("", 0),
])
def test_budget_verifier_on_hand_checked_summaries(completion, cost):
    words = completion.split("<eos>")[0].split()
    value = sum(BUDGET.value[w] for w in words)
    assert BUDGET.score(BUDGET_PROMPT, completion) == pytest.approx(value - abs(cost - 7))


def test_budget_verifier_by_hand():
    # w2 is worth 2.1 (cost 3), w0 0.35 (cost 1): two w2 and a w0 meet the budget of 7 exactly
    assert BUDGET.value["w2"] == pytest.approx(2.1) and BUDGET.value["w0"] == pytest.approx(0.35)
    assert BUDGET.score(BUDGET_PROMPT, " w2 w2 w0") == pytest.approx(4.55)
    assert BUDGET.score(BUDGET_PROMPT, " w2") == pytest.approx(2.1 - 4)
    assert BUDGET.score(BUDGET_PROMPT, " w2 B7") == pytest.approx(2.1 - 1 - 3)  # a stray token: -penalty, cost 1


def test_the_budget_tasks_ideal_is_the_exact_knapsack_optimum():
    """Against brute force over every bag of up to 9 words from the 10-word vocabulary."""
    from itertools import combinations_with_replacement

    for b in range(BUDGET.min_budget, BUDGET.max_budget + 1):
        prompt = f"w1 B{b} TL;DR:"
        brute = max(BUDGET.score(prompt, " ".join(bag)) for n in range(0, b + 2)
                    for bag in combinations_with_replacement(BUDGET.words, n))
        assert BUDGET.best_score(prompt) == pytest.approx(brute)
        assert BUDGET.score(prompt, " ".join(BUDGET.ideal([f"B{b}"]))) == pytest.approx(brute)


def test_the_rouge_reference_is_the_best_bag_of_the_documents_own_words():
    """Brute force over bags of the document's words; two documents with the same budget get
    different references, so checking a summary needs the document read (not a lookup on b)."""
    from itertools import combinations_with_replacement

    rouge = BudgetTask(verifier="rouge")
    for doc in (["w0", "w3", "w3", "B5"], ["w1", "w2", "w4", "w2", "B5"]):
        ideal = rouge.ideal(doc)
        assert set(ideal) <= set(doc[:-1])
        words = sorted(set(doc[:-1]))
        prompt = rouge.prompt(doc)
        brute = max(BUDGET.score(prompt, " ".join(bag))
                    for n in range(7) for bag in combinations_with_replacement(words, n))
        assert BUDGET.score(prompt, " ".join(ideal)) == pytest.approx(brute)
        assert rouge.score(prompt, " " + " ".join(ideal)) == 1.0 == rouge.best_score(prompt)
    assert rouge.ideal(["w0", "w3", "w3", "B5"]) != rouge.ideal(["w1", "w2", "w4", "w2", "B5"])


def test_budget_task_data_the_tokenizer_reads_whole():
    data = sft_dataset(BUDGET, 50, seed=0)
    tok = build_tokenizer(BUDGET)
    for row in data:
        assert row["prompt"].split()[-2] in BUDGET.budget_tokens
        assert 1 <= len(row["completion"].split()) <= BUDGET.max_reference
        assert tok.unk_token_id not in tok(row["prompt"] + row["completion"])["input_ids"]


@pytest.mark.parametrize("task", [Task(vocab=10, doc_length=8, budget=3), BUDGET, PricedTask()])
def test_each_verifier_is_linear_in_its_tasks_simple_features(task):
    """The linear reference's features express the verifier exactly (coverage, budget, priced)."""
    rng = random.Random(3)
    rows = []
    for _ in range(200):
        prompt = task.prompt(task.document(rng))
        completion = " " + " ".join(rng.choice(task.words) for _ in range(rng.randint(0, 6)))
        rows.append((task.features(prompt, completion), task.score(prompt, completion)))
    import torch

    x = torch.tensor([f for f, _ in rows], dtype=torch.float64)
    y = torch.tensor([s for _, s in rows], dtype=torch.float64)
    w = torch.linalg.lstsq(x, y[:, None], driver="gelsd").solution  # SVD: robust to an all-zero column
    assert torch.allclose(x @ w, y[:, None], atol=1e-9)


def test_budget_task_rejects_bad_knobs():
    with pytest.raises(ValueError, match="penalty"):
        BudgetTask(penalty=0.5)
    with pytest.raises(ValueError, match="min_budget"):
        BudgetTask(min_budget=5, max_budget=4)
    with pytest.raises(ValueError, match="budget token"):
        BUDGET.score("w1 w2 TL;DR:", " w1")


def test_generating_by_checking_every_candidate_finds_the_ideal_score():
    task = Task(vocab=10, doc_length=8, budget=2)
    document = ["w0", "w0", "w0", "w1", "w1", "w2", "w3", "w3"]
    calls, best = task.generate_by_checking(document)
    assert calls == 6 and best == pytest.approx(task.best_score(task.prompt(document)))  # C(4, 2) candidates


# The priced summary: w0..w9 cost 1 (even index) or 2 (odd); a price token sets each listed word's
# value per unit of cost (0.2, 0.5, 0.8).
PRICED = PricedTask()
DOC = ["w1", "$3", "w2", "$1", "w3", "$2", "w4", "$3", "w5", "$1", "w6", "$2", "B7"]


def test_priced_values_come_from_the_document():
    assert PRICED.values(DOC) == {"w1": 1.6, "w2": 0.2, "w3": 1.0, "w4": 0.8, "w5": 0.4, "w6": 0.5}
    assert PRICED.extra_tokens == ["$1", "$2", "$3", "B7", "B8"] and PRICED.doc_length == 13


@pytest.mark.parametrize("completion, expected", [
    (" w1 w3 w4 w6", 1.6 + 1.0 + 0.8 + 0.5 - 1.0 * abs(6 - 7)),  # cost 2 + 2 + 1 + 1 = 6, one short
    (" w1 w3 w4 w6 w2", 1.6 + 1.0 + 0.8 + 0.5 + 0.2),  # cost 7: the budget exactly
    (" w1 w1 w3 w4 w6", 1.6 + 1.0 + 0.8 + 0.5 - 1.0 * (abs(8 - 7) + 1)),  # a repeat: no value, its cost, a penalty
    (" w1 w3 w4 w6 w0", 1.6 + 1.0 + 0.8 + 0.5 - 1.0 * 1),  # w0 is not listed: cost 1, no value, a penalty
    ("", -7.0),
])
def test_priced_verifier_on_hand_checked_summaries(completion, expected):
    assert PRICED.score(PRICED.prompt(DOC), completion) == pytest.approx(expected)


def test_the_priced_ideal_is_the_best_subset_by_brute_force_and_depends_on_the_document():
    """Best at budget 7: w1 w3 w4 w6 w2 (value 4.1, cost 7).  Re-pricing the document changes it."""
    assert sorted(PRICED.ideal(DOC)) == ["w1", "w2", "w3", "w4", "w6"]
    assert PRICED.best_score(PRICED.prompt(DOC)) == pytest.approx(4.1)
    cheap = [("$1" if t == "$3" else "$3" if t == "$1" else t) for t in DOC]  # swap the extreme prices
    assert sorted(PRICED.ideal(cheap)) != sorted(PRICED.ideal(DOC))
    calls, best = PRICED.generate_by_checking(DOC)
    assert calls == 2 ** 6 and best == pytest.approx(4.1)


def test_the_priced_tasks_evaluation_prompts_have_many_optima_of_at_least_four_words():
    """The issue's bar for a task that needs the document and a plan: more than 20 distinct best
    answers among 200 evaluation prompts, each of at least four words at the default horizon."""
    prompts = eval_prompts(PRICED, 200, seed=20_000)["prompt"]
    best = [tuple(sorted(PRICED.ideal(p.split()[:-1]))) for p in prompts]
    assert len(set(best)) > 20 and min(len(b) for b in best) >= 4
    assert optimal_answers(PRICED, prompts) == {"prompts": 200, "distinct": len(set(best)), "fewest words": 4,
                                                "most words": max(map(len, best))}
    budget = optimal_answers(BUDGET, eval_prompts(BUDGET, 200, seed=20_000)["prompt"])
    assert budget["distinct"] <= BUDGET.max_budget  # the budgeted summary's best answer: one bag per budget token


def test_priced_task_data_knobs_and_rouge():
    tok = build_tokenizer(PRICED)
    for row in sft_dataset(PRICED, 50, seed=0):
        assert tok.unk_token_id not in tok(row["prompt"] + row["completion"])["input_ids"]
        assert 1 <= len(row["completion"].split()) <= PRICED.max_reference
    rouge = PricedTask(verifier="rouge")
    assert rouge.score(rouge.prompt(DOC), " " + " ".join(rouge.ideal(DOC))) == 1.0
    assert rouge.best_score(rouge.prompt(DOC)) == 1.0
    with pytest.raises(ValueError, match="penalty"):
        PricedTask(penalty=0.5)
    with pytest.raises(ValueError, match="items"):
        PricedTask(items=11)
