"""Schemathesis over the OpenAPI schema, in process: no generated request gets a 500.

Every operation of ``/api/v1/openapi.json`` gets a bounded number of generated requests,
signed with an admin token (so they reach the routes' own validation and services, not
only the 401), against a demo database of the module's own, since generated uploads and
language changes may write. Responses must not be server errors and must match the
documented schema. The run stays well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from chainatlas.api.app import create_app
from chainatlas.settings import Settings
from tests.api.conftest import Demo, make_demo

MAX_EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzz_demo(tmp_path_factory: pytest.TempPathFactory, cheap_hasher: None) -> Iterator[Demo]:
    made = make_demo(Path(tmp_path_factory.mktemp("fuzz")) / "demo.db")
    yield made
    made.engine.dispose()


def test_no_generated_request_gets_a_server_error(fuzz_demo: Demo) -> None:
    app = create_app(Settings(database_url=fuzz_demo.url, env="test"), engine=fuzz_demo.engine)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {fuzz_demo.tokens['admin']}"}
    seen = []
    statuses: set[int] = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        seen.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: Any) -> None:
            response = case.call(headers=headers)
            statuses.add(response.status_code)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        check()
    assert len(seen) >= 12  # every API operation was exercised
    assert {200, 422} <= statuses, statuses  # authenticated: answers, not only 401s
