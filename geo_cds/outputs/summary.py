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

from geo_cds.checks import Check
from geo_cds.labels import label, labels


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


def input_files(files: dict[str, Path], generated: set[str]) -> list[dict]:
    """Each input file (each part of a shapefile) with its size and SHA-256, for the manifest."""
    inputs = []
    for name, path in files.items():
        path = Path(path)
        for part in _companions(path):
            inputs.append({"input": name, "path": str(part), "bytes": part.stat().st_size,
                           "sha256": sha256(part), "generated": name in generated})
    return inputs


def manifest(*, plan, inputs: list[dict], timings: dict[str, float], started: str,
             finished: str, checks=()) -> dict:
    """``run.json``: the inputs (:func:`input_files`), the effective plan, the versions, the
    timings, the checks and the command."""
    return {"started": started, "finished": finished, "inputs": inputs,
            "plan": plan.to_dict(), "versions": versions(),
            "timings_s": {k: round(v, 3) for k, v in timings.items()},
            "checks": [c.to_dict() for c in checks],
            "command": sys.argv}


def _companions(path: Path) -> list[Path]:
    """A shapefile is several files; each is checksummed."""
    if path.suffix.lower() == ".shp":
        return sorted(p for p in path.parent.glob(path.stem + ".*") if p.is_file())
    return [path] if path.is_file() else []


def summary(*, name: str, date: str, communes: pd.DataFrame, villages: pd.DataFrame,
            targets: pd.DataFrame, accounting: pd.DataFrame, investment: dict | None,
            generated: list[str], checks=(), reading: dict | None = None,
            sources: dict | None = None,
            data_coverage: pd.DataFrame | None = None,
            min_known_share: float | None = None,
            operators: dict | None = None) -> dict:
    """The content of ``summary.json`` (and of ``summary.md``, :func:`summary_markdown`).

    ``data_coverage`` (:func:`geo_cds.analysis.datacov.data_coverage`) adds, per province and
    for all of them, how many villages and people each share rests on (its commune rows are
    left to the communes table), judged against ``min_known_share``.
    """
    provinces = []
    for code, g in communes.groupby("province_code"):
        provinces.append({
            "province_code": code, "province_name": g["province_name"].iloc[0],
            "communes": int(len(g)), "villages": int(g["n_villages"].sum()),
            # population from the village rows: none in the province is no data, not 0
            "population": int(g["village_population"].sum()) if g["n_villages"].sum() else None,
        })
    return {
        "run": name, "date": date, "generated_layers": generated,
        "communes": int(len(communes)), "villages": int(len(villages)),
        "population": int(pd.to_numeric(villages["population"]).sum()),
        "provinces": provinces,
        "targets": targets.replace({np.nan: None}).to_dict(orient="records"),
        "accounting": accounting.to_dict(orient="records"),
        "investment": investment,
        "checks": [c.to_dict() for c in checks],
        "reading": reading,
        "sources": sources,
        "min_known_share": min_known_share,
        "data_coverage": None if data_coverage is None else clean_records(
            data_coverage[data_coverage["scope"] != "commune"]
            .drop(columns=["commune_code", "commune_name"])),
        "operators": operators,
    }


