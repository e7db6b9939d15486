"""Exact preference fine-tuning on a token tree: policies, rewards, soft RL, BT and DPO."""

from .fit import Demos, fit_dpo, fit_irl, fit_online, fit_projection, fit_proper, fit_reward, fit_sft
from .optimize import Fit, minimize, newton, recording
from .preferences import Pairs, bt_log_likelihood, components, dpo_loss, local_reward, relabel, sample_pairs
from .rewards import Linear, Tabular, reward_class
from .soft_rl import entropy, kl, objective, paper_objective, soft_optimal
from .tree import DTYPE, Tree, log_probs, normalize, probs, token_log_probs

__all__ = [
    "DTYPE", "Demos", "Fit", "Linear", "Pairs", "Tabular", "Tree", "bt_log_likelihood", "components",
    "dpo_loss", "entropy", "fit_dpo", "fit_irl", "fit_online", "fit_projection", "fit_proper", "fit_reward",
    "fit_sft", "kl", "local_reward", "log_probs", "minimize", "newton", "recording", "relabel", "reward_class",
    "normalize", "objective", "paper_objective", "probs", "sample_pairs", "soft_optimal", "token_log_probs",
]
