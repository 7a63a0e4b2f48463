"""``geo-cds compare`` on two run folders built by hand."""

import pandas as pd
from click.testing import CliRunner
from test_cli_plan import BUDGET, make_run

from geo_cds import schema as s
from geo_cds.cli.main import cli
from geo_cds.planning.compare import compare_runs


def _runs(tmp_path):
    a = make_run(tmp_path / "a")
    # B: the same villages replanned with twice the budget.
    for folder, budget in ((a, BUDGET), (tmp_path / "b", 2 * BUDGET)):
        args = ["plan", str(a), "--budget", str(budget), "--out", str(folder)]
        if folder == a:
            args.append("--overwrite")
        assert CliRunner().invoke(cli, args).exit_code == 0
    # B also measured more 4G in the commune.
    c = pd.read_csv(tmp_path / "b" / "communes.csv", dtype={s.COMMUNE_CODE: str})
    c[s.SHARE_4G] = 0.8
    c.to_csv(tmp_path / "b" / "communes.csv", index=False, encoding="utf-8-sig")
    return a, tmp_path / "b"


def test_compare_runs(tmp_path):
    a, b = _runs(tmp_path)
    cmp = compare_runs(a, b)
    t = cmp.totals.set_index("metric")
    assert t.loc["people_served_in_budget", "run_a"] == 1900
    assert t.loc["people_served_in_budget", "run_b"] == 1900 + 1100 + 50
    assert t.loc["people_served_in_budget", "change"] == 1150
    assert t.loc["share_villages_4g", "change"] == 0.8 - 0.4
    com = cmp.communes.iloc[0]
    assert com[s.COMMUNE_CODE] == "07795" and com["share_villages_4g_change"] == 0.8 - 0.4
    v = cmp.villages.set_index(s.VILLAGE_ID)
    assert not v.loc["A", "in_budget_a"] and v.loc["A", "in_budget_b"]
    assert v.loc["A", "status"] == "entered" and v.loc["A", "rank_a"] == 3
    assert set(cmp.changed[s.VILLAGE_ID]) >= {"A", "D"}


def test_compare_command(tmp_path):
    a, b = _runs(tmp_path)
    res = CliRunner().invoke(cli, ["compare", str(a), str(b), "--out", str(tmp_path / "cmp")])
    assert res.exit_code == 0, res.output
    assert "people newly served in budget" in res.output and "+1,150" in res.output
    assert "07795" in res.output and "+40.0 pt" in res.output
    assert "Villages that changed rank or budget status" in res.output
    assert "0 dropped out of the budget" in res.output
    v = pd.read_csv(tmp_path / "cmp" / "villages.csv", dtype={s.COMMUNE_CODE: str})
    assert v[s.COMMUNE_CODE].eq("07795").all()
    res = CliRunner().invoke(cli, ["compare", str(a), str(b), "--out", str(tmp_path / "cmp")])
    assert res.exit_code == 1 and "--overwrite" in res.output


def test_compare_needs_run_folders(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    res = CliRunner().invoke(cli, ["compare", str(tmp_path / "x"), str(tmp_path / "y")])
    assert res.exit_code == 1 and "communes.csv" in res.output


def test_compare_help_has_an_example():
    res = CliRunner().invoke(cli, ["compare", "--help"])
    assert res.exit_code == 0 and "geo-cds compare outputs/sample" in res.output


def test_a_full_disk_is_a_message_naming_the_folder(tmp_path, monkeypatch):
    import errno

    from geo_cds.outputs import comparison

    a, b = _runs(tmp_path)

    def full(frame, path):
        path.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(comparison, "write_csv", full)
    out = tmp_path / "reports" / "cmp"
    res = CliRunner().invoke(cli, ["compare", str(a), str(b), "--out", str(out)])
    assert res.exit_code == 1
    assert f"cannot write to {out.parent}: the disk is full" in res.output
    assert "Traceback" not in res.output
    assert list(out.parent.iterdir()) == []  # no half-written folder


def test_compare_never_replaces_a_folder_it_did_not_write(tmp_path):
    a, b = _runs(tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "totals.csv").write_text("my own analysis")
    res = CliRunner().invoke(cli, ["compare", str(a), str(b), "--out", str(mine), "--overwrite"])
    assert res.exit_code == 1 and str(mine) in res.output and "not written by geo-cds" in res.output
    assert (mine / "totals.csv").read_text() == "my own analysis"


def test_compare_prints_in_the_language_asked(tmp_path):
    a, b = _runs(tmp_path)
    res = CliRunner().invoke(cli, ["compare", str(a), str(b), "--lang", "vi"])
    assert res.exit_code == 0, res.output
    assert "người mới được phục vụ trong ngân sách" in res.output and "+1.150" in res.output
    assert "tỷ lệ thôn có 4G +40,0 điểm %" in res.output
    assert "Thôn thay đổi thứ hạng hoặc trạng thái ngân sách" in res.output
    for english in ("people", "share", "Villages", "rank", "moved", "change"):
        assert english not in res.output
