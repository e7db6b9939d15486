"""The process group: one process, or several under ``accelerate launch``.

``accelerate`` sets up CPU data parallelism (gloo) only if asked for the CPU when its state is
first created, so every part of pftlib gets the state from here.
"""

from __future__ import annotations

import torch
from accelerate import PartialState


def state() -> PartialState:
    return PartialState(cpu=not torch.cuda.is_available())
