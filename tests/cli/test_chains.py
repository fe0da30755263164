from pathlib import Path

from typer.testing import CliRunner

from chainatlas.cli import app
from chainatlas.templates import list_templates

runner = CliRunner()


def test_chains_templates_lists_every_bundled_template() -> None:
    result = runner.invoke(app, ["chains", "templates"])
    assert result.exit_code == 0
    for code in list_templates():
        assert code in result.output


def test_installing_a_template_twice_reports_it_unchanged(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    first = runner.invoke(app, ["chains", "install", "nev", "--db", db])
    assert first.exit_code == 0, first.output
    assert "nev: chain created" in first.output
    second = runner.invoke(app, ["chains", "install", "nev", "--db", db])
    assert "nev: chain unchanged" in second.output
    listed = runner.invoke(app, ["chains", "list", "--db", db])
    assert "新能源汽车" in listed.output


def test_installing_an_unknown_template_fails_with_the_available_codes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["chains", "install", "bogus", "--db", str(tmp_path / "c.db")])
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)
    assert "nev" in str(result.exception)
