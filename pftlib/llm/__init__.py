"""Language-model preference fine-tuning on TRL: models, trainers, sampling, preference data,
and evaluation against a gold verifier."""

from . import evaluate, models, online, preferences, rollout, trainers

__all__ = ["evaluate", "models", "online", "preferences", "rollout", "trainers"]
