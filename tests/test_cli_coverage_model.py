"""`geo-cds coverage-model`: a register → GeoTIFFs (layout, scale, nodata, values by hand)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import rasterio
from click.testing import CliRunner

from geo_cds.cli.main import cli


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "tram.csv"
    pd.DataFrame({
        "Mã trạm": ["A1", "B1", "C1"], "Nhà mạng": ["Viettel", "VNPT", "Viettel"],
        "Kinh độ": [105.8005, 105.8105, 105.9], "Vĩ độ": [21.0055, 21.0055, 21.0],
        "Công nghệ": ["4G", "4G", "CDMA"], "Độ cao anten (m)": [30, 30, 30],
    }).to_csv(path, index=False)
    return path


def test_writes_layers(register, tmp_path):
    out = tmp_path / "model"
    res = CliRunner().invoke(cli, ["coverage-model", str(register), str(out), "-t", "4g",
                                   "--crs", "EPSG:4326", "--resolution", "0.001",
                                   "--bounds", "105.79,20.99,105.85,21.02",
                                   "--environment", "urban"])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == ["model.json", "operators_4g.tif", "rejects.csv", "rsrp_4g.tif",
                     "rsrp_4g_viettel.tif", "rsrp_4g_vnpt.tif"]
    with rasterio.open(out / "rsrp_4g.tif") as src:
        assert src.dtypes[0] == "int16" and src.nodata == -32768 and src.scales[0] == 0.1
        assert src.profile["tiled"] and src.compression.name.lower() == "deflate"
        assert src.crs.to_epsg() == 4326
        row, col = src.index(105.8005, 21.0055)
        tenths = src.read(1)[row, col]
    # (stations 1.04 km apart: both reach −105 dBm, at 0.94 km, between them)
    # at the station's own cell: 50 m floor; urban 1800 MHz, hb 30 m (see test_radio):
    # L = 146.8006852 + 35.2248555 · (log10 0.05 − log10 2) = 146.8006852 − 56.4318 = 90.3689
    # RSRP = 30.2081875 − 90.3689 = −60.16 dBm → −601.6 tenths
    assert tenths == -602
    rejects = pd.read_csv(out / "rejects.csv")
    assert rejects.loc[rejects["severity"] == "error", "row"].tolist() == [3]
    record = json.loads((out / "model.json").read_text())
    assert record["stations"] == {"4g": {"VNPT": 1, "Viettel": 1}}
    with rasterio.open(out / "operators_4g.tif") as src:
        count = src.read(1)
        assert src.nodata == 255 and count.max() == 2 and count.min() == 0
    # a second run into the same folder is refused without --overwrite
    again = CliRunner().invoke(cli, ["coverage-model", str(register), str(out)])
    assert again.exit_code == 1 and "--overwrite" in again.output


def test_bad_options(register, tmp_path):
    res = CliRunner().invoke(cli, ["coverage-model", str(register), str(tmp_path / "o"),
                                   "--threshold", "6g=-100", "--bounds", "1,2,3"])
    assert res.exit_code == 2 and ("--threshold" in res.output or "--bounds" in res.output)


def test_no_usable_station(tmp_path):
    path = tmp_path / "tram.csv"
    path.write_text("Mã trạm,Nhà mạng,Kinh độ,Vĩ độ,Công nghệ\nA,Viettel,105.8,21.0,CDMA\n",
                    encoding="utf-8")
    res = CliRunner().invoke(cli, ["coverage-model", str(path), str(tmp_path / "o")])
    assert res.exit_code == 1 and "CDMA" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def test_unusable_rows_are_named_by_row(tmp_path):
    path = tmp_path / "cells.csv"
    path.write_text("radio,mcc,net,lon,lat\nLTE,452,04,106.1,abc\nLTE,999,04,106.1,21.0\n",
                    encoding="utf-8")
    res = CliRunner().invoke(cli, ["coverage-model", str(path), str(tmp_path / "o")])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "row 1, column 'lon/lat'" in res.output
    assert "row 2, column 'mcc'" in res.output and "MCC 999" in res.output
