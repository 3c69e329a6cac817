"""`tvaers index data/sample` (what `make run` does) also loads the sample week as a current
season in review with a proposal, once; any other folder loads no season."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from service import cli
from service.season.sample import SAMPLE_DIR, SAMPLE_SEASON, sample_dates
from tests.fakes import FakeEmbedder

pytest_plugins = ("tests.conftest_service",)


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "make_embedder", lambda settings: FakeEmbedder())


def _index(home: Path, folder: Path) -> str:
    result = CliRunner().invoke(cli.main, ["--home", str(home), "index", str(folder)])
    assert result.exit_code == 0, result.output
    return result.output


def test_indexing_the_bundled_sample_loads_its_week_once(
    tmp_path: Path,
    fake_model: None,
    app_factory: Callable[..., Any],
    key_factory: Callable[..., dict[str, str]],
) -> None:
    home = tmp_path / "home"
    first = _index(home, SAMPLE_DIR)
    second = _index(home, SAMPLE_DIR)

    assert f"sæsonen »{SAMPLE_SEASON}« med et forslag" in first
    assert "Eksemplets praktikuge" not in second
    headers = key_factory(home, "koordinator")
    with TestClient(app_factory(home)) as client:
        seasons = client.get("/api/seasons", headers=headers).json()
        assert [s["name"] for s in seasons["data"]] == [SAMPLE_SEASON]
        season = seasons["data"][0]
        assert season["is_current"] and season["phase"] == "review"
        api = f"/api/seasons/{season['id']}"
        assert client.get(f"{api}/participants", headers=headers).json() == {
            "hosts": 50,
            "interns": 81,
        }
        assert len(client.get(f"{api}/locks", headers=headers).json()) == 3
        scenarios = client.get(f"{api}/scenarios", headers=headers).json()
        assert [s["name"] for s in scenarios] == ["Bedst samlet"]
        assert scenarios[0]["fairness"]["matched"] > 0
        page = client.get("/praktik", headers=headers)
    assert 'id="latest-proposal"' in page.text and "Bedst samlet" in page.text


def test_another_folder_loads_no_season_even_with_a_week_in_it(
    tmp_path: Path,
    fake_model: None,
    app_factory: Callable[..., Any],
    key_factory: Callable[..., dict[str, str]],
) -> None:
    data = tmp_path / "sample"
    shutil.copytree(SAMPLE_DIR, data)  # the same files, but a deployment's own folder
    home = tmp_path / "home"

    output = _index(home, data)

    assert "Eksemplets praktikuge" not in output
    headers = key_factory(home, "koordinator")
    with TestClient(app_factory(home)) as client:
        assert client.get("/api/seasons", headers=headers).json()["count"] == 0


@pytest.mark.parametrize(
    ("today", "week_starts"),
    [(dt.date(2026, 12, 7), dt.date(2027, 9, 13)), (dt.date(2027, 3, 1), dt.date(2027, 9, 13))],
)
def test_the_sample_week_is_the_next_week_37(today: dt.date, week_starts: dt.date) -> None:
    dates = sample_dates(today)
    assert dates.week_starts == week_starts and dates.registration_deadline < today
