"""Exact preference fine-tuning on a token tree: policies, rewards, soft RL, BT and DPO."""

from .optimize import minimize
from .preferences import Pairs, bt_log_likelihood, dpo_loss, local_reward, sample_pairs
from .soft_rl import kl, objective, soft_optimal
from .tree import DTYPE, Tree, log_probs, normalize, probs, token_log_probs

__all__ = [
    "DTYPE", "Pairs", "Tree", "bt_log_likelihood", "dpo_loss", "kl", "local_reward", "log_probs",
    "minimize", "normalize", "objective", "probs", "sample_pairs", "soft_optimal", "token_log_probs",
]
