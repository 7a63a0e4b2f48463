"""Run reports: ``summary.md`` / ``summary.json`` (figures against the targets) and the
``run.json`` manifest (inputs with checksums, the effective plan, versions, timings)."""

from __future__ import annotations

import hashlib
import platform
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

LABELS = {
    "vi": {
        "title": "Kết quả rà soát hạ tầng số",
        "run": "Lượt chạy", "date": "Ngày chạy", "generated": "Dữ liệu mẫu được tạo tự động (không phải số liệu điều tra)",
        "targets": "So với chỉ tiêu", "province": "Tỉnh", "indicator": "Chỉ tiêu",
        "value": "Hiện trạng", "threshold": "Mục tiêu", "year": "Năm", "met": "Đạt",
        "short": "Còn thiếu", "instrument": "Văn bản", "yes": "Đạt", "no": "Chưa đạt",
        "overview": "Tổng quan", "communes": "Số xã/phường", "villages": "Số thôn/tổ dân phố",
        "population": "Dân số", "accounting": "Kiểm đếm dữ liệu đầu vào", "layer": "Lớp",
        "file": "Tệp", "read": "Đọc", "used": "Dùng", "repaired": "Đã sửa", "rejected": "Loại",
        "investment": "Kế hoạch đầu tư", "all": "Tổng",
    },
    "en": {
        "title": "Digital-infrastructure gap review",
        "run": "Run", "date": "Run date", "generated": "Generated sample data (not survey data)",
        "targets": "Against the targets", "province": "Province", "indicator": "Indicator",
        "value": "Now", "threshold": "Target", "year": "Year", "met": "Met",
        "short": "Short by", "instrument": "Instrument", "yes": "met", "no": "not met",
        "overview": "Overview", "communes": "Communes", "villages": "Villages",
        "population": "Population", "accounting": "Input rows accounted for", "layer": "Layer",
        "file": "File", "read": "Read", "used": "Used", "repaired": "Repaired",
        "rejected": "Rejected", "investment": "Investment plan", "all": "All",
    },
}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for pkg in ("geo-cds", "geopandas", "shapely", "pandas", "numpy", "pyogrio", "pyproj",
                "rasterio", "folium", "openpyxl", "scipy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    try:
        import pyogrio
        import pyproj
        import rasterio

        out["gdal"] = rasterio.__gdal_version__
        out["gdal (pyogrio)"] = pyogrio.__gdal_version_string__
        out["proj"] = pyproj.proj_version_str
    except Exception:  # versions are informative; never fail a run over them
        pass
    return out


def manifest(*, plan, files: dict[str, Path], generated: set[str], timings: dict[str, float],
             started: str, finished: str) -> dict:
    inputs = []
    for name, path in files.items():
        path = Path(path)
        for part in _companions(path):
            inputs.append({"input": name, "path": str(part), "bytes": part.stat().st_size,
                           "sha256": sha256(part), "generated": name in generated})
    return {"started": started, "finished": finished, "inputs": inputs,
            "plan": plan.to_dict(), "versions": versions(),
            "timings_s": {k: round(v, 3) for k, v in timings.items()},
            "command": sys.argv}


def _companions(path: Path) -> list[Path]:
    """A shapefile is several files; each is checksummed."""
    if path.suffix.lower() == ".shp":
        return sorted(p for p in path.parent.glob(path.stem + ".*") if p.is_file())
    return [path] if path.is_file() else []


def summary(*, name: str, date: str, communes: pd.DataFrame, villages: pd.DataFrame,
            targets: pd.DataFrame, accounting: pd.DataFrame, investment: dict | None,
            generated: list[str]) -> dict:
    provinces = []
    for code, g in communes.groupby("province_code"):
        provinces.append({
            "province_code": code, "province_name": g["province_name"].iloc[0],
            "communes": int(len(g)), "villages": int(g["n_villages"].sum()),
            "population": int(g["village_population"].sum()),
        })
    return {
        "run": name, "date": date, "generated_layers": generated,
        "communes": int(len(communes)), "villages": int(len(villages)),
        "population": int(pd.to_numeric(villages["population"]).sum()),
        "provinces": provinces,
        "targets": targets.replace({np.nan: None}).to_dict(orient="records"),
        "accounting": accounting.to_dict(orient="records"),
        "investment": investment,
    }


def _pct(x, lang: str) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    text = f"{100 * x:.1f}%"
    return text.replace(".", ",") if lang == "vi" else text


def _int(x, lang: str) -> str:
    """Thousands separated the way each language writes them (vi: 1.234.567; en: 1,234,567)."""
    text = f"{int(x):,}"
    return text.replace(",", ".") if lang == "vi" else text


def summary_markdown(data: dict, lang: str = "vi") -> str:
    L = LABELS[lang]
    lines = [f"# {L['title']} — {data['run']}", "", f"{L['date']}: {data['date']}", ""]
    if data["generated_layers"]:
        lines += [f"> **{L['generated']}**: {', '.join(data['generated_layers'])}", ""]
    lines += [f"## {L['overview']}", "",
              f"| {L['province']} | {L['communes']} | {L['villages']} | {L['population']} |",
              "| --- | ---: | ---: | ---: |"]
    for p in data["provinces"]:
        lines.append(f"| {p['province_name']} ({p['province_code']}) | {p['communes']} | "
                     f"{_int(p['villages'], lang)} | {_int(p['population'], lang)} |")
    lines += ["", f"## {L['targets']}", "",
              f"| {L['province']} | {L['indicator']} | {L['value']} | {L['threshold']} | "
              f"{L['year']} | {L['met']} | {L['short']} | {L['instrument']} |",
              "| --- | --- | ---: | ---: | ---: | --- | ---: | --- |"]
    label = "indicator" if lang == "vi" else "indicator_en"
    for t in data["targets"]:
        prov = L["all"] if t["province_code"] == "all" else t["province_name"]
        met = "–" if t["met"] is None else (L["yes"] if t["met"] else L["no"])
        short = "–" if t["shortfall_units"] is None else _int(t["shortfall_units"], lang)
        lines.append(f"| {prov} | {t[label]} | {_pct(t['value'], lang)} | {_pct(t['threshold'], lang)} | "
                     f"{t['year']} | {met} | {short} | {t['instrument']} |")
    lines += ["", f"## {L['accounting']}", "",
              f"| {L['layer']} | {L['file']} | {L['read']} | {L['used']} | {L['repaired']} | "
              f"{L['rejected']} |", "| --- | --- | ---: | ---: | ---: | ---: |"]
    for a in data["accounting"]:
        lines.append(f"| {a['layer']} | {Path(a['file']).name} | {a['rows_read']} | {a['used']} | "
                     f"{a['repaired']} | {a['rejected']} |")
    inv = data.get("investment")
    if inv:
        lines += ["", f"## {L['investment']}", ""]
        for k, v in inv.items():
            if isinstance(v, (int, float, str, bool)) or v is None:
                if isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) >= 1000:
                    v = f"{v:,.0f}".replace(",", ".")
                lines.append(f"- {k}: {v}")
    return "\n".join(lines) + "\n"
