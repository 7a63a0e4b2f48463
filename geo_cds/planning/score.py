"""The priority score and the named presets.

**Score.** Four components, each 0..1, combined with :class:`geo_cds.plan.Weights`
(normalised to sum 1), so every number in the list can be explained:

- ``score_people_per_vnd`` — people served per VND of the village's population share of
  the interventions it needs, as a percentile among the costed villages (1 = the best value
  for money). The share is used for scoring only: the list's ``cost_vnd`` follows the ledger
  (:mod:`geo_cds.planning.ledger`);
- ``score_dbkk`` — 1 for a village in an extremely difficult (ĐBKK) commune, the
  public-telecom-fund priority (QĐ 2269/QĐ-TTg);
- ``score_deadline`` — urgency of the earliest target year among the village's gaps:
  1 when due by the plan's reference year, falling linearly to 0 five years later;
- ``score_severity`` — the village's infrastructure gaps (4G, fibre, households on fibre)
  over 3.

Named presets (:data:`PRESETS`) give the weights; weights set in the plan file or on the
command line override them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pandas as pd

from geo_cds import schema as s
from geo_cds.errors import PlanError
from geo_cds.plan import Plan, Weights

# Score components: Weights field -> priority column.
SCORE_COMPONENTS = {
    "people_per_vnd": "score_people_per_vnd",
    "dbkk": "score_dbkk",
    "deadline": "score_deadline",
    "severity": "score_severity",
}

PRESETS: dict[str, Weights] = {
    # most people reached soonest for the money, gaps still weigh
    "coverage-first": Weights(people_per_vnd=0.6, dbkk=0.1, deadline=0.1, severity=0.2),
    # extremely difficult communes and the least served villages first (public-telecom fund)
    "equity": Weights(people_per_vnd=0.1, dbkk=0.4, deadline=0.1, severity=0.4),
    # value for money above all
    "cost-effective": Weights(people_per_vnd=0.8, dbkk=0.0, deadline=0.1, severity=0.1),
}

# What the budget maximises under each preset (``plan.budget.objective`` overrides it).
OBJECTIVES = ("people", "score", "people_min_cost")
PRESET_OBJECTIVES = {
    "coverage-first": "people",  # the most people served
    "equity": "score",  # people × score: ĐBKK and multi-gap villages weigh more
    "cost-effective": "people_min_cost",  # the most people, then the least spend
}

DEADLINE_HORIZON_YEARS = 5
# A village's population share of its interventions' cost: scoring only (not money).
SCORE_COST = "score_cost_vnd"



def resolve_weights(plan: Plan, overrides: Mapping[str, float] | None = None,
                    preset: str | None = None) -> Weights:
    """The weights a run uses.

    ``preset`` (default ``plan.budget.preset``) gives the base weights unless the plan sets
    its own ``[weights]`` (and no preset is passed explicitly); ``overrides`` (e.g. from
    ``--weight dbkk=0.5``) then replace single weights.

    Raises
    ------
    PlanError
        Unknown preset or weight name, a negative weight, or all weights zero.
    """
    name = preset or plan.budget.preset
    if name not in PRESETS:
        raise PlanError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
    base = PRESETS[name] if (preset or plan.weights is None) else plan.weights
    values = dataclasses.asdict(base)
    for key, value in (overrides or {}).items():
        if key not in values:
            raise PlanError(f"unknown weight {key!r}; known: {sorted(values)}")
        values[key] = float(value)
    if any(v < 0 for v in values.values()):
        raise PlanError(f"weights must not be negative, got {values}")
    if sum(values.values()) <= 0:
        raise PlanError(f"at least one weight must be positive, got {values}")
    return Weights(**values)


def score_villages(table: pd.DataFrame, weights: Weights, reference_year: int) -> pd.DataFrame:
    """Add the score components and the weighted score to a priority table.

    Parameters
    ----------
    table : DataFrame
        One row per village with ``population``, ``score_cost_vnd`` (its population share of
        the interventions it needs, 0 when nothing is costed), ``dbkk``, ``n_gaps`` and ``deadline_year`` (earliest target year of its gaps).
    weights : Weights
        Combined after normalising to sum 1.
    reference_year : int
        The plan's year: a target due by then is fully urgent.

    Returns
    -------
    DataFrame
        A copy with ``score_people_per_vnd``, ``score_dbkk``, ``score_deadline``,
        ``score_severity`` and ``score``, all 0..1.
    """
    out = table.copy()
    pop = pd.to_numeric(out[s.POPULATION], errors="coerce").fillna(0).astype(float)
    cost = pd.to_numeric(out[SCORE_COST], errors="coerce").fillna(0).astype(float)
    costed = cost > 0
    ppv = (pop / cost.where(costed)).where(costed)
    out["score_people_per_vnd"] = ppv.rank(pct=True, method="average").fillna(0.0)
    out["score_dbkk"] = out[s.DBKK].astype("boolean").fillna(False).astype(float)
    year = pd.to_numeric(out["deadline_year"], errors="coerce")
    urgency = 1.0 - (year - reference_year) / DEADLINE_HORIZON_YEARS
    out["score_deadline"] = urgency.clip(0.0, 1.0).fillna(0.0)
    out["score_severity"] = (pd.to_numeric(out[s.N_GAPS], errors="coerce").fillna(0) / 3.0) \
        .clip(0.0, 1.0)
    w = dataclasses.asdict(weights)
    total = sum(w.values())
    out[s.SCORE] = sum(out[col] * (w[name] / total) for name, col in SCORE_COMPONENTS.items())
    return out




def resolve_objective(plan: Plan, objective: str | None = None,
                      preset: str | None = None) -> str:
    """What the budget maximises: ``objective`` if given; else the explicitly passed
    ``preset``'s; else the plan's ``budget.objective``; else its preset's.

    Raises
    ------
    PlanError
        Unknown objective.
    """
    if objective is None:
        if preset is not None:
            objective = PRESET_OBJECTIVES[preset]
        else:
            objective = plan.budget.objective or PRESET_OBJECTIVES[plan.budget.preset]
    if objective not in OBJECTIVES:
        raise PlanError(f"objective must be one of {list(OBJECTIVES)}, got {objective!r}")
    return objective
