"""The checkpoint cache: keyed by everything that produced a checkpoint, written atomically."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from pftlib.llm import cache, trainers


def test_the_key_changes_with_the_stage_the_seed_a_setting_and_the_code(monkeypatch):
    base = cache.key("sft", 0, n=100, lr=1e-3)
    assert base == cache.key("sft", 0, lr=1e-3, n=100)  # order of settings does not matter
    assert len({base, cache.key("rm", 0, n=100, lr=1e-3), cache.key("sft", 1, n=100, lr=1e-3),
                cache.key("sft", 0, n=101, lr=1e-3)}) == 4
    monkeypatch.setattr(cache, "code_version", lambda: "edited")
    assert cache.key("sft", 0, n=100, lr=1e-3) != base  # a change to the library's code retrains


def test_reuse_trains_once_then_copies_and_never_caches_without_a_folder(tmp_path, monkeypatch):
    trained = []

    def train(folder):
        def run():
            trained.append(folder)
            folder.mkdir()
            (folder / "weights").write_text("w")
        return run

    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    assert cache.reuse(tmp_path / "a", "k", train(tmp_path / "a")) is False and len(trained) == 1
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    assert cache.reuse(tmp_path / "b", "k", train(tmp_path / "b")) is False  # trained, and stored
    assert cache.reuse(tmp_path / "c", "k", train(tmp_path / "c")) is True  # copied, not trained
    assert len(trained) == 2 and (tmp_path / "c" / "weights").read_text() == "w"
    assert [p.name for p in (tmp_path / "cache").iterdir() if not p.name.endswith(".lock")] == ["k"]  # no partial


def test_a_run_that_wants_an_entry_being_trained_waits_for_it_instead_of_training_it_again(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    started, trained = threading.Event(), []

    def train(folder):
        def run():
            trained.append(folder)
            started.set()
            time.sleep(0.5)  # the other run asks for the entry meanwhile
            folder.mkdir()
            (folder / "weights").write_text(folder.name)
        return run

    first = threading.Thread(target=cache.reuse, args=(tmp_path / "a", "k", train(tmp_path / "a")))
    first.start()
    started.wait()
    assert cache.reuse(tmp_path / "b", "k", train(tmp_path / "b")) is True  # waited, then copied
    first.join()
    assert trained == [tmp_path / "a"] and (tmp_path / "b" / "weights").read_text() == "a"


def test_a_workspace_reuses_sft_only_for_the_same_settings(tmp_path, monkeypatch):
    from pftlib.llm.config import Setup
    from pftlib.llm.pipeline import Workspace

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    calls = []
    real = trainers.sft
    monkeypatch.setattr(trainers, "sft", lambda *a, **kw: calls.append(kw) or real(*a, **kw))
    setup = Setup(budget=2, size="tiny", n_sft=50, sft_epochs=1, batch_size=16, verifier="priced")
    runs = (setup, setup, replace(setup, n_sft=51), replace(setup, verifier="priced-rouge"),
            replace(setup, label_temperature=1.0), replace(setup, budget=3))
    for i, s in enumerate(runs):
        Workspace(s, 0, tmp_path / f"run{i}").train_sft()
    # The second run copied the first's SFT and a changed n_sft trained again; another verifier or
    # label temperature leaves SFT's data and tokenizer as they were, so it is reused; a budget changes the data.
    assert len(calls) == 3
    first, second = ((tmp_path / f"run{i}" / "SFT" / "model.safetensors").read_bytes() for i in (0, 1))
    assert first == second


def test_a_tuned_search_is_reused_only_for_the_same_pairs(tmp_path, monkeypatch):
    from pftlib.llm.config import Setup
    from pftlib.llm.pipeline import Workspace

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    calls = []
    real = trainers.reward
    monkeypatch.setattr(trainers, "reward", lambda *a, **kw: calls.append(kw) or real(*a, **kw))
    setup = Setup(budget=2, size="tiny", rm_size="tiny", n_sft=50, n_pairs=20, n_eval=10, sft_epochs=1, rm_epochs=1,
                  batch_size=16)
    for i, s in enumerate((setup, setup, replace(setup, n_pairs=21))):
        ws = Workspace(s, 0, tmp_path / f"run{i}")
        ws.train_sft()
        ws.tuned("RM")
        assert ws.choices["RM"]["epochs"] in (1, 2) and set(ws.choices["RM"]["selection likelihood"]) == {1, 2}
    assert len(calls) == 4  # two candidates; then copied; then other pairs: two candidates again
