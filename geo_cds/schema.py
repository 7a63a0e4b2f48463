"""Canonical column names of every layer once it is loaded.

Readers rename the user's columns to these (through the plan's column mapping and the
built-in Vietnamese/English aliases); every later stage uses only these names. Codes are
strings with their leading zeros. Geometries are in EPSG:4326 after loading.
"""

import re
import unicodedata

WGS84 = "EPSG:4326"

# Communes (polygons): one row per 2025 commune-level unit (xã / phường / đặc khu).
COMMUNE_CODE = "commune_code"  # 5-digit official code, str
COMMUNE_NAME = "commune_name"  # full name with unit type, e.g. "Xã Lân Phong"
PROVINCE_CODE = "province_code"  # 2-digit, str
PROVINCE_NAME = "province_name"  # e.g. "Quảng Ngãi"
POPULATION = "population"  # int (communes and villages)
AREA_KM2 = "area_km2"

COMMUNE_COLUMNS = {
    COMMUNE_CODE: "str",
    COMMUNE_NAME: "str",
    PROVINCE_CODE: "str",
    PROVINCE_NAME: "str",
    POPULATION: "Int64",
    AREA_KM2: "float",
}
COMMUNE_REQUIRED = (COMMUNE_CODE, COMMUNE_NAME)

# Villages (thôn / tổ dân phố): points (or polygons).
VILLAGE_ID = "village_id"  # str, unique
VILLAGE_NAME = "village_name"  # e.g. "Thôn Văn Hà"
HOUSEHOLDS = "households"  # int
HAS_POWER = "has_power"  # bool: on the national grid
DBKK = "dbkk"  # bool: in an extremely difficult (ĐBKK) commune / area
HAS_4G = "has_4g"  # bool (or NA: unknown → taken from rasters)
HAS_5G = "has_5g"  # bool (or NA)
RSRP_4G = "rsrp_4g_dbm"  # float, best 4G RSRP measured/declared at the village (optional)
RSRP_5G = "rsrp_5g_dbm"  # float (optional)
HAS_FIBRE = "has_fibre"  # bool: fibre (FTTH) reaches the village
FIBRE_HH_SHARE = "fibre_household_share"  # float 0..1: households on fibre broadband
HAS_DIGITAL_TEAM = "has_digital_team"  # bool: tổ công nghệ số cộng đồng
DOWNLOAD_MBPS = "download_mbps"  # float (optional)
GENERATED = "generated"  # bool: row comes from the generated sample, not from a survey
POPULATION_ESTIMATED = "population_estimated"  # bool, added by the reader: households × factor

VILLAGE_COLUMNS = {
    VILLAGE_ID: "str",
    VILLAGE_NAME: "str",
    COMMUNE_CODE: "str",
    POPULATION: "Int64",
    HOUSEHOLDS: "Int64",
    HAS_POWER: "boolean",
    DBKK: "boolean",
    HAS_4G: "boolean",
    HAS_5G: "boolean",
    RSRP_4G: "float",
    RSRP_5G: "float",
    HAS_FIBRE: "boolean",
    FIBRE_HH_SHARE: "float",
    HAS_DIGITAL_TEAM: "boolean",
    DOWNLOAD_MBPS: "float",
}
# A village list needs only these: a missing id is derived from the commune code and the
# name, a missing population estimated from the households (inputs/minimal.py).
VILLAGE_REQUIRED = (VILLAGE_NAME, COMMUNE_CODE)

# Industrial parks (KCN), clusters (CCN), economic zones (KKT), hi-tech parks: polygons.
PARK_ID = "park_id"
PARK_NAME = "park_name"
PARK_KIND = "kind"  # "KCN" | "CCN" | "KKT" | "KCNC"
AREA_HA = "area_ha"
TARGET_5G_YEAR = "target_5g_year"  # int

PARK_COLUMNS = {
    PARK_ID: "str",
    PARK_NAME: "str",
    PARK_KIND: "str",
    PROVINCE_CODE: "str",
    AREA_HA: "float",
    TARGET_5G_YEAR: "Int64",
}
PARK_REQUIRED = (PARK_ID, PARK_NAME, PARK_KIND)

# Cashless-payment streets and markets (tuyến phố / chợ không dùng tiền mặt): lines or points.
STREET_ID = "street_id"
STREET_NAME = "street_name"
STREET_KIND = "kind"  # "street" | "market"
MERCHANTS = "merchants"  # int
MERCHANTS_QR = "merchants_qr"  # int, ≤ merchants
LAUNCH_DATE = "launch_date"  # ISO date string
STATUS = "status"  # "active" | "pilot" | "planned"

