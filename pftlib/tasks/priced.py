"""A priced summary: the best answer depends on the document and takes several planned decisions.

A document lists ``items`` distinct words, each followed by its *price* token ``$1``, ``$2`` or
``$3``, then a budget token ``B<b>``.  Every word has a fixed *cost* (1 or 2: ``c_i = 1 + i mod 2``);
a listed word's *value* is its cost times the density of its price (0.2, 0.5, 0.8 for ``$1``, ``$2``,
``$3``).  The gold **priced verifier** scores a summary ``y`` as

    r(x, y) = sum of the values of the distinct listed words in y
              - penalty * |sum of the costs of y's words - b|
              - penalty * (repeated words + words the document does not list).

*Checking* is one pass over the summary: look each word up in the document, add its listed value
and its cost, compare the cost with the budget token.  The verifier is linear in three features a
reader can name (:meth:`PricedTask.features`).  *Writing* the best summary is a 0/1 knapsack over
the document's own items with values the document sets: which words, how many, and what budget
is left after each.  Unlike the budgeted summary (:mod:`pftlib.tasks.budget`), whose best answer
is a lookup on the budget token, the best answer here changes with the document, and with budgets
of 7 or 8 and costs of at most 2 it has at least four words whenever the items can fill it.

The **ROUGE-L verifier** (``verifier="rouge"``) scores the longest common subsequence with the best
summary (its words in document order): checking it means solving the writer's knapsack first.
The SFT references ignore prices and budget: 1 to ``max_reference`` listed words in document
order, each replaced with probability ``reference_noise`` by a random vocabulary word.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property

from .budget import budget_of, budget_token
from .summarize import SEPARATOR, parse_document, parse_summary, rouge_l, vocabulary

VERIFIERS = ("priced", "rouge")
PRICES = ("$1", "$2", "$3")
DENSITY = {"$1": 0.2, "$2": 0.5, "$3": 0.8}


@dataclass(frozen=True)
class PricedTask:
    """The priced summary's knobs.  ``max_budget`` is the horizon (every cost is at least 1)."""

    vocab: int = 10
    items: int = 6
    min_budget: int = 7
    max_budget: int = 8
    penalty: float = 1.0
    reference_noise: float = 0.3
    max_reference: int = 4
    verifier: str = "priced"

    def __post_init__(self) -> None:
        if not (2 <= self.items <= self.vocab <= 1000):
            raise ValueError(f"need 2 <= items <= vocab <= 1000: {self}")
        if not (1 <= self.min_budget <= self.max_budget <= 99):
            raise ValueError(f"need 1 <= min_budget <= max_budget <= 99: {self}")
        if not (0 <= self.reference_noise <= 1 and self.max_reference >= 1):
            raise ValueError(f"need 0 <= reference_noise <= 1 and max_reference >= 1: {self}")
        if self.penalty <= max(DENSITY.values()):
            raise ValueError(f"penalty must exceed every price's value per unit of cost (else longer is always "
                             f"better): {self}")
        if self.verifier not in VERIFIERS:
            raise ValueError(f"unknown verifier {self.verifier!r} for the priced summary; choose one of {VERIFIERS}")

    @property
    def words(self) -> list[str]:
        return vocabulary(self.vocab)

    @property
    def extra_tokens(self) -> list[str]:
        """Prompt tokens beyond the words: the price tokens and the budget tokens."""
        return [*PRICES, *(budget_token(b) for b in range(self.min_budget, self.max_budget + 1))]

    @property
    def horizon(self) -> int:
        return self.max_budget

    @property
    def doc_length(self) -> int:
        """Tokens in a document: each item and its price, and the budget token."""
        return 2 * self.items + 1

    def with_horizon(self, horizon: int) -> PricedTask:
        return replace(self, min_budget=min(self.min_budget, horizon), max_budget=horizon)

    @cached_property
    def cost(self) -> dict[str, int]:
        return {w: 1 + i % 2 for i, w in enumerate(self.words)}

    # --- data ---------------------------------------------------------------------------------
    def document(self, rng: random.Random) -> list[str]:
        """``items`` distinct words, each followed by a random price, then a random budget token."""
        listed = rng.sample(self.words, self.items)
        return [*itertools.chain.from_iterable((w, rng.choice(PRICES)) for w in listed),
                budget_token(rng.randint(self.min_budget, self.max_budget))]

    def prompt(self, document: list[str]) -> str:
        return " ".join(document) + " " + SEPARATOR

    def values(self, document: list[str]) -> dict[str, float]:
        """The value of each word the document lists: its cost times its price's density."""
        return {w: round(self.cost[w] * DENSITY[p], 4) for w, p in zip(document[:-1:2], document[1:-1:2])}

    def reference(self, document: list[str], rng: random.Random) -> list[str]:
        listed = document[:-1:2]
        picked = sorted(rng.sample(range(len(listed)), rng.randint(1, min(self.max_reference, len(listed)))))
        return [rng.choice(self.words) if rng.random() < self.reference_noise else listed[i] for i in picked]

    def ideal(self, document: list[str]) -> list[str]:
        """The best summary: the best subset of listed words (in document order), by enumeration;
        the first in enumeration order wins ties."""
        return self._best(document)[1]

    # --- the verifier -----------------------------------------------------------------------
    def _parts(self, document: list[str], summary: list[str]) -> list[float]:
        """The listed value of the summary's distinct words, the distance of its cost from the
        budget (a word outside the vocabulary costs 1), and its repeated or unlisted words."""
        values, counts = self.values(document), Counter(summary)
        cost = sum(self.cost.get(w, 1) for w in summary)
        wasted = sum(n - 1 for n in counts.values()) + sum(n for w, n in counts.items() if w not in values)
        return [sum(values[w] for w in counts if w in values), float(abs(cost - budget_of(document))), float(wasted)]

    def _priced(self, document: list[str], summary: list[str]) -> float:
        value, gap, wasted = self._parts(document, summary)
        return value - self.penalty * (gap + wasted)

    def score(self, prompt: str, completion: str) -> float:
        """The gold verifier: the priced score, or ROUGE-L F1 against the best summary."""
        document, summary = parse_document(prompt), parse_summary(completion)
        if self.verifier == "rouge":
            return rouge_l(summary, self.ideal(document))
        return self._priced(document, summary)

    def best_score(self, prompt: str) -> float:
        return 1.0 if self.verifier == "rouge" else self._best(parse_document(prompt))[0]

    def _best(self, document: list[str]) -> tuple[float, list[str]]:
        """Every subset of the listed words (2^items of them), scored; the best and its words."""
        listed = document[:-1:2]
        subsets = (list(c) for n in range(len(listed) + 1) for c in itertools.combinations(listed, n))
        return max(((self._priced(document, s), s) for s in subsets), key=lambda t: t[0])

    def generate_by_checking(self, document: list[str]) -> tuple[int, float]:
        """Generate by search with the verifier alone: score every subset of the listed words;
        returns the number of verifier calls and the best score found."""
        listed = document[:-1:2]
        return 2 ** len(listed), self._best(document)[0]

    # --- the simple features (the linear reference's inputs) --------------------------------
    @property
    def feature_names(self) -> list[str]:
        return ["listed value", "|cost - budget|", "repeated or unlisted words"]

    def features(self, prompt: str, completion: str) -> list[float]:
        """The three quantities the priced verifier is linear in (:meth:`_parts`)."""
        return self._parts(parse_document(prompt), parse_summary(completion))
