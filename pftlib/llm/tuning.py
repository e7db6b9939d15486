"""Equal tuning: the offline policy and the reward model choose their recipes by one rule.

An online-versus-offline comparison is fair only if DPO gets the same chance to fit the pairs as
the reward model the online route learns from them.  So both stages search the same budget,

    epochs in {E, 2E}   (E: the stage's own default; DPO's is 1, the reward model's ``rm_epochs``),

at their own learning rates, and keep the candidate with the highest held-out Bradley–Terry
likelihood on *selection pairs* (:meth:`pftlib.llm.pipeline.Workspace.selection_pairs`: prompts
used neither for training nor for evaluation).  For DPO the reward scored is its implicit one,
``beta * log(pi / pi_SFT)``, so the rule is DPO's own validation loss; for the reward model it is
the reward itself.  The evaluation prompts and the gold verifier play no part in the choice.
"""

from __future__ import annotations

from collections.abc import Callable

import datasets

from .gap import margins
from .preferences import Scorer

#: The search budget: each stage tries its default epochs and twice as many.
EPOCH_FACTORS = (1, 2)


def likelihood(score: Scorer, pairs: datasets.Dataset) -> float:
    """Mean ``sigmoid(r(chosen) - r(rejected))``: the held-out rule's criterion."""
    return margins(score, pairs).sigmoid().mean().item()


def search_folder(name: str) -> str:
    """Where the search for ``name`` saves its candidates (one folder, cached as a whole)."""
    return f"{name} search"


def folder(name: str, epochs: int) -> str:
    """Where the candidate of ``name`` trained for ``epochs`` is saved."""
    return f"{search_folder(name)}/{epochs} epochs"


def choose(name: str, epochs: int, train: Callable[[str, int], None], scorer: Callable[[str], Scorer],
           pairs: datasets.Dataset) -> tuple[int, dict[int, float]]:
    """Train ``name`` at each budgeted number of epochs (``train(folder, epochs)``, see
    :func:`folder`), score each on ``pairs`` by :func:`likelihood`, and return the winning epochs
    and every candidate's likelihood by epochs.  The first candidate wins a tie."""
    table = {}
    for factor in EPOCH_FACTORS:
        train(folder(name, factor * epochs), factor * epochs)
        table[factor * epochs] = likelihood(scorer(folder(name, factor * epochs)), pairs)
    return max(table, key=table.__getitem__), table
