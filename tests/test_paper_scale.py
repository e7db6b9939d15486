"""The paper-scale path, exercised without a download: a pretrained-style checkpoint (a tiny
GPT-NeoX with a byte-level BPE tokenizer and, like Pythia, no pad token), TL;DR-schema fixtures,
a trained reward model as the gold judge, the launch module, and `accelerate launch` with two
CPU processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from conftest import ROOT, pft
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM, GPTNeoXForSequenceClassification, PreTrainedTokenizerFast

from pftlib.llm.config import Pipeline
from pftlib.llm.experiments import load
from pftlib.llm.pipeline import GOLD_JUDGED, POLICIES, TRL_ONLINE, run
from pftlib.llm.sources import TLDR

FIXTURES = ROOT / "tests" / "fixtures"
QUICK = ["-p", "seeds", "1", "-p", "size", "tiny", "-p", "rm_size", "tiny", "-p", "n_sft", "50", "-p", "n_pairs",
         "20", "-p", "n_eval", "10", "-p", "k", "2"]


def _texts():
    for path in FIXTURES.glob("tldr*/*.jsonl"):
        for line in path.read_text().splitlines():
            yield from json.loads(line).values()


def _neox(tok, **extra):
    return GPTNeoXConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=512, eos_token_id=tok.eos_token_id,
                         bos_token_id=tok.eos_token_id, **extra)


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """``base``: a causal LM without a pad token; ``gold``: a reward model on the same tokenizer."""
    out = tmp_path_factory.mktemp("hub")
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer, bpe.decoder = pre_tokenizers.ByteLevel(add_prefix_space=False), decoders.ByteLevel()
    bpe.train_from_iterator(_texts(), trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>"],
                                                          initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>", bos_token="<|endoftext|>",
                                  model_max_length=512)
    torch.manual_seed(0)  # the same weights whatever ran before (a random gold judge can score every pair alike)
    GPTNeoXForCausalLM(_neox(tok)).save_pretrained(out / "base")
    tok.save_pretrained(out / "base")
    gold_tok = TLDR("", "").tokenizer(str(out / "base"))
    gold = GPTNeoXForSequenceClassification(_neox(gold_tok, num_labels=1, pad_token_id=gold_tok.pad_token_id))
    gold.save_pretrained(out / "gold")
    gold_tok.save_pretrained(out / "gold")
    return out


def test_the_pipeline_runs_on_tldr_schema_data_with_a_pretrained_checkpoint_and_a_gold_rm(checkpoints, tmp_path):
    # the smallest sizes the config allows; the fixtures hold fewer examples, so all of them are used
    setup = Pipeline(model=str(checkpoints / "base"), sft_dataset=str(FIXTURES / "tldr"),
                     pref_dataset=str(FIXTURES / "tldr-preference"), judge=f"rm:{checkpoints / 'gold'}",
                     n_sft=50, sft_epochs=1, n_pairs=20, rm_epochs=1, n_eval=10, k=2, trl_online=True)
    assert TLDR("", "").tokenizer(str(checkpoints / "base")).pad_token == "<|padding|>"  # added, as Pythia needs
    result = run(setup, seed=0, workdir=tmp_path)
    assert list(result["policies"]) == [*POLICIES, *GOLD_JUDGED, TRL_ONLINE]
    assert all({"winrate", "true reward", "KL to SFT"} <= set(m) for m in result["policies"].values())
    assert "best true reward" not in result  # real data: no verifier
    assert set(result["reward model"]) == {"likelihood", "accuracy", "agreement with gold judge"}


def test_real_data_without_a_judge_or_a_model_is_refused_before_training():
    with pytest.raises(ValueError, match="no verifier"):
        Pipeline(model="m/x", sft_dataset="a/b", pref_dataset="c/d")
    with pytest.raises(ValueError, match="pretrained model"):
        Pipeline(sft_dataset="a/b", pref_dataset="c/d", judge="rm:x")
    with pytest.raises(ValueError, match="both"):
        Pipeline(sft_dataset="a/b")


def test_the_launcher_checks_every_rule_before_training(tmp_path, capsys):
    """The launcher is where its values enter: each value and the rules across them (here: real
    data without a judge) are checked there, with exit 2, before anything loads or trains."""
    from pftlib.llm.launch import main

    out = tmp_path / "results.json"
    assert main(["pipeline", "-p", "model", "m/x", "-p", "sft_dataset", "a/b", "-p", "pref_dataset", "c/d",
                 "--out", str(out)]) == 2
    assert "no verifier" in capsys.readouterr().err and not out.exists()


def _launch(*args, cwd, launcher=(sys.executable, "-m")):
    return subprocess.run([*launcher, "pftlib.llm.launch", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900)


def test_launch_writes_results_that_the_chapter_renders(checkout, capsys):
    from pftlib.llm.launch import main

    assert main(["pipeline", "-p", "beta", "-1", "--out", str(checkout / "x.json")]) == 2
    assert "'beta'" in capsys.readouterr().err and not (checkout / "x.json").exists()
    (checkout / "a-file").write_text("not a folder")
    for out, says in (("a-file/results.json", "nothing can be written there"), ("notebooks", "is a folder")):
        assert main(["pipeline", *QUICK, "--out", str(checkout / out)]) == 2  # refused before anything trains
        assert says in capsys.readouterr().err
    done = _launch("pipeline", *QUICK, "-p", "trl_online", "false", "--out", "runs/quick.json", cwd=checkout)
    assert done.returncode == 0, done.stderr[-3000:]
    config, results, provenance = load(str(checkout / "runs/quick.json"), "pipeline")
    assert config.size == "tiny" and len(results) == 1 and provenance["wall_s"] > 0
    with pytest.raises(ValueError, match="not 'reward-models'"):
        load(str(checkout / "runs/quick.json"), "reward-models")
    page = pft("run", "pipeline", "-p", "from_json", "runs/quick.json", "--out", "page.ipynb", "--no-progress",
               cwd=checkout)
    assert page.returncode == 0, page.stderr[-3000:]
    text = (checkout / "page.ipynb").read_text()
    assert "Rendered from runs/quick.json" in text and f"{results[0]['policies']['DPO']['winrate'] * 100:.1f}" in text
    # computed elsewhere, with an API judge and a checkpoint folder this machine lacks: rendering needs neither
    saved = json.loads((checkout / "runs/quick.json").read_text())
    saved["config"] |= {"judge": "api:gpt-4o", "model": "/elsewhere/pythia", "report_to": "wandb"}
    (checkout / "runs/elsewhere.json").write_text(json.dumps(saved))
    env = {k: v for k, v in os.environ.items() if k != "PFT_JUDGE_API_KEY"}
    page = pft("run", "pipeline", "-p", "from_json", "runs/elsewhere.json", "--out", "page2.ipynb", "--no-progress",
               cwd=checkout, env=env)
    assert page.returncode == 0, page.stderr[-3000:]


def test_accelerate_launch_trains_with_two_cpu_processes(tmp_path):
    launcher = (str(Path(sys.executable).parent / "accelerate"), "launch", "--multi_gpu", "--num_processes", "2",
                "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "-m")
    done = _launch("pipeline", *QUICK, "-p", "n_pairs", "32", "-p", "trl_online", "true",
                   "--out", str(tmp_path / "ddp.json"), cwd=tmp_path, launcher=launcher)
    assert done.returncode == 0, done.stderr[-3000:]
    saved = json.loads((tmp_path / "ddp.json").read_text())
    assert saved["processes"] == 2 and TRL_ONLINE in saved["results"][0]["policies"]