def clean_records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: missing values (NaN, NA) as None, numpy scalars as Python."""
    out = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    return [{k: v.item() if isinstance(v, np.generic) else v for k, v in r.items()}
            for r in out]


def _pct(x, lang: str) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    text = f"{100 * x:.1f}%"
    return text.replace(".", ",") if lang == "vi" else text


def _speed(x, lang: str) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    text = f"{x:.1f} Mb/s"
    return text.replace(".", ",") if lang == "vi" else text


def _int(x, lang: str) -> str:
    """Thousands separated the way each language writes them (vi: 1.234.567; en: 1,234,567)."""
    text = f"{int(x):,}"
    return text.replace(",", ".") if lang == "vi" else text



def _vnd(x, lang: str) -> str:
    return f"{_int(round(x), lang)} VND"


def _investment_lines(inv: dict, lang: str) -> list[str]:
    T = labels("investment", lang)
    kind_names = labels("kind_count", lang)
    budget = inv.get("budget_vnd")
    kinds = lambda counts, costs: "; ".join(  # noqa: E731
        f"{counts.get(k, 0)} {name} ({_vnd(costs.get(k, 0), lang)})"
        for k, name in kind_names.items())
    preset = label("preset", inv.get("preset"), lang)
    method = label("method", inv.get("method"), lang)
    lines = [
        f"- {T['budget']}: {_vnd(budget, lang) if budget is not None else T['none']}; "
        f"{T['preset']}: {preset}; {T['method']}: {method}",
        f"- {T['gaps']}: {_int(inv['villages_with_gaps'], lang)} ({T['costed']}: "
        f"{_int(inv['villages_costed'], lang)}; {T['power']}: {_int(inv['villages_power_first'], lang)}"
        + (f"; {T['cost_missing']}: {_int(inv['villages_cost_missing'], lang)}"
           if inv.get("villages_cost_missing") else "") + ")",
        f"- {T['all']}: {_vnd(inv['total_cost_vnd'], lang)} — "
        f"{kinds(inv['count_by_kind'], inv['cost_by_kind_vnd'])}; "
        f"{_int(inv['people_newly_served_all'], lang)} {T['people']}",
    ]
    within = inv.get("in_budget")
    if within:
        lines.append(
            f"- {T['in']}: {_vnd(within['cost_vnd'], lang)} — {_int(within['villages_served'], lang)} "
            f"{T['villages']}, {_int(within['people_served'], lang)} {T['people']}; "
            f"{kinds(within['count_by_kind'], within['cost_by_kind_vnd'])}")
    parks = inv.get("parks_5g")
    if parks:
        lines.append(
            f"- {T['parks']}: {parks['parks_with_gap']} — {_vnd(parks['cost_vnd'], lang)} "
            f"({parks.get('sites_upgraded', 0)} {T['upgraded']}, {parks.get('new_sites', 0)} "
            f"{T['new']}); {T['funded']}: {_vnd(parks['funded_cost_vnd'], lang)}")
        if parks.get("large_zones"):
            lines.append(f"  - {T['large']}: {', '.join(parks['large_zones'])}")
    gap = inv.get("exact_vs_greedy")
    if gap:
        lines.append(f"- {T['gap']}: {_int(gap['people_exact'], lang)} / "
                     f"{_int(gap['people_greedy'], lang)} "
                     f"({label('solver_status', gap['exact_status'], lang)})")
    return lines


def _reading_lines(reading: dict, lang: str) -> list[str]:
    """How the inputs were read: each yes/no column's blanks, estimated or unknown population,
    villages without a location (see geo_cds.pipeline.folders.input_reading)."""
    L = labels("reading", lang)
    lines = [f"## {L['title']}", ""]
    if reading.get("yes_no"):
        lines += [f"| {L['layer']} | {L['column']} | {L['file_column']} | {L['blank']} | "
                  f"{L['blanks']} | {L['how']} |", "| --- | --- | --- | --- | ---: | --- |"]
        names = labels("yes_no_column", lang)
        for r in reading["yes_no"]:
            # the file's own header, when it is not the canonical name (a sample layer's is)
            own = r["file_column"] if r["file_column"] != r["column"] else "–"
            lines.append(f"| {label('layer', r['layer'], lang)} | "
                         f"{names.get(r['column'], r['column'])} | {own} | {L[r['blank_reads']]} | "
                         f"{_int(r['blanks'], lang)} | {L[r['decided_by']]} |")
        lines.append("")
    facts = reading.get("villages") or {}
    if facts.get("population_estimated"):
        lines.append("- " + L["estimated"].format(factor=facts["people_per_household"],
                                                  n=_int(facts["population_estimated"], lang)))
    if facts.get("population_unknown"):
        lines.append("- " + L["unknown_pop"].format(n=_int(facts["population_unknown"], lang)))
    if facts.get("without_location"):
        lines.append("- " + L["no_location"].format(
            n=_int(facts["without_location"], lang),
            cost=_int(facts["cost_needs_location"], lang)))
    return lines


def _source_lines(sources: dict, lang: str) -> list[str]:
    """Which source each kind of figure rests on, and where the sources disagree."""
    L = labels("sources", lang)
    lines = [f"## {L['title']}", "", L["rule"], ""]
    sp = sources.get("speeds")
    if sp:
        name = sp["name"] + (f" ({L['generated']})" if sp["generated"]
                             else "")
        lines.append("- " + L["speeds"].format(
            name=name, rows=_int(sp["rows"], lang), tests=_int(sp["tests"], lang),
            outside=_int(sp["tests_outside_communes"], lang), radius=_int(sp["radius_m"], lang),
            min_tests=_int(sp["min_tests"], lang)))
        if not sp["mobile"]:
            lines.append("- " + L["fixed"])
    else:
        lines.append("- " + L["no_speeds"])
    lines += ["", f"### {L['disagree']}", "",
              f"| {L['technology']} | {L['both_known']} | {L['reported_only']} | "
              f"{L['modelled_only']} | {L['yes_no']} | {L['no_yes']} |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in sources.get("coverage", []):
        lines.append(f"| {r['technology'].upper()} | " + " | ".join(
            _int(r[k], lang) for k in ("both_known", "reported_only", "modelled_only",
                                       "reported_yes_modelled_no", "reported_no_modelled_yes"))
            + " |")
    if sources.get("speed"):
        lines += ["", f"| {L['target']} | {L['villages']} | {L['measured']} | {L['below']} | "
                  f"{L['both_speeds']} | {L['differently']} |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for r in sources["speed"]:
            lines.append(f"| {label('target', r['target_id'], lang)} (≥ "
                         f"{_speed(r['threshold'], lang)}) | " + " | ".join(
                             _int(r[k], lang) for k in ("villages", "measured", "measured_below",
                                                        "both_measured_and_reported",
                                                        "judged_differently")) + " |")
    return lines


def _data_coverage_lines(data: dict, lang: str) -> list[str]:
    """The footnote of the targets' † marks and the table of the data behind each share."""
    L, S = labels("data_coverage", lang), labels("summary", lang)
    pct = _pct(data["min_known_share"], lang).replace(",0%", "%").replace(".0%", "%")
    lines = []
    if any(t.get("thin") for t in data["targets"]):
        lines += [L["note"].format(pct=pct, title=L["title"]), ""]
    lines += [f"## {L['title']}", "", L["intro"].format(pct=pct), "",
              f"| {S['province']} | {L['figure']} | {L['villages']} | {L['people']} |",
              "| --- | --- | ---: | ---: |"]
    for r in data["data_coverage"]:
        prov = S["all"] if r["scope"] == "all" else r["province_name"]
        villages = f"{_int(r['villages_known'], lang)} / {_int(r['n_villages'], lang)} " \
                   f"({_pct(r['villages_known_share'], lang)})"
        people = f"{_int(r['population_known'], lang)} / {_int(r['village_population'], lang)} " \
                 f"({_pct(r['population_known_share'], lang)})"
        mark = " †" if r["thin"] else ""
        lines.append(f"| {prov} | {label('data_figure', r['figure'], lang)} | {villages}{mark} | "
                     f"{people} |")
    return lines


