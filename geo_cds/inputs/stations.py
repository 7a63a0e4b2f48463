"""Base-station lists for the coverage model: OpenCelliD's cell CSV or a provincial register.

Both arrive through the ordinary reader (CSV, Excel, GeoPackage, …; coordinates from
``lon``/``lat`` or "Kinh độ"/"Vĩ độ") and are then made canonical here:

* **technology** — OpenCelliD's ``radio`` (GSM, UMTS, LTE, NR) or a register's "Công nghệ"
  (``4G``, ``LTE``, ``2G/3G/4G``, ``4G, 5G``…) becomes ``2g``/``3g``/``4g``/``5g``; a row naming
  several technologies becomes one row per technology. A token nobody knows (``CDMA``) is
  dropped with a warning; a row left with none is rejected.
* **operator** — a register's "Nhà mạng" is normalised by ``schema.operator_key``
  (``Vinaphone`` → ``VNPT``, ``Mobifone`` → ``MobiFone``; another name is kept as written);
  without one, OpenCelliD's ``mcc``/``net`` name it: MCC 452 is
  Vietnam, MNC 01 MobiFone, 02 VinaPhone (VNPT), 04 Viettel, 05 Vietnamobile, 07 Gmobile
  (ITU-T E.212 assignments as listed by the public MCC/MNC tables). Another MCC, or an MNC
  not on the list, rejects the row.
* **station_id** — a register's "Mã trạm"; else OpenCelliD's ``mcc-net-area-cell``; else the
  row number.
* **height_m** — "Độ cao anten (m)"; missing heights take :data:`DEFAULT_HEIGHT_M` (a
  warning counts them); a height outside (0, 300] m rejects the row.

The same station may appear on several rows (one per cell or per technology): rows are not
checked for duplicate ids, since the model takes the best server anyway.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from geo_cds import schema as S
from geo_cds.inputs.layer import SOURCE_ROW, Layer

VIETNAM_MCC = "452"
# ITU-T E.212 mobile network codes of Vietnam (MCC 452). 03 (S-Fone) and 06/08 (EVNTelecom)
# have closed; their networks are no longer on air.
MNC_OPERATORS = {"01": "MobiFone", "02": "VNPT", "04": "Viettel", "05": "Vietnamobile",
                 "07": "Gmobile"}
TECH_TOKENS = {
    "gsm": "2g", "2g": "2g", "edge": "2g", "gprs": "2g",
    "umts": "3g", "wcdma": "3g", "3g": "3g", "hspa": "3g",
    "lte": "4g", "4g": "4g", "lte_a": "4g",
    "nr": "5g", "5g": "5g", "5g_nr": "5g", "nr5g": "5g",
}
TECHNOLOGIES = ("2g", "3g", "4g", "5g")
DEFAULT_HEIGHT_M = 30.0
MAX_HEIGHT_M = 300.0


def _key(text) -> str:
    text = unicodedata.normalize("NFC", str(text)).strip().lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def technology_tokens(value) -> tuple[list[str], list[str]]:
    """(known technologies, unknown tokens) of one cell: ``"2G/3G/4G"`` → ``["2g", "3g",
    "4g"]``; ``"LTE"`` → ``["4g"]``; ``"4G, CDMA"`` → ``["4g"], ["CDMA"]``."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value):
        return [], []
    known, unknown = [], []
    for token in re.split(r"[,;/+&]|\s+và\s+|\s+and\s+", str(value)):
        token = token.strip()
        if not token:
            continue
        tech = TECH_TOKENS.get(_key(token).replace("_", "")) or TECH_TOKENS.get(_key(token))
        if tech is None:
            unknown.append(token)
        elif tech not in known:
            known.append(tech)
    return known, unknown


def _code(value, width: int) -> str | None:
    """``4`` / ``"04"`` / ``4.0`` → ``"04"``; None when empty or not a whole number."""
    if value is None or pd.isna(value):
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.0+)?", text):
        return text.split(".")[0].zfill(width)
    return None


