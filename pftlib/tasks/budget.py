"""A budgeted summary: a task whose verifier is simple to learn and whose best answer needs planning.

Every word ``w_i`` of the vocabulary has a fixed *cost* ``c_i = 1 + (i mod 3)`` (think of its
length) and a fixed *value* ``v_i`` (how informative it is).  A prompt is a document followed by a
budget token ``B<b>``: the reader asks for a summary of total cost ``b``.  The gold **budget
verifier** scores a summary ``y`` (a bag of words; repeats count) as

    r(x, y) = sum_{w in y} v(w)  -  penalty * | sum_{w in y} c(w) - b |.

*Checking* is one pass over the summary: a sum of per-word values, a sum of per-word costs, and
one comparison with the budget token.  A global reward model learns it from a few thousand pairs
(``benchmarks/reward_learnability.py`` measures this).  *Writing* the best summary is a knapsack:
at every step the writer must know how much budget is left and which words still fit, so the
optimal policy's soft Q-function carries the remaining budget through the whole horizon, while the
reward is a sum.  The horizon grows with the largest budget.

The **ROUGE-L verifier** (``verifier="rouge"``) instead scores the longest common subsequence with
a reference that depends on the document, as a human reference summary does: the best summary
made of the document's own words (:meth:`BudgetTask.ideal`, best words first).  Checking a summary
against it needs that knapsack solved over the document's word set first, which is exactly the
writer's problem: a verifier as hard as the generator, meant to close the gap (Chapter 7).  (An
earlier version used the best summary over the whole vocabulary; that reference depends on the
budget token alone, so checking it is a lookup, and online DPO still beat DPO under it:
``benchmarks/lm_gap_dial.py`` recorded this before the change.)

The SFT references ignore the budget: they are the document's most frequent words (noisy, as in
:class:`pftlib.tasks.summarize.Task`), of a random length.  Only the preferences teach the budget.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property

from .summarize import SEPARATOR, most_frequent, parse_document, parse_summary, rouge_l, vocabulary, zipf_document

VERIFIERS = ("budget", "rouge")

VALUE_SEED = 0


@dataclass(frozen=True)
class BudgetTask:
    """The budgeted summary's knobs.  ``max_budget`` is the horizon: a summary that meets a budget
    ``b`` has at most ``b`` words (every cost is at least 1)."""

    vocab: int = 10
    doc_length: int = 12
    min_budget: int = 2
    max_budget: int = 8
    zipf: float = 1.1
    penalty: float = 1.0
    reference_noise: float = 0.3
    max_reference: int = 4
    verifier: str = "budget"

    def __post_init__(self) -> None:
        if not (4 <= self.vocab <= 1000 and self.doc_length >= 1):
            raise ValueError(f"need 4 <= vocab <= 1000 and doc_length >= 1: {self}")
        if not (1 <= self.min_budget <= self.max_budget <= 99):
            raise ValueError(f"need 1 <= min_budget <= max_budget <= 99: {self}")
        if not (0 <= self.reference_noise <= 1 and self.zipf > 0 and self.penalty > 0 and self.max_reference >= 1):
            raise ValueError(f"need 0 <= reference_noise <= 1, zipf > 0, penalty > 0, max_reference >= 1: {self}")
        if self.penalty <= max(self.value[w] / self.cost[w] for w in self.words):
            raise ValueError("penalty must exceed every word's value per unit of cost (else longer is always "
                             f"better): {self}")
        if self.verifier not in VERIFIERS:
            raise ValueError(f"unknown verifier {self.verifier!r} for the budgeted summary; choose one of {VERIFIERS}")

    # --- the vocabulary ---------------------------------------------------------------------
    @property
    def words(self) -> list[str]:
        return vocabulary(self.vocab)

    @property
    def budget_tokens(self) -> list[str]:
        return [budget_token(b) for b in range(self.min_budget, self.max_budget + 1)]

    @property
    def extra_tokens(self) -> list[str]:
        """Prompt tokens beyond the words: the budget tokens (the tokenizer adds them)."""
        return self.budget_tokens

    @property
    def horizon(self) -> int:
        return self.max_budget

    def with_horizon(self, horizon: int) -> BudgetTask:
        """The same task with budgets up to ``horizon`` (from min(min_budget, horizon))."""
        return replace(self, min_budget=min(self.min_budget, horizon), max_budget=horizon)

    @cached_property
    def cost(self) -> dict[str, int]:
        return {w: 1 + i % 3 for i, w in enumerate(self.words)}

    @cached_property
    def value(self) -> dict[str, float]:
        """Each word's value: its cost times a density that grows with the cost (0.3, 0.5, 0.7 for
        costs 1, 2, 3, each moved by a seeded draw in [-0.1, 0.1], rounded to 0.05).  Expensive
        words are worth more per unit, so the best summary fills the budget with costly words and
        must plan the remainder: a knapsack, not a ranking."""
        rng = random.Random(VALUE_SEED)
        density = {w: 0.1 + 0.2 * self.cost[w] + round(rng.uniform(-0.1, 0.1) * 20) / 20 for w in self.words}
        return {w: round(self.cost[w] * density[w], 4) for w in self.words}

    # --- data ---------------------------------------------------------------------------------
    def document(self, rng: random.Random) -> list[str]:
        """A document (Zipf-ranked words, as the coverage task) followed by its budget token."""
        words = zipf_document(self.words, self.doc_length, self.zipf, rng)
        return [*words, budget_token(rng.randint(self.min_budget, self.max_budget))]

    def prompt(self, document: list[str]) -> str:
        return " ".join(document) + " " + SEPARATOR

    def reference(self, document: list[str], rng: random.Random) -> list[str]:
        """A budget-blind reference: the 1..``max_reference`` most frequent document words, each
        replaced with probability ``reference_noise`` by a random document word."""
        words = document[:-1]
        top = most_frequent(words, rng.randint(1, self.max_reference))
        return [rng.choice(words) if rng.random() < self.reference_noise else w for w in top]

    def ideal(self, document: list[str]) -> list[str]:
        """The best summary for the document's budget (an unbounded knapsack, solved exactly): over
        the whole vocabulary for the budget verifier, over the document's own words for ROUGE-L
        (its reference)."""
        return self._best(budget_of(document), self._allowed(document))[1]

    def _allowed(self, document: list[str]) -> list[str]:
        """The words the best summary may use: the document's for ROUGE-L, every word otherwise."""
        return sorted(set(document[:-1]) & set(self.words)) if self.verifier == "rouge" else self.words

    # --- the verifier -----------------------------------------------------------------------
    def score(self, prompt: str, completion: str) -> float:
        """The gold verifier: total value minus ``penalty`` times the distance to the budget (a
        word outside the vocabulary costs 1 and is worth ``-penalty``); or, for the ROUGE-L
        verifier, ROUGE-L F1 against the best summary of the document's own words."""
        document = parse_document(prompt)
        b = budget_of(document)
        summary = parse_summary(completion)
        if self.verifier == "rouge":
            return rouge_l(summary, self.ideal(document))
        value = sum(self.value.get(w, -self.penalty) for w in summary)
        cost = sum(self.cost.get(w, 1) for w in summary)
        return value - self.penalty * abs(cost - b)

    def best_score(self, prompt: str) -> float:
        if self.verifier == "rouge":
            return 1.0
        return self._best(budget_of(parse_document(prompt)))[0]

    # --- the simple features (the linear reference's inputs) --------------------------------
    @property
    def feature_names(self) -> list[str]:
        return [f"count of {w}" for w in self.words] + ["other tokens", "|cost - budget|"]

    def features(self, prompt: str, completion: str) -> list[float]:
        """Each word's count in the summary, the count of other tokens, and the distance between
        the summary's cost and the budget: the verifier is linear in them."""
        b = budget_of(parse_document(prompt))
        summary = parse_summary(completion)
        counts = Counter(summary)
        cost = sum(self.cost.get(w, 1) for w in summary)
        other = sum(n for w, n in counts.items() if w not in self.cost)
        return [float(counts[w]) for w in self.words] + [float(other), float(abs(cost - b))]

    def _best(self, b: int, words: list[str] | None = None) -> tuple[float, list[str]]:
        """max over bags y of ``words`` (default: the vocabulary) of r(y) for budget ``b``: dynamic
        programming over the exact total cost t (best value at cost t), then the best trade-off of
        value against |t - b|.  Every value density is below ``penalty``, so an overrun of 3 or
        more never pays."""
        top = b + 2  # overrunning by 3 or more never pays: dropping a word (cost <= 3) gains more than it loses
        best: list[tuple[float, list[str]]] = [(0.0, [])] + [(float("-inf"), [])] * top
        for t in range(1, top + 1):
            for w in self.words if words is None else words:
                c = self.cost[w]
                if c <= t and best[t - c][0] + self.value[w] > best[t][0]:
                    best[t] = (best[t - c][0] + self.value[w], [*best[t - c][1], w])
        score, t = max((v - self.penalty * abs(t - b), t) for t, (v, _) in enumerate(best))
        return score, sorted(best[t][1], key=lambda w: (-self.value[w], w))


def budget_token(b: int) -> str:
    return f"B{b}"


def budget_of(document: list[str]) -> int:
    """The budget a prompt asks for: its last document token, ``B<b>``."""
    if not document or not document[-1].startswith("B") or not document[-1][1:].isdigit():
        raise ValueError(f"a budgeted prompt ends with its budget token B<b> before {SEPARATOR!r}: {document[-3:]}")
    return int(document[-1][1:])
