"""The synthetic task, its verifiers on hand-checked examples, the tokenizer, and TL;DR loaders."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pftlib.tasks import Task, build_tokenizer, eval_prompts, load_tldr, rouge_l, sft_dataset

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
