"""Shared fixtures: a small Danish data folder, the fake embedder, and a built home folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from engine.search import Searcher
from indexer.build import Home
from indexer.live import index_data_folder
from tests.fakes import FakeEmbedder
from tests.folders import snapshot_of

# Fixtures any test may use: `postgres_url`, a fresh database on a throwaway PostgreSQL server.
pytest_plugins = ("tests.postgres",)
# Plugins imported by test modules before pytest loads them still get rewritten asserts.
pytest.register_assert_rewrite("tests.browser", "tests.smtp_server")

# Shared, loaded machines make timings noisy, and CI must be deterministic: no deadlines, fixed
# examples. `HYPOTHESIS_PROFILE=explore pytest` searches new random examples.
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("explore", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini"
SAMPLE = Path(__file__).parent.parent / "data" / "sample"


@pytest.fixture
def mini_folder(tmp_path: Path) -> Path:
    """A writable copy of the small Danish data folder."""
    target = tmp_path / "data"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def mini_home(tmp_path: Path, mini_folder: Path, fake_embedder: FakeEmbedder) -> Home:
    home = Home(tmp_path / "home")
    index_data_folder(mini_folder, home, fake_embedder)
    return home


@pytest.fixture
def mini_searcher(mini_home: Home, fake_embedder: FakeEmbedder) -> Iterator[Searcher]:
    yield Searcher(snapshot_of(mini_home), fake_embedder)
