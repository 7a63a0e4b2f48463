"""Real-geography context of the seed communes: which old province and whether mountain.

The calibration figures of the sample are published per *old* (pre-2025) province (old Quảng
Ngãi, old Bắc Giang, …) and the contrast that matters is lowland versus the mountain districts.
Both come from the official old→new commune table, reduced once by :func:`build_seed_context`
to ``seed_communes.csv`` (committed next to this module, so generating the sample needs no data
outside the repository).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED_CONTEXT_CSV = Path(__file__).with_name("seed_communes.csv")

# Mountain districts (huyện miền núi / vùng cao) of the old provinces in the seed area. Kon Tum
# (62) lies wholly in the Central Highlands. Bắc Giang's highland east is Sơn Động and Lục Ngạn
# (Thị xã Chũ was carved out of Lục Ngạn in 2025).
MOUNTAIN_DISTRICTS = {
    "51": {"Huyện Ba Tơ", "Huyện Minh Long", "Huyện Sơn Hà", "Huyện Sơn Tây", "Huyện Trà Bồng"},
    "45": {"Huyện Hướng Hóa", "Huyện Đa Krông"},
    "44": {"Huyện Minh Hóa", "Huyện Tuyên Hóa"},
    "24": {"Huyện Sơn Động", "Huyện Lục Ngạn", "Thị xã Chũ"},
}
# Quảng Bình and Quảng Trị also have remote communes in the west of lowland districts (Trường
# Sơn range: Thượng Trạch, Trường Sơn, Kim Thủy, …): low density there marks them.
WEST_DENSITY_MAX = {"44": 60.0, "45": 60.0}

OLD_PROVINCE_NAMES = {
    "51": "Quảng Ngãi (cũ)",
    "62": "Kon Tum (cũ)",
    "45": "Quảng Trị (cũ)",
    "44": "Quảng Bình (cũ)",
    "24": "Bắc Giang (cũ)",
    "27": "Bắc Ninh (cũ)",
}

# Calibration per old (pre-2025) province; sources in DESIGN.md ("Seed figures"). Where the
# reports give no figure, the value is an assumption chosen so the mountain areas stand out.
# Mobile: old Quảng Ngãi reports 100% of villages, and so does the sample; its western
# mountain districts stand out by fibre and household uptake, Kon Tum's and western Quảng
# Trị's by mobile coverage too.
FIBRE_TARGETS = {"51": 0.973, "24": 0.99, "27": 0.995, "62": 0.86, "45": 0.94, "44": 0.95}
MOBILE_TARGETS = {"51": 1.0, "24": 0.995, "27": 1.0, "62": 0.90, "45": 0.94, "44": 0.96}
TEAM_TARGETS = {"51": 0.88, "24": 0.95, "27": 0.92, "62": 0.85, "45": 0.90, "44": 0.90}


def build_seed_context(communes: pd.DataFrame, crosswalk_csv: str | Path,
                       units_pre2025_csv: str | Path) -> pd.DataFrame:
    """Derive old province and mountain flag for each 2025 commune.

    Parameters
    ----------
    communes : DataFrame
        2025 communes with ``commune_code``, ``population`` and ``area_km2``.
    crosswalk_csv, units_pre2025_csv : path
        ``old_to_new_communes_2025.csv`` and ``units_pre2025.csv`` of the reference data.

    Returns
    -------
    DataFrame
        ``commune_code``, ``old_province_code`` (the old province most of its old communes came
        from) and ``mountain`` (bool: most of its old communes lay in a mountain district, or it
        is a sparsely populated commune in the west of old Quảng Bình / Quảng Trị).
    """
    x = pd.read_csv(crosswalk_csv, dtype=str)
    units = pd.read_csv(units_pre2025_csv, dtype=str)
    pre = units[["wardCode", "district"]]
    x = x.merge(pre, left_on="old_ward_code", right_on="wardCode", how="left")
    x = x[x["new_ward_code"].isin(communes["commune_code"])]
    in_mountain_district = [
        d in MOUNTAIN_DISTRICTS.get(p, set()) or p == "62"
        for p, d in zip(x["old_province_code"], x["district"])
    ]
    x = x.assign(m=in_mountain_district)
    old_prov = x.groupby("new_ward_code")["old_province_code"].agg(lambda s: s.mode().iloc[0])
    share = x.groupby("new_ward_code")["m"].mean()
    out = communes[["commune_code", "population", "area_km2"]].copy()
    out["old_province_code"] = out["commune_code"].map(old_prov)
    # A few new codes (Đặc khu Cồn Cỏ, Lý Sơn, three Từ Sơn wards, …) are in no crosswalk row:
    # codes are allotted in blocks per province, so the nearest old code gives the province.
    missing = out["old_province_code"].isna()
    if missing.any():
        old = units.dropna(subset=["wardCode", "provinceCode"])
        old = old[old["provinceCode"].isin(x["old_province_code"])].sort_values("wardCode")
        old_num = old["wardCode"].astype(int).to_numpy()
        want = out.loc[missing, "commune_code"].astype(int).to_numpy()
        pos = np.clip(np.searchsorted(old_num, want), 1, len(old_num) - 1)
        nearer = np.where(want - old_num[pos - 1] <= old_num[pos] - want, pos - 1, pos)
        out.loc[missing, "old_province_code"] = old["provinceCode"].to_numpy()[nearer]
    out["old_province_code"] = out["old_province_code"].astype(str)
    density = out["population"].astype(float) / out["area_km2"].astype(float)
    west = out["old_province_code"].map(WEST_DENSITY_MAX).astype(float)
    out["mountain"] = (out["commune_code"].map(share).fillna(0.0) >= 0.5) | (density < west)
    return out[["commune_code", "old_province_code", "mountain"]].reset_index(drop=True)


def load_seed_context() -> pd.DataFrame:
    """The committed context table of the 273 seed communes (see :func:`build_seed_context`)."""
    ctx = pd.read_csv(SEED_CONTEXT_CSV, dtype={"commune_code": str, "old_province_code": str})
    ctx["mountain"] = ctx["mountain"].astype(bool)
    return ctx