STREET_COLUMNS = {
    STREET_ID: "str",
    STREET_NAME: "str",
    STREET_KIND: "str",
    COMMUNE_CODE: "str",
    MERCHANTS: "Int64",
    MERCHANTS_QR: "Int64",
    LAUNCH_DATE: "str",
    STATUS: "str",
}
STREET_REQUIRED = (STREET_ID, STREET_NAME, MERCHANTS, MERCHANTS_QR)

# Existing mobile sites (optional): points.
SITE_ID = "site_id"
OPERATOR = "operator"
TECHNOLOGIES = "technologies"  # e.g. "4G" or "4G,5G"
HEIGHT_M = "height_m"

SITE_COLUMNS = {SITE_ID: "str", OPERATOR: "str", TECHNOLOGIES: "str", HEIGHT_M: "float"}

# Mobile operators: key (used in column names, e.g. covered_4g_viettel) -> the name shown.
OPERATORS = {"viettel": "Viettel", "vnpt": "VNPT", "mobifone": "MobiFone",
             "vietnamobile": "Vietnamobile", "gmobile": "Gmobile", "itel": "iTel"}
# Other spellings, compared lower-case without diacritics, spaces or punctuation.
_OPERATOR_ALIASES = {
    "vietel": "viettel", "viettelgroup": "viettel", "viettelmobile": "viettel",
    "vinaphone": "vnpt", "vnptvinaphone": "vnpt",
    "mobiphone": "mobifone", "mobi": "mobifone", "vms": "mobifone",
    "vietnammobile": "vietnamobile", "vnmobile": "vietnamobile", "vnmb": "vietnamobile",
    "gtel": "gmobile", "gtelmobile": "gmobile", "beeline": "gmobile",
    "itelecom": "itel", "indochinatelecom": "itel",
}


def operator_key(name) -> str | None:
    """The operator's key (``"VNPT (Vinaphone)"``, ``"Vinaphone"`` -> ``"vnpt"``), None when
    ``name`` names no operator of :data:`OPERATORS`."""
    text = unicodedata.normalize("NFD", str(name)).replace("đ", "d").replace("Đ", "d")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    whole = re.sub(r"[^a-z0-9]", "", text)
    if whole in OPERATORS or whole in _OPERATOR_ALIASES:
        return _OPERATOR_ALIASES.get(whole, whole)
    # "VNPT (Vinaphone)", "MobiFone / VMS": every word naming the same operator
    words = {_OPERATOR_ALIASES.get(w, w) for w in re.findall(r"[a-z0-9]+", text)}
    return words.pop() if len(words) == 1 and words <= set(OPERATORS) else None
SITE_REQUIRED = (SITE_ID, TECHNOLOGIES)

# Base stations for the coverage model (``[coverage_model] stations``): points, one row per
# station (a register) or per cell (OpenCelliD: radio, mcc, net, area, cell, lon, lat, ...).
STATION_ID = "station_id"
TECHNOLOGY = "technology"  # "2g" | "3g" | "4g" | "5g" after reading (GSM/UMTS/LTE/NR, 4G, ...)
BAND_MHZ = "band_mhz"
ENVIRONMENT = "environment"  # dense_urban | urban | suburban | rural | open (path-loss class)
ENVIRONMENTS = ("dense_urban", "urban", "suburban", "rural", "open")
MCC = "mcc"
MNC = "net"  # OpenCelliD's name of the mobile network code
STATION_COLUMNS = {STATION_ID: "str", OPERATOR: "str", TECHNOLOGY: "str", BAND_MHZ: "float",
                   HEIGHT_M: "float", ENVIRONMENT: "str", MCC: "str", MNC: "str",
                   "area": "str", "cell": "str"}
STATION_REQUIRED: tuple[str, ...] = (TECHNOLOGY,)

# Fibre network (optional): nodes (points) or cables (lines).
FIBRE_ID = "fibre_id"
FIBRE_COLUMNS = {FIBRE_ID: "str"}
FIBRE_REQUIRED: tuple[str, ...] = ()

# Measured speeds (inputs/speeds.py): Ookla tiles or point tests, one row per tile or test.
SPEED_DOWNLOAD = "download_mbps"  # float, the row's average download in Mb/s
SPEED_UPLOAD = "upload_mbps"
SPEED_LATENCY = "latency_ms"
SPEED_TESTS = "tests"  # int ≥ 1: the tests the row averages
SPEED_DEVICES = "devices"  # Int64 (optional)

LAYERS = {
    "communes": (COMMUNE_COLUMNS, COMMUNE_REQUIRED),
    "villages": (VILLAGE_COLUMNS, VILLAGE_REQUIRED),
    "parks": (PARK_COLUMNS, PARK_REQUIRED),
    "streets": (STREET_COLUMNS, STREET_REQUIRED),
    "sites": (SITE_COLUMNS, SITE_REQUIRED),
    "fibre": (FIBRE_COLUMNS, FIBRE_REQUIRED),
    "stations": (STATION_COLUMNS, STATION_REQUIRED),
}

