"""The files of an investment plan: priority list, interventions, parks' 5G, plan summary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo_cds import schema as s
from geo_cds.outputs.workbook import write_priority_xlsx
from geo_cds.outputs.write import write_csv, write_gpkg, write_json
from geo_cds.planning.priority import SCORE_COMPONENTS, InvestmentPlan


def write_investment_outputs(folder: Path, inv: InvestmentPlan, *, lang: str = "vi",
                             sweep: pd.DataFrame | None = None,
                             data_coverage: pd.DataFrame | None = None) -> list[Path]:
    """Write an investment plan's files into ``folder``.

    Parameters
    ----------
    folder : Path
        A staging folder from :func:`geo_cds.outputs.write.atomic_folder` (the files are
        written in place: the folder is what makes them appear at once).
    inv : InvestmentPlan
        What :func:`geo_cds.planning.priority.plan_investments` returned.
    lang : {"vi", "en"}
        Language of the workbook.
    sweep : DataFrame, optional
        A budget sweep (:meth:`InvestmentPlan.sweep`), written as ``budget_sweep.csv``.
    data_coverage : DataFrame, optional
        The data behind each share (:func:`geo_cds.analysis.datacov.data_coverage`), a sheet
        of the workbook.

    Returns
    -------
    list of Path
        ``priority_villages.csv/.xlsx``, ``interventions.csv`` (and ``.gpkg`` when there are
        interventions), ``parks_5g_plan.csv``, ``plan_summary.json`` (and ``budget_sweep.csv``).
    """
    folder = Path(folder)
    # scores to 4 decimals for reading; the ranking was made with the exact values
    scores = [s.SCORE, *SCORE_COMPONENTS.values()]
    priority = inv.priority.assign(**{c: inv.priority[c].round(4) for c in scores
                                      if c in inv.priority})  # no copy of the other columns
    out = [
        write_csv(priority, folder / "priority_villages.csv"),
        write_priority_xlsx(folder / "priority_villages.xlsx", priority, inv.summary,
                            lang=lang, parks=inv.parks, data_coverage=data_coverage),
        write_csv(inv.interventions, folder / "interventions.csv"),
        write_csv(inv.parks, folder / "parks_5g_plan.csv"),
        write_json(inv.summary, folder / "plan_summary.json"),
    ]
    if len(inv.interventions):
        out.append(write_gpkg(inv.interventions, folder / "interventions.gpkg", "interventions",
                              lang))
    if sweep is not None:
        out.append(write_csv(sweep, folder / "budget_sweep.csv"))
    return out
