"""The workbook as a planner sees it: opened by LibreOffice Calc (a peer spreadsheet program).

Each sheet is exported to CSV "as shown" (formatted), so the cells are the text a planner
reads: codes with their leading zeros, VND with thousands separators, shares as percents, and
hostile names as the literal text, never a computed value. The expected cells come from the
run's ``priority_villages.csv`` (written by pandas, not by the XLSX writer) and the hand-made
hostile names. Skipped when ``soffice`` is not installed (Debian: ``libreoffice-calc-nogui``).
"""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import pytest
from test_hostile_names import HOSTILE, _priority

from geo_cds import schema as s
from geo_cds.labels import labels
from geo_cds.outputs.workbook import write_priority_xlsx

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="soffice (LibreOffice Calc) is not on PATH; on Debian: "
    "apt-get install libreoffice-calc-nogui")
# Comma-separated, '"'-quoted, UTF-8 (76), from line 1, en-US (1033), cells as shown (9th
# token), values not formulas (10th), every sheet (-1) into "<stem>-<sheet>.csv".
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true,false,false,-1"


def _open_in_calc(path, tmp_path) -> dict[str, pd.DataFrame]:
    """Every sheet of ``path`` as LibreOffice shows it, all cells as text ("" when empty)."""
    out = tmp_path / "csv"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", CSV_FILTER, "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stdout + done.stderr, done.stdout + done.stderr
    prefix = f"{path.stem}-"
    return {f.stem.removeprefix(prefix): pd.read_csv(f, dtype=str, keep_default_na=False)
            for f in out.glob(f"{prefix}*.csv")}


def test_sample_workbook_cells_as_calc_shows_them(sample_run, tmp_path):
    sheets = _open_in_calc(sample_run.folder / "priority_villages.xlsx", tmp_path)
    names = labels("sheet", "vi")
    assert {names["priority"], names["communes"], names["summary"]} <= set(sheets)
    shown = sheets[names["priority"]]
    want = pd.read_csv(sample_run.folder / "priority_villages.csv", dtype=str,
                       keep_default_na=False, encoding="utf-8-sig")
    assert len(shown) == len(want) > 0
    head = labels("header", "vi")
    for column in (s.PROVINCE_CODE, s.COMMUNE_CODE, s.VILLAGE_ID, s.PROVINCE_NAME,
                   s.COMMUNE_NAME, s.VILLAGE_NAME, "intervention_ids"):
        assert shown[head[column]].tolist() == want[column].tolist(), column
    assert want[s.COMMUNE_CODE].str.startswith("0").any()  # the leading-zero check bites
    assert shown[head[s.COST_VND]].tolist() == [f"{int(v):,}" for v in want[s.COST_VND]]
    assert max(map(int, want[s.COST_VND])) >= 1_000_000  # separators are shown
    # three decimals shown; the CSV holds four, so the last shown digit may round either way
    score = shown[head[s.SCORE]]
    assert score.str.fullmatch(r"[01]\.\d{3}").all()
    assert (score.astype(float) - want[s.SCORE].astype(float)).abs().max() <= 0.00051
    assert shown[head[s.RANK]].tolist() == [f"{int(v):,}" for v in want[s.RANK]]

    shares = sheets[names["data_coverage"]]
    known = shares[head["villages_known"]].str.replace(",", "").astype(int)
    total = shares[head[s.N_VILLAGES]].str.replace(",", "").astype(int)
    assert shares[head["villages_known_share"]].tolist() == [
        f"{k / n:.1%}" for k, n in zip(known, total, strict=True)]


def test_hostile_names_stay_literal_text_in_calc(tmp_path):
    path = write_priority_xlsx(tmp_path / "hostile.xlsx", _priority(HOSTILE),
                               {"note": HOSTILE[4]})
    shown = _open_in_calc(path, tmp_path)[labels("sheet", "vi")["priority"]]
    head = labels("header", "vi")
    # XML reads a CR back as LF; otherwise the very text, not "bấm vào", 2 or an error
    expected = [h.replace("\r", "\n") for h in HOSTILE]
    for column in (s.PROVINCE_NAME, s.COMMUNE_CODE, s.VILLAGE_NAME, "notes"):
        assert shown[head[column]].tolist() == expected, column
    assert shown[head[s.COST_VND]].tolist() == ["1,000,000"] * len(HOSTILE)
