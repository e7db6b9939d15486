"""Exact preference fine-tuning on a token tree: policies, rewards, soft RL, BT and DPO.

Each name loads its module (and torch) on first use, so the settings (:mod:`.settings`) import
without torch: ``from pftlib import theory as T; T.fit_dpo`` works as before.
"""

from importlib import import_module

_MODULES = {
    "fit": ("Demos", "fit_dpo", "fit_irl", "fit_online", "fit_projection", "fit_proper", "fit_reward", "fit_sft"),
    "optimize": ("Fit", "minimize", "newton", "recording"),
    "preferences": ("Pairs", "bt_log_likelihood", "components", "dpo_loss", "local_reward", "relabel", "sample_pairs"),
    "rewards": ("Linear", "Tabular", "reward_class"),
    "soft_rl": ("entropy", "kl", "objective", "paper_objective", "soft_optimal"),
    "tree": ("DTYPE", "Tree", "log_probs", "normalize", "probs", "token_log_probs"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}
__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_HOME[name]}", __name__), name)
