"""Gold judges: who decides whether a policy's summary beats the reference.

A judge is named by a string, so it can be a chapter parameter (its secret never is):

* ``verifier`` — the synthetic task's gold verifier (exact, free);
* ``rm:PATH`` — a trained global reward model (a folder or hub id holding the model and tokenizer),
  the paper's "gold RM" for readers without an API;
* ``api:MODEL`` — an OpenAI-compatible chat-completions endpoint asked which of two summaries is
  better, as the paper asks GPT-4o.  The key comes only from the environment variable
  ``PFT_JUDGE_API_KEY`` and the endpoint from ``PFT_JUDGE_BASE_URL`` (default OpenAI's).

Pointwise judges (verifier, reward model) also give a *score*, hence a mean true reward and a
judge for online DPO's best-vs-worst selection; the API judge only compares.
"""

from __future__ import annotations

import json
import os
import random
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Scorer = Callable[[list[str], list[str]], list[float]]

KEY_ENV, URL_ENV = "PFT_JUDGE_API_KEY", "PFT_JUDGE_BASE_URL"
DEFAULT_URL = "https://api.openai.com/v1"
PROMPT = (
    "Which of the following summaries does a better job of summarizing the most important points in the "
    "given forum post, without including unimportant or irrelevant details? A good summary is both precise "
    "and concise.\n\nPost:\n{post}\n\nSummary A:\n{a}\n\nSummary B:\n{b}\n\n"
    "Answer with a single letter, A or B."
)


def compare_scores(score: Scorer, prompts: list[str], a: list[str], b: list[str]) -> list[float]:
    """1 where ``a`` scores higher, 0 where ``b`` does, 0.5 for a tie."""
    sa, sb = score(prompts, a), score(prompts, b)
    return [1.0 if x > y else 0.5 if x == y else 0.0 for x, y in zip(sa, sb)]


@dataclass
class ScoreJudge:
    """A judge that scores each completion on its own."""

    name: str
    score: Scorer

    def compare(self, prompts: list[str], a: list[str], b: list[str]) -> list[float]:
        return compare_scores(self.score, prompts, a, b)


@dataclass
class APIJudge:
    """Pairwise judgement by a chat model.  The two summaries are shown in a random order per
    prompt (seeded) to cancel the model's position bias; an unparseable answer counts as a tie."""

    model: str
    seed: int = 0
    timeout: float = 60.0
    score: None = None

    @property
    def name(self) -> str:
        return f"api:{self.model}"

    def _ask(self, content: str) -> str:
        key = os.environ.get(KEY_ENV)
        if not key:
            raise RuntimeError(f"the API judge needs its key in the environment variable {KEY_ENV}")
        url = endpoint() + "/chat/completions"
        body = json.dumps({"model": self.model, "temperature": 0, "max_tokens": 1,
                           "messages": [{"role": "user", "content": content}]}).encode()
        request = urllib.request.Request(url, body, {"Authorization": f"Bearer {key}",
                                                     "Content-Type": "application/json"})
        try:
            with _NO_REDIRECTS.open(request, timeout=self.timeout) as response:
                return json.load(response)["choices"][0]["message"]["content"].strip().upper()
        except urllib.error.HTTPError as err:
            if 300 <= err.code < 400:
                raise RuntimeError(f"the judge endpoint {url} redirected to {err.headers.get('Location')!r}; the API "
                                   f"key is sent to {URL_ENV} alone, never where it redirects: set {URL_ENV} to the "
                                   "endpoint itself") from None
            raise

    def compare(self, prompts: list[str], a: list[str], b: list[str]) -> list[float]:
        rng = random.Random(self.seed)
        out = []
        for p, x, y in zip(prompts, a, b):
            swap = rng.random() < 0.5
            answer = self._ask(PROMPT.format(post=p, a=y if swap else x, b=x if swap else y))[:1]
            first = {"A": 1.0, "B": 0.0}.get(answer, 0.5)
            out.append(1.0 - first if swap else first)
        return out


class _Refuse(urllib.request.HTTPRedirectHandler):
    """Follow no redirect: the request carries the API key, which goes to the configured host only."""

    def redirect_request(self, *args, **kwargs):
        return None  # urllib then raises the 3xx as an HTTPError


_NO_REDIRECTS = urllib.request.build_opener(_Refuse)


