"""The files of a comparison of two runs: totals, communes and villages."""

from __future__ import annotations

from pathlib import Path

from geo_cds.outputs.write import atomic_folder, write_csv
from geo_cds.planning.compare import RunComparison


def write_comparison(cmp: RunComparison, out_dir: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``totals.csv``, ``communes.csv`` and ``villages.csv`` into a new folder, atomically.

    Parameters
    ----------
    cmp : RunComparison
        What :func:`geo_cds.planning.compare.compare_runs` returned.
    out_dir : path
        The folder to create (replaced only with ``overwrite``, and only when geo-cds made it).
    overwrite : bool
        Replace an earlier comparison folder.

    Returns
    -------
    Path
        ``out_dir``.
    """
    out_dir = Path(out_dir)
    with atomic_folder(out_dir, overwrite=overwrite) as staging:
        write_csv(cmp.totals, staging / "totals.csv")
        write_csv(cmp.communes, staging / "communes.csv")
        write_csv(cmp.villages, staging / "villages.csv")
    return out_dir
