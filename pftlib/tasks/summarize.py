"""A summarisation task whose true reward is a short program: the CPU stand-in for Reddit TL;DR.

A *document* is ``doc_length`` words drawn i.i.d. from a document-specific Zipf distribution over
a vocabulary ``w00 .. w{V-1}``.  A *summary* is at most ``budget`` words.  The gold **coverage
verifier** scores a summary as

    sum over distinct summary words w present in the document of  count_doc(w) / doc_length
    - penalty * (repeated words + words absent from the document + words beyond the budget),

so it is cheap to *check* a summary, while *writing* the best one (the ``budget`` most frequent
words) requires counting and ranking the whole document: a generation–verification gap by
construction.  The **ROUGE-L verifier** instead scores the longest common subsequence with a
hidden ideal summary (the most frequent words in frequency order), which makes the verifier as
hard as the generator.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass, replace

SEPARATOR = "TL;DR:"
PAD, EOS = "<pad>", "<eos>"
VERIFIERS = ("coverage", "rouge")


@dataclass(frozen=True)
class Task:
    """The task's knobs.  ``budget`` is the horizon of the summary."""

    vocab: int = 16
    doc_length: int = 20
    budget: int = 4
    zipf: float = 1.1
    reference_noise: float = 0.3
    penalty: float = 0.5
    verifier: str = "coverage"

    def __post_init__(self) -> None:
        if not (4 <= self.vocab <= 1000 and 1 <= self.budget <= self.vocab and self.doc_length >= self.budget):
            raise ValueError(f"need 4 <= vocab <= 1000, 1 <= budget <= vocab, doc_length >= budget: {self}")
        if self.verifier not in VERIFIERS:
            raise ValueError(f"unknown verifier {self.verifier!r}; choose one of {VERIFIERS}")
        if not (0 <= self.reference_noise <= 1 and self.zipf > 0 and self.penalty >= 0):
            raise ValueError(f"need 0 <= reference_noise <= 1, zipf > 0, penalty >= 0: {self}")

    @property
    def horizon(self) -> int:
        """The longest summary the verifier rewards: the budget."""
        return self.budget

    @property
    def extra_tokens(self) -> list[str]:
        """Prompt tokens beyond the words: none."""
        return []

    def with_horizon(self, horizon: int) -> Task:
        """The same task with a budget of ``horizon`` words."""
        return replace(self, budget=horizon)

    @property
    def words(self) -> list[str]:
        return vocabulary(self.vocab)

    # --- data -----------------------------------------------------------------------------
    def document(self, rng: random.Random) -> list[str]:
        return zipf_document(self.words, self.doc_length, self.zipf, rng)

    def prompt(self, document: list[str]) -> str:
        return " ".join(document) + " " + SEPARATOR

    def ideal(self, document: list[str]) -> list[str]:
        """The best summary: the ``budget`` most frequent words, most frequent first (ties by name)."""
        return most_frequent(document, self.budget)

    def reference(self, document: list[str], rng: random.Random) -> list[str]:
        """A noisy human-style reference: the ideal summary with each word replaced, with
        probability ``reference_noise``, by a random document word (duplicates dropped)."""
        out: list[str] = []
        for word in self.ideal(document):
            pick = rng.choice(document) if rng.random() < self.reference_noise else word
            if pick not in out:
                out.append(pick)
        return out

    # --- the verifier ---------------------------------------------------------------------
    def score(self, prompt: str, completion: str) -> float:
        """The gold verifier's score of ``completion`` as a summary of the document in ``prompt``."""
        document = parse_document(prompt)
        summary = parse_summary(completion)
        if self.verifier == "rouge":
            return rouge_l(summary, self.ideal(document))
        counts = Counter(document)
        seen: set[str] = set()
        gain = errors = 0.0
        for i, word in enumerate(summary):
            if i >= self.budget or word in seen or word not in counts:
                errors += 1
            else:
                gain += counts[word] / len(document)
            seen.add(word)
        return gain - self.penalty * errors

    def best_score(self, prompt: str) -> float:
        return self.score(prompt, " ".join(self.ideal(parse_document(prompt))))

    def generate_by_checking(self, document: list[str]) -> tuple[int, float]:
        """Generation with nothing but the verifier: score every set of ``budget`` distinct document
        words (the coverage verifier ignores order) and keep the best.  Returns the number of
        verifier calls, ``C(k, budget)`` for ``k`` distinct words, and the best score found."""
        words = sorted(set(document))
        prompt = self.prompt(document)
        scores = [self.score(prompt, " ".join(c)) for c in itertools.combinations(words, min(self.budget, len(words)))]
        return len(scores), max(scores)

    # --- the simple features (the linear reference's inputs) --------------------------------
    @property
    def feature_names(self) -> list[str]:
        return ["coverage gain", "words beyond the budget", "repeated words", "words absent from the document"]

    def features(self, prompt: str, completion: str) -> list[float]:
        """The coverage verifier's own ingredients: its score is ``gain - penalty * (the other
        three)``, so it is linear in them.  The ROUGE-L verifier is not: for it these are a
        simple class that cannot express the verifier."""
        document = parse_document(prompt)
        counts = Counter(document)
        gain, overrun, repeated, absent = 0.0, 0, 0, 0
        seen: set[str] = set()
        for i, word in enumerate(parse_summary(completion)):
            if i >= self.budget:
                overrun += 1
            elif word in seen:
                repeated += 1
            elif word not in counts:
                absent += 1
            else:
                gain += counts[word] / len(document)
            seen.add(word)
        return [gain, overrun, repeated, absent]


def vocabulary(size: int) -> list[str]:
    """The words ``w0 .. w{size-1}``, zero-padded so that they sort as they count."""
    width = len(str(size - 1))
    return [f"w{i:0{width}d}" for i in range(size)]


def zipf_document(words: list[str], length: int, zipf: float, rng: random.Random) -> list[str]:
    """A document: its own random ranking of ``words``, Zipf weights over that ranking."""
    ranking = rng.sample(words, len(words))
    weights = [1.0 / (k + 1) ** zipf for k in range(len(words))]
    return rng.choices(ranking, weights=weights, k=length)


def most_frequent(words: list[str], n: int) -> list[str]:
    """The ``n`` most frequent of ``words``, most frequent first (ties by name)."""
    counts = Counter(words)
    return sorted(counts, key=lambda w: (-counts[w], w))[:n]


def parse_document(prompt: str) -> list[str]:
    """The document words of a prompt (everything before the separator)."""
    if SEPARATOR not in prompt:
        raise ValueError(f"a prompt must end with {SEPARATOR!r}: {prompt[:80]!r}")
    return prompt.split(SEPARATOR)[0].split()


def parse_summary(completion: str) -> list[str]:
    """The summary words of a completion, up to the first end-of-sequence token."""
    return completion.split(EOS)[0].split()


def rouge_l(summary: list[str], reference: list[str]) -> float:
    """ROUGE-L F1: longest common subsequence over the harmonic mean of both lengths."""
    if not summary or not reference:
        return 0.0
    prev = [0] * (len(reference) + 1)
    for a in summary:
        cur = [0]
        for j, b in enumerate(reference):
            cur.append(prev[j] + 1 if a == b else max(prev[j + 1], cur[j]))
        prev = cur
    lcs = prev[-1]
    return 0.0 if lcs == 0 else 2 * lcs / (len(summary) + len(reference))
