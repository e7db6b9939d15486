"""Deterministic full-batch optimisation of tabular parameters (L-BFGS with a line search)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

GRAD_TOL = 1e-10


def minimize(
    params: Sequence[torch.Tensor],
    loss_fn: Callable[[], torch.Tensor],
    max_iter: int = 3000,
    grad_tol: float = GRAD_TOL,
) -> list[float]:
    """Minimise ``loss_fn()`` over ``params`` in place until the largest gradient entry is below
    ``grad_tol`` (or L-BFGS stalls, or ``max_iter`` iterations); returns the loss per outer step.

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
        if max(float(p.grad.abs().max()) for p in params) <= grad_tol:
            break
        if len(trace) > 1 and trace[-1] >= trace[-2]:
            break  # no further progress is possible in floating point
    for p in params:
        p.requires_grad_(False)
        p.grad = None
    return trace
