"""How a run tells its caller what it is doing: the library itself stays silent.

A :data:`Progress` callable is told ``(label, None)`` when a stage starts and
``(label, seconds)`` when it ends; the label is a key of :mod:`geo_cds.labels` section
``stage`` (``"coverage"``, ``"write_map"``…), which ``geo-cds`` prints in its language as
``coverage… 3.2 s`` on stderr (nothing with ``-q``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

Progress = Callable[[str, float | None], None]


class Steps:
    """Successive parts of one stage: calling it with the next part's label ends the previous
    part and starts this one; ``steps()`` ends the last."""

    def __init__(self, progress: Progress | None):
        self.progress, self.label, self.t0 = progress, None, 0.0

    def __call__(self, label: str | None = None) -> None:
        now = time.perf_counter()
        if self.progress and self.label:
            self.progress(self.label, now - self.t0)
        self.label, self.t0 = label, now
        if self.progress and label:
            self.progress(label, None)