def endpoint() -> str:
    """The API judge's base URL (``$PFT_JUDGE_BASE_URL``, default OpenAI's): https, or plain http
    to this machine only, since the request carries the API key.  Raises ``ValueError``."""
    url = os.environ.get(URL_ENV, DEFAULT_URL).rstrip("/")
    parts = urllib.parse.urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1")
    if not (parts.scheme == "https" and parts.hostname) and not local:
        raise ValueError(f"{URL_ENV}={url!r}: the judge's endpoint must be https:// (plain http:// only to "
                         "localhost), since every request carries the API key")
    return url


Judge = ScoreJudge | APIJudge


def is_checkpoint(value: str) -> bool:
    """An existing folder, or what a hub id looks like (``owner/name``): a checkpoint to load.
    (Here, not in :mod:`.models`: checking parameters must not load torch.)"""
    return Path(value).is_dir() or (value.count("/") == 1 and not value.startswith((".", "/")))


def hub_offline() -> bool:
    """Whether the environment forbids downloads from the Hugging Face hub (``HF_HUB_OFFLINE``)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def check_checkpoint(value: str, what: str) -> None:
    """Raise ``ValueError`` unless ``value`` can be loaded as a model: a folder holding a saved one
    (its ``config.json``), or a hub id that is in the local cache or may be downloaded (the
    environment does not set ``HF_HUB_OFFLINE``).  Checked with the parameters, before compute."""
    if Path(value).is_dir():
        if not (Path(value) / "config.json").is_file():
            raise ValueError(f"{what} {value}: the folder holds no saved model (no config.json)")
        return
    if is_checkpoint(value) and hub_offline():
        from huggingface_hub import try_to_load_from_cache

        if not isinstance(try_to_load_from_cache(value, "config.json"), str):
            raise ValueError(f"{what} {value!r} is no folder here, and as a hub id it is not in the local cache: "
                             "HF_HUB_OFFLINE is set, which forbids downloading it (unset it to download)")


def check_datasets(params: dict) -> None:
    """Raise ``ValueError`` naming the parameter when ``sft_dataset`` or ``pref_dataset`` is a hub
    data set that cannot be had (:func:`check_dataset`)."""
    for key in ("sft_dataset", "pref_dataset"):
        if params.get(key):
            check_dataset(params[key], f"parameter '{key}':")


def check_dataset(value: str, what: str) -> None:
    """Raise ``ValueError`` when ``value`` is a hub id of a data set that cannot be had: not in the
    local hub cache while ``HF_HUB_OFFLINE`` forbids downloading (folders are checked elsewhere)."""
    if Path(value).is_dir() or not is_checkpoint(value) or not hub_offline():
        return
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    try:
        cached = any(r.repo_id == value and r.repo_type == "dataset" for r in scan_cache_dir().repos)
    except CacheNotFound:
        cached = False
    if not cached:
        raise ValueError(f"{what} {value!r} is no folder here, and as a hub data set it is not in the local cache: "
                         "HF_HUB_OFFLINE is set, which forbids downloading it (unset it to download)")


def check_spec(spec: str) -> None:
    """Raise ``ValueError`` unless ``spec`` names a judge; an API judge also needs its key set."""
    kind, _, arg = spec.partition(":")
    if spec == "verifier":
        return
    if kind not in ("rm", "api") or not arg:
        raise ValueError(f"judge must be 'verifier', 'rm:PATH' or 'api:MODEL', got {spec!r}")
    if kind == "rm":
        if not is_checkpoint(arg):
            raise ValueError(f"judge {spec!r}: {arg} is neither an existing folder (a saved reward model) nor a hub "
                             "id such as owner/name")
        check_checkpoint(arg, f"judge {spec!r}:")
    if kind == "api":
        if not os.environ.get(KEY_ENV):
            raise ValueError(f"judge {spec!r} needs an API key in the environment variable {KEY_ENV} "
                             "(never as a parameter: papermill writes parameters into the page)")
        endpoint()


def from_spec(spec: str, verifier: Scorer | None, seed: int = 0) -> Judge:
    """The judge a spec names; ``verifier`` is the task's gold verifier, if it has one."""
    from transformers import AutoTokenizer

    from .models import reward_model
    from .rewards import global_reward

    check_spec(spec)
    kind, _, arg = spec.partition(":")
    if spec == "verifier":
        if verifier is None:
            raise ValueError("judge 'verifier' needs the synthetic task; real data sets have no verifier")
        return ScoreJudge("verifier", verifier)
    if kind == "api":
        return APIJudge(arg, seed)
    tokenizer = AutoTokenizer.from_pretrained(arg)
    return ScoreJudge(spec, global_reward(reward_model(tokenizer, arg, seed).eval(), tokenizer))
