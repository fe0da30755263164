from pathlib import Path

from chainatlas.importers.formats_doc import render_data_formats
from chainatlas.importers.specs import SPECS

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-formats.md"


def test_data_formats_page_is_generated_from_the_current_specs() -> None:
    assert DOC.read_text(encoding="utf-8") == render_data_formats(), (
        "docs/data-formats.md is stale: run "
        "`python -m chainatlas.importers.formats_doc > docs/data-formats.md`"
    )


def test_data_formats_page_documents_every_kind_and_alias() -> None:
    text = DOC.read_text(encoding="utf-8")
    for kind, spec in SPECS.items():
        assert f"## `{kind}`" in text
        for field in spec.fields:
            assert f"| `{field.name}` |" in text
            for alias in field.aliases:
                assert f"`{alias}`" in text
