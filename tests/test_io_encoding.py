""".dbf and CSV files in the legacy Vietnamese encodings TCVN3 (ABC) and VNI-Windows."""

from __future__ import annotations

import unicodedata

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo_cds import schema as S
from geo_cds.inputs import legacy, read_layer
from geo_cds.plan import InputSpec
from geo_cds.problems import ProblemLog

LOWER = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
NAMES = ["Thôn Văn Hà", "Thôn Đồng Nguyên", "Tổ dân phố Mường Khương", "Làng Ấp Ụ Ỷ"]


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_every_vietnamese_letter_round_trips(encoding):
    text = LOWER + LOWER.upper()
    raw = legacy.encode_legacy(text, encoding)
    assert legacy.decode_legacy(raw, encoding) == unicodedata.normalize("NFC", text)


def test_known_byte_sequences():
    assert legacy.decode_tcvn3(b"Qu\xb6ng Ng\xb7i") == "Quảng Ngãi"
    assert legacy.decode_tcvn3("§øc Phong") == "Đức Phong"
    assert legacy.decode_vni("Quaûng Ngaõi") == "Quảng Ngãi"
    assert legacy.decode_vni("Ñöùc Phong") == "Đức Phong"
    assert legacy.normalise_encoding_name("TCVN-3") == "tcvn3"
    assert legacy.normalise_encoding_name("VNI-Windows") == "vni"


def test_detection_tells_the_encodings_apart():
    for enc in ("tcvn3", "vni"):
        texts = [legacy.encode_legacy(n, enc).decode("latin-1") for n in NAMES]
        assert legacy.detect_legacy(texts) == enc
    assert legacy.detect_legacy(NAMES) is None  # already Unicode
    assert legacy.detect_legacy(["Bà Rá", "Tên"]) is None  # Unicode within Latin-1
    assert legacy.detect_legacy(["plain ascii"]) is None


def legacy_shapefile(tmp_path, enc, cpg: bool):
    header = legacy.encode_legacy("Tên thôn", enc).decode("latin-1")
    names = [legacy.encode_legacy(n, enc).decode("latin-1") for n in NAMES]
    gdf = gpd.GeoDataFrame(
        {
            "ma_thon": ["T1", "T2", "T3", "T4"],
            header: names,
            "ma_xa": ["21433"] * 4,
            "dan_so": [100, 200, 300, 400],
        },
        geometry=[Point(108.85, 15.05)] * 4,
        crs="EPSG:4326",
    )
    path = tmp_path / f"thon_{enc}.shp"
    gdf.to_file(path, encoding="latin1")
    if not cpg:
        path.with_suffix(".cpg").unlink()
    return path


@pytest.mark.parametrize("enc", ["tcvn3", "vni"])
@pytest.mark.parametrize("cpg", [True, False])
def test_legacy_dbf_detected_and_decoded(tmp_path, enc, cpg):
    path = legacy_shapefile(tmp_path, enc, cpg)
    problems = ProblemLog()
    v = read_layer(InputSpec(path=path, vintage="2025"), "villages", problems)
    assert problems.errors == []
    assert v[S.VILLAGE_NAME].tolist() == NAMES  # header "Tên thôn" decoded, then aliased
    [note] = [p for p in problems.warnings if enc.upper() in p.problem]
    assert f"encoding = '{enc}'" in note.fix


@pytest.mark.parametrize("enc", ["tcvn3", "vni"])
def test_legacy_encoding_set_in_plan(tmp_path, enc):
    path = legacy_shapefile(tmp_path, enc, cpg=False)
    problems = ProblemLog()
    v = read_layer(InputSpec(path=path, vintage="2025", encoding=enc.upper()), "villages", problems)
    assert v[S.VILLAGE_NAME].tolist() == NAMES
    assert not any("looks like" in p.problem for p in problems.warnings)


@pytest.mark.parametrize("enc", ["tcvn3", "vni"])
def test_legacy_csv(tmp_path, enc):
    frame = pd.DataFrame(
        {
            "Mã thôn": ["T1", "T2", "T3", "T4"],
            "Tên thôn": NAMES,
            "Mã xã": ["21433"] * 4,
            "Dân số": [1, 2, 3, 4],
        }
    )
    path = tmp_path / "thon.csv"
    path.write_bytes(legacy.encode_legacy(frame.to_csv(index=False), enc))
    problems = ProblemLog()
    v = read_layer(InputSpec(path=path, vintage="2025"), "villages", problems)
    assert v[S.VILLAGE_NAME].tolist() == NAMES
    assert v[S.VILLAGE_ID].tolist() == ["T1", "T2", "T3", "T4"]
    assert any(enc.upper() in p.problem for p in problems.warnings)


def test_utf8_csv_untouched(tmp_path):
    path = tmp_path / "thon.csv"
    pd.DataFrame(
        {"Mã thôn": ["T1"], "Tên thôn": ["Thôn Văn Hà"], "Mã xã": ["21433"], "Dân số": [5]}
    ).to_csv(path, index=False)
    problems = ProblemLog()
    v = read_layer(InputSpec(path=path, vintage="2025"), "villages", problems)
    assert v[S.VILLAGE_NAME].tolist() == ["Thôn Văn Hà"]
    assert not any("encoding" in p.fix for p in problems.warnings)
