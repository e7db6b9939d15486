"""Sampling and scoring: completions from a policy, their log-likelihoods, reward-model scores."""

from __future__ import annotations

import torch
from accelerate.utils import gather_object
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from .. import progress
from .distributed import state as process_group


def sample(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, prompts: list[str], n: int,
           temperature: float, max_new_tokens: int, seed: int, batch_size: int = 128,
           use_cache: bool = True) -> list[list[str]]:
    """``n`` completions per prompt (text, special tokens removed); temperature 0 is greedy.
    Generation uses the KV cache unless ``use_cache`` is off (the benchmarks compare the two)."""
    return sample_with_ends(model, tokenizer, prompts, n, temperature, max_new_tokens, seed, batch_size, use_cache)[0]


def sample_with_ends(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, prompts: list[str], n: int,
                     temperature: float, max_new_tokens: int, seed: int, batch_size: int = 128,
                     use_cache: bool = True) -> tuple[list[list[str]], list[list[bool]]]:
    """:func:`sample`, and for each completion whether it ended (EOS within ``max_new_tokens``).
    Under ``accelerate launch`` each process samples a contiguous share of the prompts (seeded by
    ``seed`` and its rank) and every process gets all samples."""
    state = process_group()
    if state.num_processes == 1:
        return _sample(model, tokenizer, prompts, n, temperature, max_new_tokens, seed, batch_size, use_cache)
    with state.split_between_processes(prompts) as mine:
        local = _sample(model, tokenizer, mine, n, temperature, max_new_tokens, seed + state.process_index, batch_size,
                        use_cache)
    texts, ended = zip(*gather_object([local]))
    return [t for part in texts for t in part], [e for part in ended for e in part]


@torch.no_grad()
def _sample(model, tokenizer, prompts, n, temperature, max_new_tokens, seed, batch_size, use_cache):
    torch.manual_seed(seed)
    out: list[list[str]] = []
    ended: list[list[bool]] = []
    for batch in progress.steps(f"sampling {len(prompts)} prompts x {n}", prompts, batch_size):
        enc = tokenizer(batch, return_tensors="pt", padding=True, padding_side="left").to(model.device)
        greedy = temperature <= 0
        gen = model.generate(
            **enc, do_sample=not greedy, temperature=None if greedy else temperature, top_k=0, top_p=1.0,
            num_return_sequences=n, max_new_tokens=max_new_tokens, use_cache=use_cache,
            pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
        )
        new = gen[:, enc["input_ids"].shape[1]:]
        texts = tokenizer.batch_decode(new, skip_special_tokens=True)
        stopped = (new == tokenizer.eos_token_id).any(-1).tolist()
        out += [[" " + t.strip() for t in texts[j * n:(j + 1) * n]] for j in range(len(batch))]
        ended += [stopped[j * n:(j + 1) * n] for j in range(len(batch))]
    return out, ended


def _pairs_to_ids(tokenizer, prompts, completions):
    for p, c in zip(prompts, completions):
        prompt_ids = tokenizer(p)["input_ids"]
        completion_ids = tokenizer(c)["input_ids"] + [tokenizer.eos_token_id]
        yield prompt_ids, completion_ids


def _right_pad(rows: list[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r)
        mask[i, :len(r)] = 1
    return ids, mask


@torch.no_grad()
def completion_logprobs(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, prompts: list[str],
                        completions: list[str], batch_size: int = 128) -> torch.Tensor:
    """``log pi(completion + EOS | prompt)``, summed over the completion's tokens, per pair."""
    out = []
    pairs = list(_pairs_to_ids(tokenizer, prompts, completions))
    for batch in progress.steps(f"log-likelihoods of {len(pairs)} completions", pairs, batch_size):
        ids, mask = _right_pad([p + c for p, c in batch], tokenizer.pad_token_id)
        logits = model(input_ids=ids.to(model.device), attention_mask=mask.to(model.device)).logits.float()
        logp = torch.log_softmax(logits[:, :-1], -1).gather(-1, ids[:, 1:, None].to(model.device))[..., 0]
        for i, (p, c) in enumerate(batch):
            out.append(logp[i, len(p) - 1:len(p) - 1 + len(c)].sum().item())
    return torch.tensor(out, dtype=torch.float64)


@torch.no_grad()
def reward_scores(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, prompts: list[str],
                  completions: list[str], batch_size: int = 128) -> torch.Tensor:
    """A global reward model's scalar score of each prompt + completion + EOS, the text the
    reward model was trained on (TRL's RewardTrainer appends EOS)."""
    out = []
    pairs = list(_pairs_to_ids(tokenizer, prompts, completions))
    for batch in progress.steps(f"reward-model scores of {len(pairs)} completions", pairs, batch_size):
        ids, mask = _right_pad([p + c for p, c in batch], tokenizer.pad_token_id)
        logits = model(input_ids=ids.to(model.device), attention_mask=mask.to(model.device)).logits
        out += logits[:, 0].float().tolist()
    return torch.tensor(out, dtype=torch.float64)
