"""Property-based: cases generated from the OpenAPI schema never get a 500 (fake embedder app)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings

from service.app import create_app
from service.config import Settings
from tests.fakes import FakeEmbedder

pytest_plugins = ("tests.conftest_service",)
EXAMPLES_PER_OPERATION = 15


@pytest.fixture(scope="module")
def fuzzed_app(indexed_home: Path, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    home = tmp_path_factory.mktemp("fuzz") / "home"
    shutil.copytree(indexed_home, home)
    return create_app(Settings(home=home, api_key=None), embedder=FakeEmbedder())


def _operations(app: FastAPI) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_is_in_the_schema(fuzzed_app: FastAPI) -> None:
    labels = {op.label for op in _operations(fuzzed_app)}
    # with /api/editors (3), /api/sessions (3), /api/audit, recommendations, synonyms,
    # seasons (6), their review (8), publishing, letters, answers, reminders, evaluation (8),
    # registration (6)
    assert len(labels) == 60
    assert "PUT /api/registration/intern" in labels
    assert "POST /api/seasons/{season_id}/publish" in labels
    assert "POST /api/seasons/{season_id}/rounds" in labels
    assert "GET /api/seasons/{season_id}/evaluation" in labels
    assert "POST /api/seasons/{season_id}/phase" in labels
    assert "POST /api/seasons/{season_id}/scenarios" in labels
    assert "GET /api/synonyms" in labels and "PUT /api/synonyms" in labels
    assert "GET /api/audit" in labels and "POST /api/editors" in labels
    assert "GET /api/sessions" in labels and "DELETE /api/sessions/{session_id}" in labels
    assert "GET /api/units/{unit_id}/recommendations" in labels
    assert "POST /api/pairings" in labels and "GET /api/suggest" in labels
    assert "GET /api/search-gaps" in labels and "DELETE /api/search-gaps" in labels


@pytest.mark.parametrize("authorised", [True, False], ids=["with-key", "without-key"])
def test_no_server_errors(
    fuzzed_app: FastAPI, authorised: bool, key_headers: dict[str, dict[str, str]]
) -> None:
    headers = key_headers["test-admin"] if authorised else {}
    failures: list[str] = []
    for operation in _operations(fuzzed_app):

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500 or "Traceback" in response.text:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.query} -> "
                    f"{response.status_code} {response.text[:200]}"
                )

        run()
    assert failures == []
