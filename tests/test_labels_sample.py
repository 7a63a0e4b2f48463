"""One language per run: the sample in Vietnamese and in English, scanned for the other language.

summary.md, every text cell of the workbook and every text of the map's payload that a person
reads are searched for telltale words of the other language. Names (communes, villages,
provinces, parks, files) and official abbreviations (ĐBKK, QĐ, KCN, 4G, VND…) are not words of
a language and are left out of the scan.
"""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from map_columns_decode import decoded
from openpyxl import load_workbook

# Words that betray English in a Vietnamese run (identifiers included: they are English too).
ENGLISH = ["optimal", "greedy", "exact", "fibre_extension", "new_4g_site", "fibre_route",
           "5g_upgrade", "power_first", "villages", "communes", "parks", "streets", "sites",
           "coverage-first", "people", "Yes", "No", "Total", "budget", "fibre", "population",
           "rsrp_4g", "rsrp_5g", "time_limit", "active", "pilot", "planned", "Village",
           "Commune", "Province", "Budget", "served", "upgrade"]
# Words that betray Vietnamese in an English run.
VIETNAMESE = ["Có", "Không", "xã", "thôn", "Tổng", "Đạt", "Chưa", "cáp quang", "người", "trạm",
              "Ngân sách", "Thiếu", "tối ưu", "tham lam", "Dân số", "ưu tiên", "Thôn", "hộ"]
# Vietnamese letters; in an English run only names and these abbreviations may hold them.
VI_LETTERS = re.compile("[ăâđêôơưĂÂĐÊÔƠƯàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]")
ABBREVIATIONS = re.compile(r"ĐBKK|QĐ")

# A snake_case identifier (``villages_with_gaps``, ``new_4g_site``) is not a word for people.
IDENTIFIER = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
FILE_NAME = re.compile(r"\S+\.(?:gpkg|geojson|tif|csv|xlsx|shp|parquet)\b")
# Workbook columns holding names or codes (by header, in either language).
NAME_HEADERS = {"Tỉnh", "Tên xã", "Thôn", "Tên KCN/CCN", "Province", "Commune", "Village",
                "Park"}


def _telltales(words: list[str], texts: list[str]) -> dict[str, list[str]]:
    found = {}
    for word in words:
        pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")
        hits = [t for t in texts if pattern.search(t)]
        if hits:
            found[word] = hits[:3]
    return found


@pytest.fixture(scope="module")
def runs(sample_run):
    """The session's sample run (vi, the sample's language) and the same plan in English."""
    from geo_cds.pipeline import run

    assert sample_run.plan.lang == "vi"
    en = run(dataclasses.replace(sample_run.plan, lang="en", name="sample-en"))
    return {"vi": sample_run.folder, "en": en.folder}


def _summary_texts(folder, province_names) -> list[str]:
    text = (folder / "summary.md").read_text(encoding="utf-8")
    text = FILE_NAME.sub("", text)
    lines = []
    for line in text.splitlines():
        if line.startswith("# "):  # the title ends with the run name
            line = line.rsplit(" — ", 1)[0]
        cells = [c.strip() for c in line.split("|")]
        # a table row: province names and the instruments column (decision numbers, provinces)
        cells = [c for c in cells if c not in province_names and "QĐ" not in c]
        lines.append(" | ".join(cells))
    return lines


def _workbook_texts(folder) -> list[str]:
    wb = load_workbook(folder / "priority_villages.xlsx", read_only=True)
    texts = []
    for ws in wb.worksheets:
        texts.append(ws.title)
        rows = ws.iter_rows(values_only=True)
        header = next(rows)
        texts += [h for h in header if isinstance(h, str)]
        keep = [j for j, h in enumerate(header) if h not in NAME_HEADERS]
        for row in rows:
            texts += [row[j] for j in keep if j < len(row) and isinstance(row[j], str)]
    return texts


def _payload(folder) -> dict:
    html = (folder / "map.html").read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="geo-cds-data">(.*?)</script>', html,
                      re.S)
    return decoded(json.loads(found.group(1).replace("<\\/", "</")))


def _map_texts(p: dict) -> list[str]:
    """Every text of the payload the map shows as it is (the rest are keys into ``labels``)."""
    texts = [p["title"].rsplit(" – ", 1)[0], *p["labels"].values(), *p["generated_labels"]]
    texts += [i["label"] for i in p["indicators"].values()]
    texts += [g["label"] for g in p["gap_status"]] + [g["label"] for g in p["intervention_legend"]]
    texts += [row[0] for row in p["info"]]  # values: run name, date, file names
    texts += [r["label"] for sc in p["scales"].values() for r in sc["legend"]]
    for raster in p["rasters"]:
        texts += [raster["label"], raster.get("note", "")] + [r["label"] for r in raster["legend"]]
    for feature in (p["streets"] or {}).get("features", []):
        texts.append(feature["properties"].get("status") or "")
    return [t for t in texts if t]


def _province_names(folder) -> set[str]:
    data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return {p["province_name"] for p in data["provinces"]} | {
        f"{p['province_name']} ({p['province_code']})" for p in data["provinces"]}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_identifiers_shown_to_people(runs, lang):
    folder = runs[lang]
    texts = (_summary_texts(folder, _province_names(folder)) + _workbook_texts(folder)
             + _map_texts(_payload(folder)))
    assert [t for t in texts if IDENTIFIER.search(t)] == []


def test_vietnamese_run_has_no_english_words(runs):
    folder = runs["vi"]
    assert _telltales(ENGLISH, _summary_texts(folder, _province_names(folder))) == {}
    assert _telltales(ENGLISH, _workbook_texts(folder)) == {}
    payload = _payload(folder)
    assert payload["lang"] == "vi"
    assert _telltales(ENGLISH, _map_texts(payload)) == {}


def test_english_run_has_no_vietnamese_words(runs):
    folder = runs["en"]
    summary = _summary_texts(folder, _province_names(folder))
    workbook = _workbook_texts(folder)
    payload = _payload(folder)
    assert payload["lang"] == "en"
    for texts in (summary, workbook, _map_texts(payload)):
        assert _telltales(VIETNAMESE, texts) == {}
    # stronger: no Vietnamese letter at all outside names and official abbreviations
    assert [t for t in workbook + _map_texts(payload)
            if VI_LETTERS.search(ABBREVIATIONS.sub("", t))] == []


def test_the_scans_see_the_other_language(runs):
    # the oracles of the two tests above: each run's own words are found by the other's scan
    vi, en = runs["vi"], runs["en"]
    assert _telltales(VIETNAMESE, _workbook_texts(vi))
    assert _telltales(VIETNAMESE, _summary_texts(vi, _province_names(vi)))
    assert _telltales(VIETNAMESE, _map_texts(_payload(vi)))
    assert _telltales(ENGLISH, _workbook_texts(en))
    assert _telltales(ENGLISH, _summary_texts(en, _province_names(en)))
    assert _telltales(ENGLISH, _map_texts(_payload(en)))
