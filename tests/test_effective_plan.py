"""run.json records the plan the run actually used; re-planning with it reproduces the run."""

import dataclasses
import json

import pandas as pd

from geo_cds.pipeline import replan
from geo_cds.plan import Plan, Weights, plan_from_record
from geo_cds.planning.score import resolve_weights


def test_run_json_records_the_weights_the_preset_gave(sample_run):
    plan = json.loads((sample_run.folder / "run.json").read_text(encoding="utf-8"))["plan"]
    assert plan["budget"]["preset"] == "coverage-first"
    # the coverage-first preset's weights, written out — not the unused class defaults
    assert plan["weights"] == {"people_per_vnd": 0.6, "dbkk": 0.1, "deadline": 0.1,
                               "severity": 0.2}
    summary = json.loads((sample_run.folder / "plan_summary.json").read_text(encoding="utf-8"))
    assert summary["weights"] == plan["weights"]


def test_weights_written_in_a_plan_file_are_used_even_when_equal_to_the_old_defaults():
    own = dataclasses.replace(Plan(), weights=Weights(0.4, 0.2, 0.2, 0.2))
    assert resolve_weights(own) == Weights(0.4, 0.2, 0.2, 0.2)
    assert resolve_weights(Plan()) == Weights(0.6, 0.1, 0.1, 0.2)  # no weights: the preset's
    record = plan_from_record(json.loads(json.dumps(own.to_dict())))
    assert record.weights == own.weights


def _csv(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_replanning_with_the_recorded_plan_reproduces_the_run(sample_run, tmp_path):
    out = replan(sample_run.folder, tmp_path / "again").folder
    for name in ("priority_villages.csv", "interventions.csv", "parks_5g_plan.csv"):
        pd.testing.assert_frame_equal(_csv(sample_run.folder / name), _csv(out / name),
                                      check_exact=True, obj=name)
    a = json.loads((sample_run.folder / "plan_summary.json").read_text(encoding="utf-8"))
    b = json.loads((out / "plan_summary.json").read_text(encoding="utf-8"))
    assert a == b
