"""summary.md as a planner reads it: one status per target, shortfalls with their unit."""

from geo_cds.outputs.summary import summary_markdown


def _target(tid, value, threshold, year, status, short, unit, kind="share"):
    return {"province_code": "all", "province_name": "Tổng", "target_id": tid,
            "indicator": tid, "indicator_en": tid, "value": value, "threshold": threshold,
            "year": year, "status": status, "shortfall": short, "shortfall_unit": unit,
            "base_units": 10, "instrument": "QĐ", "unit": kind}


DATA = {
    "run": "t", "date": "2025-07-01", "generated_layers": [],
    "provinces": [{"province_code": "44", "province_name": "Quảng Trị", "communes": 2,
                   "villages": 0, "population": None}],
    "targets": [
        _target("download_4g", 56.1, 40.0, 2025, "met", 0.0, "Mb/s", "Mb/s"),
        _target("population_5g", 0.37, 0.99, 2030, "not due yet", 4741143.0, "people"),
        _target("village_fibre", 0.958, 1.0, 2025, "not met", 222.0, "villages"),
        _target("commune_fibre", None, 1.0, 2025, "not measurable", None, "communes"),
    ],
    "accounting": [], "investment": None, "checks": [],
}


def _rows(md: str) -> dict[str, str]:
    return {line.split(" | ")[1]: line for line in md.splitlines()
            if line.startswith("| ") and " | " in line and line.count("|") > 8}


def test_statuses_and_shortfalls_in_english():
    rows = _rows(summary_markdown(DATA, "en"))
    assert "| met | – |" in rows["download_4g"]  # met: short by nothing, not "364"
    assert "| not due yet | 4,741,143 people |" in rows["population_5g"]
    assert "| not met | 222 villages |" in rows["village_fibre"]
    assert "| – | 100.0% | 2025 | not measurable | – |" in rows["commune_fibre"]


def test_statuses_and_shortfalls_in_vietnamese():
    md = summary_markdown(DATA, "vi")
    rows = _rows(md)
    assert "| Đạt | – |" in rows["download_4g"]
    assert "| Chưa đến hạn | 4.741.143 người |" in rows["population_5g"]
    assert "| Chưa đạt | 222 thôn |" in rows["village_fibre"]
    assert "| Không đủ dữ liệu | – |" in rows["commune_fibre"]
    # a province without village rows: no population figure, not 0
    assert "| Quảng Trị (44) | 2 | 0 | – |" in md
