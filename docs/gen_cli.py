"""Regenerate docs/cli.md from the CLI's --help output (run by `make docs`)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from chainatlas.cli.help_doc import render_cli_doc  # noqa: E402

Path(__file__).with_name("cli.md").write_text(render_cli_doc(), encoding="utf-8")