def _operator_lines(figures: dict, lang: str) -> list[str]:
    """Coverage per operator and by any operator, sharing candidates, sites per operator
    (see geo_cds.analysis.operators.operator_figures)."""
    L = labels("operators", lang)
    lines = [f"## {L['title']}"]
    for tech, f in figures.get("coverage", {}).items():
        lines += ["", f"| {L['operator']} ({tech.upper()}) | {L['share']} | {L['known']} |",
                  "| --- | ---: | ---: |"]
        for name, x in [*f["operators"].items(), (L["any"], f["any_operator"])]:
            lines.append(f"| {name} | {_pct(x['share'], lang)} | "
                         f"{_int(x['villages_known'], lang)} |")
        if f.get("single_operator_villages") is not None:
            lines += ["", "- " + L["single"].format(
                tech=tech.upper(), n=_int(f["single_operator_villages"], lang))]
    if figures.get("sites"):
        lines += ["", "- " + L["sites"] + ": " + "; ".join(
            f"{name or L['no_operator']} {_int(n, lang)}" for name, n in figures["sites"].items())]
    return lines


def _shortfall(t: dict, lang: str) -> str:
    """What is still missing, with its unit; nothing for a met or unmeasurable target."""
    short = t.get("shortfall")
    if t["status"] in ("met", "not measurable") or short is None or \
            (isinstance(short, float) and np.isnan(short)):
        return "–"
    unit = t.get("shortfall_unit")
    if unit == "Mb/s":
        return _speed(short, lang)
    return f"{_int(short, lang)} {label('shortfall_unit', unit, lang)}"


