"""Column names of messy tables: header keys, built-in aliases, matching to the schema.

A file's headers are compared after :func:`normalise_header` (no diacritics, lowercase, ``_``
for gaps), so "Mã xã", "MA_XA" and "ma xa" all name the commune code.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from geo_cds import schema as S


def normalise_header(name: object) -> str:
    """Header key used to compare column names: NFC, no diacritics, lowercase, ``_`` for gaps.

    ``đ`` becomes ``d``. ``"Mã xã"``, ``"MA_XA"`` and ``"ma xa"`` all give ``"ma_xa"``.

    Examples
    --------
    >>> normalise_header("  Có cáp quang ")
    'co_cap_quang'
    >>> normalise_header("Phủ sóng 4G")
    'phu_song_4g'
    """
    text = unicodedata.normalize("NFC", str(name)).strip().lower()
    text = text.replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


# Built-in aliases: canonical column -> names seen in real files (compared with
# normalise_header, so diacritics, case and separators do not matter).
ALIASES: dict[str, tuple[str, ...]] = {
    S.COMMUNE_CODE: (
        "commune_code",
        "ma_xa",
        "ma_phuong_xa",
        "ma_xa_phuong",
        "ma_dvhc_xa",
        "ma_dvhc",
        "ward_code",
        "gso_ward_code",
        "wardcode",
        "xa_code",
        "ma_don_vi_hanh_chinh",
        "commune_id",
        "code_xa",
        "maxa",
    ),
    S.COMMUNE_NAME: (
        "commune_name",
        "ten_xa",
        "ten_phuong_xa",
        "ten_xa_phuong",
        "ten_dvhc",
        "xa",
        "phuong_xa",
        "ward",
        "ward_name",
        "gso_full_name",
        "commune",
        "tenxa",
    ),
    S.PROVINCE_CODE: ("province_code", "ma_tinh", "provincecode", "matinh", "tinh_code"),
    S.PROVINCE_NAME: ("province_name", "ten_tinh", "tinh", "province", "tentinh"),
    S.POPULATION: ("population", "dan_so", "so_dan", "so_nhan_khau", "nhan_khau", "pop", "danso"),
    S.AREA_KM2: ("area_km2", "dien_tich_km2", "dien_tich", "dientich", "area"),
    S.VILLAGE_ID: (
        "village_id",
        "ma_thon",
        "ma_thon_to",
        "ma_thon_xom",
        "ma_ban",
        "id_thon",
        "thon_id",
        "ma_to_dan_pho",
        "mathon",
        "id",
    ),
    S.VILLAGE_NAME: (
        "village_name",
        "ten_thon",
        "ten_thon_to",
        "ten_thon_xom",
        "ten_ban",
        "thon",
        "thon_xom",
        "thon_to_dan_pho",
        "ten_to_dan_pho",
        "village",
        "name",
        "ten",
        "tenthon",
    ),
    S.HOUSEHOLDS: ("households", "so_ho", "ho", "so_ho_gia_dinh", "ho_gia_dinh", "soho", "hh"),
    S.HAS_POWER: (
        "has_power",
        "co_dien",
        "dien_luoi",
        "co_dien_luoi",
        "dien",
        "co_dien_luoi_quoc_gia",
        "grid_power",
        "power",
    ),
    S.DBKK: (
        "dbkk",
        "dac_biet_kho_khan",
        "thon_dbkk",
        "xa_dbkk",
        "vung_dbkk",
        "thon_dac_biet_kho_khan",
        "extremely_difficult",
    ),
    S.HAS_4G: ("has_4g", "phu_song_4g", "co_4g", "song_4g", "4g", "lte", "co_song_4g"),
    S.HAS_5G: ("has_5g", "phu_song_5g", "co_5g", "song_5g", "5g", "co_song_5g"),
    S.RSRP_4G: ("rsrp_4g_dbm", "rsrp_4g", "rsrp4g", "cuong_do_song_4g", "muc_thu_4g"),
    S.RSRP_5G: ("rsrp_5g_dbm", "rsrp_5g", "rsrp5g", "cuong_do_song_5g", "muc_thu_5g"),
    S.HAS_FIBRE: (
        "has_fibre",
        "has_fiber",
        "co_cap_quang",
        "cap_quang",
        "cap_quang_den_thon",
        "fibre",
        "fiber",
        "ftth",
        "co_ftth",
        "bang_rong_co_dinh",
    ),
    S.FIBRE_HH_SHARE: (
        "fibre_household_share",
        "fiber_household_share",
        "ty_le_ho_cap_quang",
        "ty_le_ho_dung_cap_quang",
        "ty_le_ho_co_cap_quang",
        "ty_le_ftth",
        "ty_le_cap_quang",
    ),
    S.HAS_DIGITAL_TEAM: (
        "has_digital_team",
        "to_cong_nghe_so",
        "to_cong_nghe_so_cong_dong",
        "co_to_cong_nghe_so",
        "to_cnsct",
        "to_cnscd",
        "digital_team",
        "to_cns",
    ),
    S.DOWNLOAD_MBPS: (
        "download_mbps",
        "toc_do_tai_xuong",
        "toc_do_tai",
        "toc_do",
        "download",
        "toc_do_mbps",
    ),
    S.PARK_ID: ("park_id", "ma_kcn", "ma_khu", "ma_ccn", "id"),
    S.PARK_NAME: (
        "park_name",
        "ten_kcn",
        "ten_khu",
        "ten_ccn",
        "ten_khu_cong_nghiep",
        "name",
        "ten",
    ),
    S.PARK_KIND: ("kind", "loai", "loai_khu", "type"),
    S.AREA_HA: ("area_ha", "dien_tich_ha", "dien_tich", "area"),
    S.TARGET_5G_YEAR: ("target_5g_year", "nam_muc_tieu_5g", "nam_5g", "muc_tieu_5g"),
    S.STREET_ID: ("street_id", "ma_tuyen", "ma_tuyen_pho", "ma_cho", "id"),
    S.STREET_NAME: ("street_name", "ten_tuyen", "ten_tuyen_pho", "ten_cho", "name", "ten"),
    S.MERCHANTS: ("merchants", "so_ho_kinh_doanh", "so_tieu_thuong", "tieu_thuong", "so_diem_ban"),
    S.MERCHANTS_QR: (
        "merchants_qr",
        "so_ho_qr",
        "so_ho_thanh_toan_qr",
        "qr",
        "tieu_thuong_qr",
        "so_ho_khong_dung_tien_mat",
    ),
    S.LAUNCH_DATE: ("launch_date", "ngay_ra_mat", "ngay_khai_truong", "ngay_trien_khai"),
    S.STATUS: ("status", "trang_thai", "tinh_trang"),
    S.SITE_ID: ("site_id", "ma_tram", "tram_id", "id", "cell_id"),
    S.OPERATOR: ("operator", "nha_mang", "doanh_nghiep", "nha_cung_cap"),
    S.TECHNOLOGIES: ("technologies", "cong_nghe", "technology", "tech"),
    S.HEIGHT_M: ("height_m", "chieu_cao", "do_cao", "height", "chieu_cao_cot", "do_cao_anten_m",
                 "do_cao_anten", "chieu_cao_anten_m", "chieu_cao_anten", "antenna_height_m",
                 "antenna_height"),
    S.STATION_ID: ("station_id", "ma_tram", "ten_tram", "site_id", "tram_id", "id"),
    S.TECHNOLOGY: ("technology", "cong_nghe", "radio", "technologies", "tech", "cong_nghe_vo_tuyen"),
    S.BAND_MHZ: ("band_mhz", "bang_tan_mhz", "bang_tan", "tan_so_mhz", "tan_so", "frequency_mhz",
                 "frequency", "band"),
    S.ENVIRONMENT: ("environment", "clutter", "khu_vuc", "moi_truong", "vung"),
    S.MCC: ("mcc",),
    S.MNC: ("net", "mnc", "ma_mang"),
    S.FIBRE_ID: ("fibre_id", "fiber_id", "ma_tuyen_cap", "ma_cap", "id"),
    "before_merger": ("before_merger", "truoc_sap_nhap", "don_vi_truoc_sap_nhap", "sap_nhap_tu"),
}

# Coordinate columns of a table of points (x = longitude / easting).
X_ALIASES = ("lon", "longitude", "lng", "long", "x", "kinh_do", "kinhdo", "toa_do_x", "easting")
Y_ALIASES = ("lat", "latitude", "y", "vi_do", "vido", "toa_do_y", "northing")


def match_columns(
    columns: list[str], wanted: dict[str, str], explicit: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Match a file's columns to canonical names.

    Parameters
    ----------
    columns : list of str
        The file's column names.
    wanted : dict
        Canonical column -> dtype (a ``schema.*_COLUMNS`` mapping).
    explicit : dict
        The plan's mapping canonical -> file column (wins over the aliases). A name longer than
        10 characters also matches its first 10 characters (shapefile field names).

    Returns
    -------
    rename : dict
        File column -> canonical column, for every match.
    missing_explicit : dict
        Canonical -> file column named in the plan but absent from the file.
    """
    by_key: dict[str, str] = {}
    for c in columns:
        by_key.setdefault(normalise_header(c), c)
    rename: dict[str, str] = {}
    missing: dict[str, str] = {}
    taken: set[str] = set()
    for canon, source in explicit.items():
        if source in columns:
            col = source
        else:
            # Shapefiles cut field names to 10 characters ("gso_ward_code" -> "gso_ward_c").
            col = by_key.get(normalise_header(source)) or (
                source[:10] if source[:10] in columns else None
            )
        if col is None:
            missing[canon] = source
        else:
            rename[col] = canon
            taken.add(col)
    for canon in wanted:
        if canon in explicit:
            continue
        for alias in (canon, *ALIASES.get(canon, ()), canon[:10]):
            # the last try: the canonical name cut to 10 characters by a shapefile
            col = by_key.get(normalise_header(alias))
            if col is not None and col not in taken:
                rename[col] = canon
                taken.add(col)
                break
    return rename, missing


def find_column(columns: list[str], aliases: tuple[str, ...]) -> str | None:
    """The first column whose normalised header equals one of ``aliases`` (or its first 10
    characters, as a shapefile stores it)."""
    by_key = {normalise_header(c): c for c in reversed(columns)}
    # then the names cut to 10 characters, as a shapefile stores them
    for alias in (*aliases, *(a[:10] for a in aliases if len(a) > 10)):
        if normalise_header(alias) in by_key:
            return by_key[normalise_header(alias)]
    return None


def find_header_row(raw: pd.DataFrame, columns: dict, max_rows: int = 15) -> int:
    """Index of the row (among the first ``max_rows``) naming most known columns; 0 if none."""
    keys = set()
    for canon in columns:
        keys.add(normalise_header(canon))
        keys.update(normalise_header(a) for a in ALIASES.get(canon, ()))
    keys.update(normalise_header(a) for a in X_ALIASES + Y_ALIASES)
    best, best_n = 0, 0
    for i in range(min(max_rows, len(raw))):
        n = sum(1 for v in raw.iloc[i] if isinstance(v, str) and normalise_header(v) in keys)
        if n > best_n:
            best, best_n = i, n
    return best
