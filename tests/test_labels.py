"""The label catalogue: complete in both languages, the only place holding vi/en texts."""

from __future__ import annotations

import ast
import string
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo_cds import schema as s
from geo_cds.labels import LANGS, label, labels, number, sections

PACKAGE = Path(__file__).resolve().parent.parent / "geo_cds"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("section", sections())
def test_every_key_has_both_languages(section):
    vi, en = labels(section, "vi"), labels(section, "en")
    assert vi and set(vi) == set(en)
    for key in vi:
        assert isinstance(vi[key], str) and vi[key].strip(), (section, key)
        assert isinstance(en[key], str) and en[key].strip(), (section, key)
        # a template takes the same fields in both languages
        assert _fields(vi[key]) == _fields(en[key]), (section, key)
        assert unicodedata.normalize("NFC", vi[key]) == vi[key], (section, key)


def _vi_en_dicts(path: Path) -> list[int]:
    """Lines of dict literals keyed by a language code ("vi"/"en") in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Dict)
            and any(isinstance(k, ast.Constant) and k.value in LANGS for k in node.keys)]


def test_no_other_module_holds_a_vi_en_table():
    found = {str(p.relative_to(PACKAGE)): lines for p in PACKAGE.rglob("*.py")
             if "labels" not in p.relative_to(PACKAGE).parts[:1]
             and (lines := _vi_en_dicts(p))}
    assert found == {}


def test_the_scan_finds_a_table(tmp_path):
    # the oracle of the test above: a module with a vi/en dict is found
    module = tmp_path / "m.py"
    module.write_text('X = 1\nNAMES = {"vi": {"a": "b"}, "en": {"a": "c"}}\n', encoding="utf-8")
    assert _vi_en_dicts(module) == [2]


def test_unknown_key_is_shown_as_it_is_and_unknown_lang_refused():
    assert label("layer", "ndvi_2024", "vi") == "ndvi_2024"  # a raster the plan names itself
    assert label("note", "no_fibre", "en", km=20) == (
        "fibre not feasible: new segment > 20 km or no network to extend "
        "(consider microwave/satellite)")
    with pytest.raises(ValueError, match="lang"):
        labels("map", "fr")
    with pytest.raises(ValueError, match="section"):
        labels("nothing", "vi")


@pytest.mark.parametrize(("x", "lang", "digits", "text"), [
    (1234567, "vi", 0, "1.234.567"), (1234567, "en", 0, "1,234,567"),
    (1234.56, "vi", 1, "1.234,6"), (1234.56, "en", 1, "1,234.6"),
    (0.5, "vi", 1, "0,5"), (-2600000000, "vi", 0, "-2.600.000.000"),
])
def test_numbers_the_way_each_language_writes_them(x, lang, digits, text):
    assert number(x, lang, digits) == text


@given(st.floats(-1e15, 1e15), st.integers(0, 3))
def test_vi_and_en_numbers_differ_only_in_the_separators(x, digits):
    vi, en = number(x, "vi", digits), number(x, "en", digits)
    assert vi.translate(str.maketrans(".,", ",.")) == en
    assert float(en.replace(",", "")) == pytest.approx(round(x, digits), abs=10 ** -digits)


def test_identifiers_shown_to_people_have_labels():
    """Every identifier the outputs show through the catalogue has an entry in it."""
    from geo_cds.plan import DEFAULT_TARGETS
    from geo_cds.planning import interventions as iv
    from geo_cds.planning.ledger import commune_subtotals
    from geo_cds.planning.parks import PARK_COLUMNS
    from geo_cds.planning.priority import PRIORITY_COLUMNS
    from geo_cds.planning.score import PRESETS

    subtotal_columns = commune_subtotals(pd.DataFrame(
        {c: pd.Series([], dtype=object) for c in PRIORITY_COLUMNS})).columns
    for lang in LANGS:
        assert set(PRESETS) <= set(labels("preset", lang))
        assert set(iv.KINDS) == set(labels("kind_count", lang))
        assert set(iv.KINDS) <= set(labels("plan_summary", lang))
        assert {f"int_{k}" for k in iv.KINDS} <= set(labels("map", lang))
        needs = {iv.FIBRE_EXTENSION, iv.NEW_4G_SITE, iv.UPGRADE_5G, iv.POWER_FIRST}
        assert needs <= set(labels("intervention", lang))
        assert {f"int_{k}" for k in needs} <= set(labels("map", lang))
        assert {s.GAP_MOBILE, s.GAP_FIBRE, s.GAP_HH_FIBRE} == set(labels("gap", lang))
        assert set(PRIORITY_COLUMNS) <= set(labels("header", lang))
        assert set(PARK_COLUMNS) <= set(labels("header", lang))
        assert set(subtotal_columns) <= set(labels("header", lang))
        assert {t.id for t in DEFAULT_TARGETS} == set(labels("target", lang))
    for t in DEFAULT_TARGETS:
        assert (t.indicator, t.indicator_en) == (label("target", t.id, "vi"),
                                                 label("target", t.id, "en"))


def test_progress_lines_in_the_language_asked(capsys):
    from geo_cds.analysis.coverage.prepare import ANNOUNCEMENT
    from geo_cds.cli.options import stage_progress

    vi, en = stage_progress("vi"), stage_progress("en")
    vi("load", None)
    vi("load", 3.5)
    en(ANNOUNCEMENT, None)
    en(ANNOUNCEMENT, 14.25)
    assert capsys.readouterr().err == (
        "đọc dữ liệu… 3,5 s\n"
        "preparing the coverage engine (one-time, ~15 s)… 14.2 s\n")


def test_every_stage_the_pipeline_announces_has_a_name():
    from geo_cds.analysis.coverage.prepare import ANNOUNCEMENT

    announced = {ANNOUNCEMENT}
    for path in (PACKAGE / "pipeline").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("steps", "_timed"):
                announced |= {a.value for a in node.args
                              if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    assert {"load", "coverage", "write_map"} <= announced  # the scan sees the pipeline's calls
    for lang in LANGS:
        assert announced <= set(labels("stage", lang))
