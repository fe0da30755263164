"""Every API error has one shape: {"ok": false, "error": "...", "errors": [...], "status": N}."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.conftest import Demo, token_client

KEYS = {"ok", "error", "errors", "status"}


def assert_error(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == KEYS
    assert body["ok"] is False and body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["errors"], list)
    return body


def test_401_without_credentials_names_how_to_authenticate(anon: TestClient) -> None:
    r = anon.get("/api/v1/me")
    body = assert_error(r, 401)
    assert "Bearer" in str(body["error"]) and r.headers["www-authenticate"] == "Bearer"


def test_401_for_a_wrong_token(anon: TestClient) -> None:
    r = anon.get("/api/v1/me", headers={"Authorization": "Bearer ca_not-a-real-token"})
    assert "not valid" in str(assert_error(r, 401)["error"])


def test_403_names_the_user_and_what_was_refused(app: FastAPI, demo: Demo) -> None:
    client = token_client(app, demo, "enterprise")
    body = assert_error(client.get(f"/api/v1/enterprises/{demo.other_enterprise}"), 403)
    assert "'enterprise'" in str(body["error"]) and str(demo.other_enterprise) in str(body["error"])


def test_404_for_an_unknown_chain_and_an_unknown_route(admin: TestClient) -> None:
    body = assert_error(admin.get("/api/v1/chains/no_such_chain"), 404)
    assert "no_such_chain" in str(body["error"])
    assert_error(admin.get("/api/v1/nothing-here"), 404)


def test_422_for_invalid_parameters_lists_each_problem(admin: TestClient) -> None:
    body = assert_error(admin.get("/api/v1/risks?limit=0&level=extreme"), 422)
    locs = {tuple(e["loc"]) for e in body["errors"]}  # type: ignore[union-attr]
    assert ("query", "limit") in locs and ("query", "level") in locs
    for e in body["errors"]:  # type: ignore[union-attr]
        assert set(e) == {"loc", "msg", "type"}


def test_405_for_a_method_the_route_does_not_take(admin: TestClient) -> None:
    assert_error(admin.delete("/api/v1/me"), 405)


def test_a_rejected_import_lists_file_row_column_value_and_reason(admin: TestClient) -> None:
    csv = b"name,credit_code,region\nBad Firm,12345,330100\n"
    r = admin.post("/api/v1/imports/enterprises", files={"file": ("firms.csv", csv, "text/csv")})
    body = assert_error(r, 422)
    assert body["errors"] == [
        {
            "file": "firms.csv",
            "row": 2,
            "column": "credit_code",
            "value": "12345",
            "reason": "invalid credit code: must have 18 characters, has 5",
        }
    ]


def test_pages_show_errors_as_a_page_with_the_same_status(app: FastAPI, demo: Demo) -> None:
    from tests.api.conftest import session_client

    s = session_client(app, demo, "enterprise")
    r = s.client.get(f"/enterprises/{demo.other_enterprise}")
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    assert 'data-status="403"' in r.text
