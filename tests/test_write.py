import pandas as pd
import pytest

from geo_cds.errors import OutputExistsError
from geo_cds.outputs.write import atomic_folder, write_csv


def test_atomic_folder_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "run"
    with pytest.raises(RuntimeError):
        with atomic_folder(target) as staging:
            (staging / "half.csv").write_text("x")
            raise RuntimeError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_folder_refuses_then_replaces_with_overwrite(tmp_path):
    target = tmp_path / "run"
    with atomic_folder(target) as staging:
        (staging / "a.txt").write_text("first")
    with pytest.raises(OutputExistsError, match="--overwrite"):
        with atomic_folder(target):
            pass
    with atomic_folder(target, overwrite=True) as staging:
        (staging / "b.txt").write_text("second")
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_csv_keeps_leading_zeros_and_diacritics(tmp_path):
    df = pd.DataFrame({"commune_code": ["07795"], "commune_name": ["Phường Nếnh"]})
    path = write_csv(df, tmp_path / "x.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets then read UTF-8
    back = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    assert back.iloc[0].tolist() == ["07795", "Phường Nếnh"]
