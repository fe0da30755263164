from pathlib import Path

from chainatlas.cli.help_doc import render_cli_doc

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_page_matches_the_current_help_output() -> None:
    assert DOC.read_text(encoding="utf-8") == render_cli_doc(), (
        "docs/cli.md is stale: run `make docs`"
    )


def test_cli_page_lists_the_foundation_commands() -> None:
    text = DOC.read_text(encoding="utf-8")
    for command in (
        "chainatlas import",
        "chainatlas export",
        "chainatlas init",
        "chainatlas db upgrade",
    ):
        assert f"## `{command}`" in text