def normalise_stations(layer: Layer, frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical stations: one row per (station, technology); problems recorded on ``layer``.

    Returns the frame with ``station_id``, ``operator``, ``technology`` (one of
    :data:`TECHNOLOGIES`), ``band_mhz`` (NaN: the technology's default band), ``height_m`` and
    ``environment`` (empty: decided by the model), rejected rows left out.
    """
    out = frame.copy()
    for col in S.STATION_COLUMNS:
        if col not in out:
            out[col] = pd.Series(pd.NA, index=out.index, dtype="string")
    # operator: the register's name, else from MCC/MNC
    def text(v):
        return None if v is None or pd.isna(v) or not str(v).strip() else str(v).strip()

    named = [text(v) for v in out[S.OPERATOR].astype(object)]
    # a known operator under its usual name (Vinaphone → VNPT); any other name as written
    operator = pd.Series([None if v is None else S.OPERATORS.get(S.operator_key(v) or "",
                                                                 unicodedata.normalize("NFC", v))
                          for v in named], index=out.index, dtype=object)
    mcc = pd.Series([_code(v, 3) for v in out[S.MCC].astype(object)], index=out.index,
                    dtype=object)
    mnc = pd.Series([_code(v, 2) for v in out[S.MNC].astype(object)], index=out.index,
                    dtype=object)
    from_codes = pd.Series([MNC_OPERATORS.get(n) if c == VIETNAM_MCC else None
                            for c, n in zip(mcc, mnc)], index=out.index, dtype=object)
    no_name = operator.isna()
    foreign = no_name & mcc.notna() & (mcc != VIETNAM_MCC)
    layer.row_problems(out, foreign, S.MCC,
                       lambda r: f"MCC {r[S.MCC]} is not Vietnam's (452)",
                       "keep only Vietnamese cells (mcc = 452) in the list",
                       kind="MCC is not Vietnam's (452)")
    unknown_mnc = no_name & ~foreign & mnc.notna() & from_codes.isna()
    layer.row_problems(out, unknown_mnc, S.MNC,
                       lambda r: f"network code (MNC) {r[S.MNC]} names no Vietnamese operator",
                       "use 01 MobiFone, 02 VinaPhone/VNPT, 04 Viettel, 05 Vietnamobile, "
                       "07 Gmobile, or give the operator's name (Nhà mạng)",
                       kind="network code (MNC) names no Vietnamese operator")
    nothing = no_name & mnc.isna() & ~foreign
    layer.row_problems(out, nothing, S.OPERATOR, "no operator (Nhà mạng) and no mcc/net codes",
                       "give the operator's name or OpenCelliD's mcc and net columns")
    out[S.OPERATOR] = operator.where(operator.notna(), from_codes)
    # station id: the register's, else OpenCelliD's mcc-net-area-cell, else the row
    ids = [text(v) for v in out[S.STATION_ID].astype(object)]
    area = [text(v) for v in out["area"].astype(object)]
    cell = [text(v) for v in out["cell"].astype(object)]
    rows = out[SOURCE_ROW].astype(int).tolist()
    out[S.STATION_ID] = [
        i if i is not None else (f"{c3 or ''}-{n2 or ''}-{a or ''}-{c}" if c is not None
                                 else f"row-{r}")
        for i, c3, n2, a, c, r in zip(ids, mcc, mnc, area, cell, rows)]
    # heights
    height = pd.to_numeric(out[S.HEIGHT_M], errors="coerce")
    bad_height = height.notna() & ((height <= 0) | (height > MAX_HEIGHT_M))
    layer.row_problems(out, bad_height, S.HEIGHT_M,
                       lambda r: f"antenna height {r[S.HEIGHT_M]} m is not in (0, 300] m",
                       "give the antenna height above ground in metres",
                       kind="antenna height not in (0, 300] m")
    no_height = height.isna() & ~layer.already_rejected(out)
    if no_height.any():
        layer.layer_warning(
            f"{int(no_height.sum()):,} rows have no antenna height: "
            f"{DEFAULT_HEIGHT_M:.0f} m assumed", "give 'Độ cao anten (m)' / height_m",
            column=S.HEIGHT_M)
    out[S.HEIGHT_M] = height.fillna(DEFAULT_HEIGHT_M)
    band = pd.to_numeric(out[S.BAND_MHZ], errors="coerce")
    bad_band = band.notna() & ((band < 400) | (band > 6000))
    layer.row_problems(out, bad_band, S.BAND_MHZ,
                       lambda r: f"band {r[S.BAND_MHZ]} MHz is outside 400-6000 MHz",
                       "give the carrier frequency in MHz (e.g. 1800)",
                       kind="band outside 400-6000 MHz")
    out[S.BAND_MHZ] = band
    env = pd.Series([None if text(v) is None else _key(v)
                     for v in out[S.ENVIRONMENT].astype(object)], index=out.index, dtype=object)
    env = env.replace({"do_thi": "urban", "thanh_thi": "urban", "nong_thon": "rural",
                       "ngoai_o": "suburban", "mien_nui": "rural"})
    bad_env = env.notna() & ~env.isin(S.ENVIRONMENTS)
    layer.row_problems(out, bad_env, S.ENVIRONMENT,
                       lambda r: f"environment {r[S.ENVIRONMENT]!r} is not one of "
                                 f"{', '.join(S.ENVIRONMENTS)}",
                       "use dense_urban, urban, suburban, rural or open (or leave it empty)",
                       kind="unknown environment", severity="warning", changed=True)
    out[S.ENVIRONMENT] = env.where(~bad_env)
    # technologies: one row per technology
    parsed = out[S.TECHNOLOGY].astype(object).map(technology_tokens)
    techs = parsed.map(lambda p: p[0])
    junk = parsed.map(lambda p: p[1])
    none = techs.map(len) == 0
    layer.row_problems(out, none, S.TECHNOLOGY,
                       lambda r: f"technology {r[S.TECHNOLOGY]!r} is none of GSM/UMTS/LTE/NR "
                                 "(2G/3G/4G/5G)",
                       "write the technology as GSM, UMTS, LTE, NR or 2G, 3G, 4G, 5G",
                       kind="unknown technology")
    partly = ~none & (junk.map(len) > 0)
    layer.row_problems(out, partly, S.TECHNOLOGY,
                       lambda r: f"left out of {r[S.TECHNOLOGY]!r}: "
                                 f"{', '.join(junk[r.name])} (not GSM/UMTS/LTE/NR)",
                       "write the technologies as GSM, UMTS, LTE, NR or 2G, 3G, 4G, 5G",
                       severity="warning", kind="unknown technology left out")
    out[S.TECHNOLOGY] = techs
    out = out[~layer.already_rejected(out).to_numpy()]
    out = out.explode(S.TECHNOLOGY)
    out = out[out[S.TECHNOLOGY].notna()].reset_index(drop=True)
    for col in (S.STATION_ID, S.OPERATOR, S.TECHNOLOGY, S.ENVIRONMENT):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out
