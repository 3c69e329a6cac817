"""`tvaers pair` through a tiny click group that hands it the fake embedder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pandas as pd
from click.testing import CliRunner

from engine.pairing import PairingWeights
from indexer.embedders import Embedder
from service.pairing_cli import pair
from tests.fakes import FakeEmbedder

WEEK = Path(__file__).resolve().parents[1] / "data" / "sample" / "week"


class FakeApp:
    def reusing_embedder(self) -> Embedder:
        return FakeEmbedder()

    def pairing_weights(self) -> PairingWeights:
        return PairingWeights()


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    ctx.obj = FakeApp()


main.add_command(pair)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["pair", *args])
    return result.exit_code, result.stdout, result.stderr


def test_pair_json_shape(tmp_path: Path) -> None:
    out = tmp_path / "proposals.csv"
    code, stdout, _ = _run(
        "--hosts", str(WEEK / "hosts.csv"), "--interns", str(WEEK / "interns.csv"),
        "--locks", str(WEEK / "locks.csv"), "--out", str(out), "--json",
    )  # fmt: skip
    assert code == 0, stdout
    data = json.loads(stdout)
    assert set(data) == {"pairs", "unmatched", "stats"}
    assert set(data["pairs"][0]) == {"intern_id", "host_id", "duration", "fit", "reason"}
    assert len(data["pairs"]) == 81 and data["unmatched"] == []
    assert {"i005": "h09", "i036": "h17", "i068": "h11"}.items() <= {
        p["intern_id"]: p["host_id"] for p in data["pairs"]
    }.items()
    assert data["stats"]["matched"] == 81
    assert len(pd.read_csv(out)) == 81


def test_pair_stable_excel_and_bonus(tmp_path: Path) -> None:
    out = tmp_path / "forslag.xlsx"
    code, _, stderr = _run(
        "--hosts", str(WEEK / "hosts.csv"), "--interns", str(WEEK / "interns.csv"),
        "--mode", "stable", "--cross-sector-bonus", "1.5", "--out", str(out),
    )  # fmt: skip
    assert code == 0
    assert re.search(
        r"\b(79|80|81) af 81 praktikanter", stderr
    )  # stable: full hosts may leave one out
    assert "Forslag" in pd.read_excel(out, sheet_name=None)


def test_bad_input_is_a_clean_error_naming_the_place(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts.csv"
    hosts.write_text(
        (WEEK / "hosts.csv").read_text(encoding="utf-8").replace(",2,1;2;3,", ",7,1;2;3,", 1),
        encoding="utf-8",
    )
    code, _, stderr = _run(
        "--hosts", str(hosts), "--interns", str(WEEK / "interns.csv"),
        "--out", str(tmp_path / "x.csv"),
    )  # fmt: skip
    assert code == 1
    assert "hosts.csv, linje 2, kolonne 'capacity'" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "x.csv").exists()


def test_bad_lock_is_named(tmp_path: Path) -> None:
    locks = tmp_path / "locks.csv"
    locks.write_text("intern_id,host_id\ni001,h46\n", encoding="utf-8")
    code, _, stderr = _run(
        "--hosts", str(WEEK / "hosts.csv"), "--interns", str(WEEK / "interns.csv"),
        "--locks", str(locks), "--out", str(tmp_path / "x.csv"),
    )  # fmt: skip
    assert code == 1
    assert "locks.csv, linje 2" in stderr and "i001 → h46" in stderr


def test_out_must_be_csv_or_xlsx(tmp_path: Path) -> None:
    code, _, stderr = _run(
        "--hosts", str(WEEK / "hosts.csv"), "--interns", str(WEEK / "interns.csv"),
        "--out", str(tmp_path / "x.txt"),
    )  # fmt: skip
    assert code == 2 and ".xlsx" in stderr