# ---------------------------------------------------------------------------------------------
# Derived columns the pipeline adds (gaps.py, coverage.py, priority.py). Maps and reports use
# exactly these names.

# Villages, after the join and the coverage stage:
COVERED_4G = "covered_4g"  # bool: attribute has_4g when known, else raster RSRP ≥ threshold
COVERED_5G = "covered_5g"
COVERAGE_SOURCE = "coverage_source"  # 4G decided on: "reported" | "modelled" | "none"
COVERAGE_SOURCE_5G = "coverage_source_5g"


# Each source of coverage kept apart (a decision column above takes them in precedence):
def covered_reported(tech: str) -> str:
    """bool/NA: the village list says so (its yes/no, else its own RSRP vs the threshold)."""
    return f"covered_{tech}_reported"


def covered_modelled(tech: str) -> str:
    """bool/NA: the coverage rasters (RF prediction, propagation model) say so."""
    return f"covered_{tech}_modelled"


# Measured speed per village and per commune (analysis/speeds.py); ``download_mbps`` of the
# village list is the *reported* speed.
DOWNLOAD_MEASURED = "download_mbps_measured"  # test-weighted mean, NaN when not measurable
UPLOAD_MEASURED = "upload_mbps_measured"
LATENCY_MEASURED = "latency_ms_measured"
SPEED_TESTS_N = "speed_tests"  # int: tests behind the figure (0: none)
SPEED_STATUS = "speed_status"  # "measured" | "too_few_tests" | "no_tests"
SPEED_SOURCE = "speed_source"  # communes: the measured speeds' name ([inputs.speeds] name)
GAP_MOBILE = "gap_mobile"  # bool: no mobile broadband (4G) — target village_mobile_broadband
GAP_FIBRE = "gap_fibre"  # bool: no fibre to the village — target village_fibre
GAP_HH_FIBRE = "gap_household_fibre"  # bool: households on fibre < target — household_fibre
GAP_DIGITAL_TEAM = "gap_digital_team"  # bool: no community digital team
NEEDS_POWER = "needs_power"  # bool: not on the grid: power first (public-telecom-fund rules)
N_GAPS = "n_gaps"  # int: number of the infrastructure gaps above (mobile, fibre, hh fibre)
GAP_STATUS = "gap_status"  # "ok" | "fibre" | "mobile" | "mobile_fibre" (for map colours)
JOIN_STATUS = "join_status"  # "ok" | "code_mismatch" (point lies in another commune than its code)

# Communes, aggregated from their villages (shares are 0..1, NaN when there are no villages):
N_VILLAGES = "n_villages"
VILLAGE_POPULATION = "village_population"
VILLAGE_HOUSEHOLDS = "village_households"
SHARE_4G = "share_villages_4g"
SHARE_5G = "share_villages_5g"
SHARE_FIBRE = "share_villages_fibre"
SHARE_HH_FIBRE = "share_households_fibre"
SHARE_DIGITAL_TEAM = "share_villages_digital_team"
COMMUNE_HAS_FIBRE = "commune_has_fibre"
HAS_SMART_VILLAGE = "has_smart_village"
N_VILLAGE_GAPS = "n_villages_with_gaps"
# …and from the rasters (coverage engine), per technology t in {"4g", "5g"}:
#   f"area_share_{t}", f"pop_share_{t}", f"mean_rsrp_{t}", f"min_rsrp_{t}", f"max_rsrp_{t}",
#   f"valid_share_{t}"  (NaN for an empty or all-nodata zone, never 0)


def area_share(tech: str) -> str:
    return f"area_share_{tech}"


def pop_share(tech: str) -> str:
    return f"pop_share_{tech}"


# Parks, after the coverage stage:
PARK_COVERED_5G = "covered_5g"  # bool: area_share_5g ≥ thresholds.park_covered_share
PARK_GAP_5G = "gap_5g"

# Streets:
QR_SHARE = "qr_share"  # merchants_qr / merchants

# Priority list (priority.py), one row per village with a gap:
INTERVENTION = "intervention"  # "fibre_extension" | "new_4g_site" | "5g_upgrade" | "power_first", ";"-joined
COST_VND = "cost_vnd"  # int VND
SCORE = "score"  # 0..1, higher first; its components are the score_* columns
RANK = "rank"  # 1 = first
CUM_COST_VND = "cumulative_cost_vnd"
IN_BUDGET = "in_budget"  # bool
