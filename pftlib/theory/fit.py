"""The routes of preference fine-tuning, each fitted to solver precision.

* offline (DPO): ``max_pi  BT-likelihood(r_pi)`` over tabular policies;
* online (two-stage RLHF): ``r_hat = argmax_{r in R} BT-likelihood(r)``, then soft RL:
  ``pi = soft_optimal(r_hat)``;
* proper learning (Theorem 3.1): ``max_w BT-likelihood(r_{pi_w})`` over the soft-optimal policies
  ``pi_w = soft_optimal(r_w)`` of a reward class — optimised *through* soft value iteration;
* projection: ``argmin_{pi in Pi(R)} KL(P_pi || target)``, soft RL over a restricted class;
* SFT: ``max_pi  mean log P_pi(demo)``; its two-stage twin, maximum-entropy inverse RL:
  ``r_hat = argmax_r mean log P*_r(demo)``, then ``soft_optimal(r_hat)``.

``grad_tol`` is the stopping tolerance on the largest gradient entry.  The likelihood fits end
with Newton's method on the *summed* loss (so the tolerance does not loosen as data grow), and
every fit records the gradient it reached (:func:`~pftlib.theory.optimize.recording`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from .optimize import GRAD_TOL, minimize, newton
from .preferences import Pairs, bt_log_likelihood, dpo_loss, draw_completions
from .rewards import Linear, Tabular
from .soft_rl import soft_optimal
from .tree import Logits, log_probs, normalize


def _fit_to_tolerance(params: list[torch.Tensor], mean_loss: Callable[[list[torch.Tensor]], torch.Tensor],
                      total: float, grad_tol: float, name: str) -> None:
    """Minimise a weighted-mean loss in place: L-BFGS brings it close, Newton's method finishes it
    on the *summed* loss (``total`` times the mean) until its largest gradient entry is at most
    ``grad_tol``, which is recorded under ``name``.  On the sum, the tolerance does not loosen as
    data are added."""
    minimize(params, lambda: mean_loss(params), grad_tol=grad_tol / total, name=None)
    newton(params, lambda p: total * mean_loss(p), grad_tol, name=name)


def fit_reward(model: Tabular | Linear, pairs: Pairs, grad_tol: float = GRAD_TOL) -> torch.Tensor:
    """Reward-model MLE over a reward class; returns the fitted ``(P, V**H)`` reward.

    The likelihood is concave in the class's parameters (the reward is linear in them); it is
    fitted to ``grad_tol`` on the summed loss (:func:`_fit_to_tolerance`, recorded; see
    :func:`~pftlib.theory.optimize.recording`)."""
    model = model.identified()
    params = model.init()
    _fit_to_tolerance(params, lambda p: -bt_log_likelihood(model(p), pairs), float(pairs.weights().sum()),
                      grad_tol, f"reward MLE ({model.name})")
    return model(params).detach()


def fit_dpo(ref: Logits, beta: float, pairs: Pairs, grad_tol: float = GRAD_TOL) -> Logits:
    """DPO over tabular policies, started at the reference; returns normalised logits, fitted to
    ``grad_tol`` on the summed loss (:func:`_fit_to_tolerance`)."""
    logits = [layer.clone() for layer in ref]
    _fit_to_tolerance(logits, lambda p: dpo_loss(p, ref, beta, pairs), float(pairs.weights().sum()), grad_tol,
                      "DPO (tabular policies)")
    return normalize([layer.detach() for layer in logits])


def fit_online(model: Tabular | Linear, ref: Logits, beta: float, pairs: Pairs,
               grad_tol: float = GRAD_TOL) -> tuple[torch.Tensor, Logits]:
    """Two-stage RLHF: reward-model MLE over ``model``'s class, then exact soft RL."""
    reward = fit_reward(model, pairs, grad_tol)
    return reward, soft_optimal(reward, ref, beta)[0]


def fit_proper(model: Tabular | Linear, ref: Logits, beta: float, pairs: Pairs, grad_tol: float = GRAD_TOL) -> Logits:
    """Maximum likelihood over ``Pi(R) = {soft_optimal(r): r in R}`` (Theorem 3.1's right-hand
    side), computed on the *policies*: the DPO loss of ``pi_w = soft_optimal(r_w)``, its gradient
    and Hessian-vector products taken through soft value iteration, minimised by Newton's method
    from ``w = 0`` (the loss is convex in ``w``: that is the theorem's content).  No reward-model
    likelihood is evaluated, and no L-BFGS path is shared with :func:`fit_online`."""
    model = model.identified()
    params = model.init()
    total = float(pairs.weights().sum())
    newton(params, lambda p: total * dpo_loss(soft_optimal(model(p), ref, beta)[0], ref, beta, pairs), grad_tol,
           name=f"proper route ({model.name})")
    return [layer.detach() for layer in soft_optimal(model(params).detach(), ref, beta)[0]]


