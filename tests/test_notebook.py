"""The coordinator's notebook runs headless from top to bottom (fake embedder, Agg backend),
ending with a season's fairness report read from the service's API."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "innovationspraktik.ipynb"


def test_innovationspraktik_notebook_executes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TVAERS_NOTEBOOK_EMBEDDER", "fake")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(str(o.get("text", "")) for o in outputs)
    assert "81 af 81 har fået plads" in text
    assert "bryder en regel" in text  # the rejected lock is explained
    assert "3 scenarier i sæson" in text  # the season's fairness read from the API