def summary_markdown(data: dict, lang: str = "vi") -> str:
    L = labels("summary", lang)
    layer = lambda name: label("layer", name, lang)  # noqa: E731
    lines = [f"# {L['title']} — {data['run']}", "", f"{L['date']}: {data['date']}", ""]
    if data["generated_layers"]:
        lines += [f"> **{L['generated']}**: {', '.join(map(layer, data['generated_layers']))}", ""]
    lines += [f"## {L['overview']}", "",
              f"| {L['province']} | {L['communes']} | {L['villages']} | {L['population']} |",
              "| --- | ---: | ---: | ---: |"]
    for p in data["provinces"]:
        lines.append(f"| {p['province_name']} ({p['province_code']}) | {p['communes']} | "
                     f"{_int(p['villages'], lang)} | "
                     f"{'–' if p['population'] is None else _int(p['population'], lang)} |")
    lines += ["", f"## {L['targets']}", "",
              f"| {L['province']} | {L['indicator']} | {L['value']} | {L['threshold']} | "
              f"{L['year']} | {L['status']} | {L['short']} | {L['instrument']} | "
              f"{label('sources', 'column', lang)} |",
              "| --- | --- | ---: | ---: | ---: | --- | ---: | --- | --- |"]
    indicator = "indicator" if lang == "vi" else "indicator_en"
    for t in data["targets"]:
        prov = L["all"] if t["province_code"] == "all" else t["province_name"]
        fmt = _speed if t.get("unit") == "Mb/s" else _pct
        mark = " †" if t.get("thin") else ""
        lines.append(f"| {prov} | {t[indicator]} | {fmt(t['value'], lang)}{mark} | "
                     f"{fmt(t['threshold'], lang)} | "
                     f"{t['year']} | {label('target_status', t['status'], lang)} | "
                     f"{_shortfall(t, lang)} | {t['instrument']} | "
                     f"{label('source', t.get('source') or 'none', lang)} |")
    if data.get("data_coverage"):
        lines += ["", *_data_coverage_lines(data, lang)]
    lines += ["", f"## {L['accounting']}", "",
              f"| {L['layer']} | {L['file']} | {L['read']} | {L['used']} | {L['repaired']} | "
              f"{L['rejected']} |", "| --- | --- | ---: | ---: | ---: | ---: |"]
    for a in data["accounting"]:
        counts = " | ".join(_int(a[k], lang) for k in ("rows_read", "used", "repaired", "rejected"))
        lines.append(f"| {layer(a['layer'])} | {Path(a['file']).name} | {counts} |")
    if data.get("sources"):
        lines += ["", *_source_lines(data["sources"], lang)]
    if data.get("reading"):
        lines += ["", *_reading_lines(data["reading"], lang)]
    if data.get("operators"):
        lines += ["", *_operator_lines(data["operators"], lang)]
    inv = data.get("investment")
    if inv:
        lines += ["", f"## {L['investment']}", ""] + _investment_lines(inv, lang)
    if data.get("checks"):
        lines += ["", f"## {L['checks']}", "",
                  f"| {L['check']} | {L['result']} | {L['detail']} |", "| --- | --- | --- |"]
        for c in map(Check.from_dict, data["checks"]):
            lines.append(f"| {c.name(lang)} | {L['passed'] if c.ok else L['failed']} | "
                         f"{c.detail(lang)} |")
    return "\n".join(lines) + "\n"