def fit_projection(model: Tabular | Linear, ref: Logits, beta: float, target_logp: torch.Tensor,
                   restarts: int = 8, seed: int = 0) -> Logits:
    """Reverse-KL projection of a trajectory distribution onto ``Pi(R)``:
    ``argmin_{r in R} KL(P_{soft_optimal(r)} || target)``.  With ``target = P*_r`` this is soft
    RL against ``r`` restricted to the policy class ``Pi(R)`` (the projection lemma).

    Reverse KL is mode-seeking and not convex in the reward's parameters, so a single descent can
    stop in a local minimum: the fit starts from zero and from ``restarts`` seeded random points,
    and keeps, per prompt, the best solution found.
    """
    g = torch.Generator().manual_seed(seed)

    def kl_of(params: list[torch.Tensor]) -> torch.Tensor:
        logp = log_probs(soft_optimal(model(params), ref, beta)[0])
        return (logp.exp() * (logp - target_logp)).sum(-1)

    best = model.init()
    best_kl = torch.full((best[0].shape[0],), float("inf"), dtype=best[0].dtype)
    for start in range(restarts + 1):
        params = [p if start == 0 else 3 * torch.randn(p.shape, generator=g, dtype=p.dtype) for p in model.init()]
        minimize(params, lambda: kl_of(params).sum())
        found = kl_of(params).detach()
        better = found < best_kl
        best = [torch.where(better[:, None], p.detach(), b) for p, b in zip(params, best)]
        best_kl = torch.where(better, found, best_kl)
    return [layer.detach() for layer in soft_optimal(model(best).detach(), ref, beta)[0]]


@dataclass(frozen=True)
class Demos:
    """Demonstrations: completion ``completion[k]`` for prompt ``prompt[k]`` with a weight."""

    prompt: torch.Tensor
    completion: torch.Tensor
    weight: torch.Tensor

    @staticmethod
    def sample(logp: torch.Tensor, n: int, generator: torch.Generator) -> Demos:
        """``n`` demonstrations: a uniform prompt, then a completion from ``exp(logp[prompt])``."""
        prompt = torch.randint(logp.shape[0], (n,), generator=generator)
        completion = draw_completions(logp, prompt, 1, generator)[:, 0]
        return Demos(prompt, completion, torch.ones(n, dtype=torch.float64))

    def with_pseudocounts(self, eps: float, prompts: int, n: int) -> Demos:
        """Add ``eps`` pseudo-demonstrations of every completion (a symmetric Dirichlet prior)."""
        p, c = torch.meshgrid(torch.arange(prompts), torch.arange(n), indexing="ij")
        return Demos(torch.cat([self.prompt, p.flatten()]), torch.cat([self.completion, c.flatten()]),
                     torch.cat([self.weight, torch.full((prompts * n,), float(eps), dtype=torch.float64)]))

    def counts(self, prompts: int, n: int, observed: bool = False) -> torch.Tensor:
        """The weight on each (prompt, completion), shape ``(prompts, n)``; with ``observed``, the
        number of real demonstrations (weight 1), leaving out the pseudo-demonstrations."""
        weight = (self.weight >= 1).double() if observed else self.weight
        return torch.zeros(prompts, n, dtype=torch.float64).index_put_((self.prompt, self.completion), weight,
                                                                       accumulate=True)

    def log_likelihood(self, logp: torch.Tensor) -> torch.Tensor:
        """Weighted mean log-likelihood of the demonstrations under trajectory log-probs ``logp``."""
        return (self.weight * logp[self.prompt, self.completion]).sum() / self.weight.sum()


def fit_sft(ref: Logits, demos: Demos, grad_tol: float = GRAD_TOL) -> Logits:
    """Supervised fine-tuning: maximum likelihood of the demonstrations over tabular policies
    (concave in the logits), fitted to ``grad_tol`` on the summed loss (:func:`_fit_to_tolerance`)."""
    logits = [layer.clone() for layer in ref]
    _fit_to_tolerance(logits, lambda p: -demos.log_likelihood(log_probs(p)), float(demos.weight.sum()), grad_tol,
                      "SFT (tabular policies)")
    return normalize([layer.detach() for layer in logits])


def fit_irl(model: Tabular | Linear, ref: Logits, beta: float, demos: Demos,
            grad_tol: float = GRAD_TOL) -> tuple[torch.Tensor, Logits]:
    """Maximum-entropy inverse RL, then soft RL: ``r_hat = argmax_r mean log P*_r(demo)`` with
    ``log P*_r = log P_ref + r/beta - log Z`` (concave in the reward's parameters, fitted to
    ``grad_tol`` on the summed loss by :func:`_fit_to_tolerance`), then ``soft_optimal(r_hat)``."""
    model = model.identified()
    params = model.init()
    log_ref = log_probs(ref)

    def loss(p: list[torch.Tensor]) -> torch.Tensor:
        tilt = log_ref + model(p) / beta
        return -demos.log_likelihood(tilt - torch.logsumexp(tilt, -1, keepdim=True))

    _fit_to_tolerance(params, loss, float(demos.weight.sum()), grad_tol, f"max-ent IRL ({model.name})")
    reward = model(params).detach()
    return reward, soft_optimal(reward, ref, beta)[0]
