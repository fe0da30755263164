from pathlib import Path

import pytest

from chainatlas.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    assert f"`{name}`" in text and f"`CHAINATLAS_{name.upper()}`" in text


def test_every_setting_has_a_description() -> None:
    assert all(f.description for f in Settings.model_fields.values())


def test_postgres_urls_are_normalised_and_placeholder_secrets_refused_in_prod() -> None:
    assert Settings(database_url="postgres://u@h/db").database_url == "postgresql+psycopg://u@h/db"
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(env="prod")
    assert Settings(env="prod", secret_key="a-real-secret").env == "prod"
