"""Deterministic full-batch optimisation of tabular parameters, and a record of how far each fit got.

* :func:`minimize`: L-BFGS with a strong-Wolfe line search, for any smooth loss;
* :func:`newton`: Newton's method with exact Hessian-vector products (conjugate gradients solve
  each step), for *convex* losses such as the reward-model likelihood: it converges quadratically,
  so a fit ends at its tolerance instead of where L-BFGS happens to stall.

Every call records a :class:`Fit` (the largest gradient entry it ended with, against its
tolerance) in the enclosing :func:`recording` blocks, so a chapter or a test can show, or
insist, that every fit reached its tolerance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import torch

GRAD_TOL = 1e-10


@dataclass(frozen=True)
class Fit:
    """One optimisation: what was fitted, the largest gradient entry it ended with, its tolerance."""

    name: str
    grad: float
    tol: float

    @property
    def converged(self) -> bool:
        return self.grad <= self.tol


_LEDGERS: list[list[Fit]] = []


@contextmanager
def recording() -> Iterator[list[Fit]]:
    """Collect every fit made inside the block: ``with recording() as fits: ...``."""
    fits: list[Fit] = []
    _LEDGERS.append(fits)
    try:
        yield fits
    finally:
        _LEDGERS.remove(fits)


def _record(name: str, grad: float, tol: float) -> None:
    for ledger in _LEDGERS:
        ledger.append(Fit(name, grad, tol))


def _max_grad(params: Sequence[torch.Tensor]) -> float:
    return max(float(p.grad.abs().max()) for p in params)


def minimize(
    params: Sequence[torch.Tensor],
    loss_fn: Callable[[], torch.Tensor],
    max_iter: int = 3000,
    grad_tol: float = GRAD_TOL,
    name: str | None = "L-BFGS",
) -> list[float]:
    """Minimise ``loss_fn()`` over ``params`` in place until the largest gradient entry is below
    ``grad_tol`` (or L-BFGS stalls, or ``max_iter`` iterations); returns the loss per outer step
    and records the gradient it ended with (unless ``name`` is None: a first stage that another
    method finishes).

    Stopping on the gradient, not on the loss, matters: along weakly determined directions the
    loss flattens long before the parameters converge.
    """
    params = [p.requires_grad_(True) for p in params]
    opt = torch.optim.LBFGS(
        params, lr=1.0, max_iter=50, history_size=50, line_search_fn="strong_wolfe",
        tolerance_grad=grad_tol, tolerance_change=1e-16,
    )

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    trace: list[float] = []
    for _ in range(max(1, max_iter // 50)):
        trace.append(float(opt.step(closure).detach()))
        closure()  # the gradient at the final point
        if _max_grad(params) <= grad_tol:
            break
        if len(trace) > 1 and trace[-1] >= trace[-2]:
            break  # no further progress is possible in floating point
    if name is not None:
        _record(name, _max_grad(params), grad_tol)
    for p in params:
        p.requires_grad_(False)
        p.grad = None
    return trace


def _conjugate_gradients(hvp: Callable[[torch.Tensor], torch.Tensor], b: torch.Tensor, tol: float) -> torch.Tensor:
    """Solve ``H x = b`` for a positive semi-definite ``H`` given as a product, ``b`` in its range
    (a convex loss's gradient is: its null directions leave the loss unchanged)."""
    x = torch.zeros_like(b)
    r, p = b.clone(), b.clone()
    rs = r @ r
    for _ in range(2 * b.numel()):
        hp = hvp(p)
        curvature = p @ hp
        if curvature <= 0 or rs.sqrt() <= tol:
            break
        alpha = rs / curvature
        x, r = x + alpha * p, r - alpha * hp
        rs, previous = r @ r, rs
        p = r + (rs / previous) * p
    return x


def newton(
    params: Sequence[torch.Tensor],
    loss_fn: Callable[[list[torch.Tensor]], torch.Tensor],
    grad_tol: float = GRAD_TOL,
    max_steps: int = 50,
    name: str = "Newton",
) -> float:
    """Minimise a *convex* ``loss_fn(params)`` in place by Newton's method (each step solved by
    conjugate gradients on exact Hessian-vector products, then a backtracking line search) until
    the largest gradient entry is at most ``grad_tol``.  Returns and records that entry."""
    shapes = [p.shape for p in params]
    sizes = [p.numel() for p in params]

    def f(theta: torch.Tensor) -> torch.Tensor:
        return loss_fn([t.view(s) for t, s in zip(theta.split(sizes), shapes)])

    theta = torch.cat([p.detach().flatten() for p in params])
    grad = torch.autograd.functional.jacobian(f, theta)
    for _ in range(max_steps):
        if grad.abs().max() <= grad_tol:
            break
        step = _conjugate_gradients(lambda v: torch.autograd.functional.hvp(f, theta, v)[1], -grad, grad_tol / 10)
        # The full step when it shrinks the gradient (near the optimum the loss no longer resolves
        # the progress), else backtracking until the loss decreases enough (Armijo).
        trial = torch.autograd.functional.jacobian(f, theta + step)
        t = 1.0
        if trial.abs().max() >= grad.abs().max():
            slope, value = grad @ step, f(theta)
            while t > 1e-12 and f(theta + t * step) > value + 1e-4 * t * slope:
                t /= 2
            if t <= 1e-12:
                break  # no descent left in floating point
            trial = torch.autograd.functional.jacobian(f, theta + t * step)
        theta, grad = theta + t * step, trial
    for p, t in zip(params, theta.split(sizes)):
        p.data.copy_(t.view(p.shape))
    reached = float(grad.abs().max())
    _record(name, reached, grad_tol)
    return reached
