"""The coverage model's kernels are compiled ahead of a first use and said to be ready."""

from __future__ import annotations

from geo_cds.analysis.radio import _kernels, prepare


def test_prepare_leaves_every_entry_kernel_cached():
    prepare.prepare()
    assert prepare.is_ready()
    assert prepare.ensure_ready() is None  # nothing to announce once cached
    # every kernel that Python calls is checked
    from numba.core.registry import CPUDispatcher

    called = {n for n, f in vars(_kernels).items() if isinstance(f, CPUDispatcher)
              and not n.startswith("_") and n not in ("knife_edge_db", "profile_loss_db")}
    assert called == set(prepare.ENTRY_KERNELS)
