"""After the review: publishing sends each intern and host a Danish letter (to a real SMTP
server) with a personal answer link; answers are kept per pair; a second round fills the free
places with every standing pair and lock kept, never bringing back a declined pair."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from indexer.audit import Actor
from indexer.schema import audit_table, season_links_table, seasons_table
from service import cli
from service.season.retention import SeasonRetention, months_after
from tests.conftest_service import make_app
from tests.fakes import FakeEmbedder
from tests.folders import traces
from tests.smtp_server import SmtpServer

pytest_plugins = ("tests.conftest_service", "tests.smtp_server", "tests.oidc")

SEASON = {
    "name": "Innovationspraktik 2027, uge 37",
    "registration_opens": "2027-05-01",
    "registration_deadline": "2027-06-15",
    "week_starts": "2027-09-13",
    "week_ends": "2027-09-17",
}
HOSTS = [
    ("h1", "Faxe Kommune", "Hjemmeplejen Nat", "kommune", "Skærmbesøg om natten.", 2, "1;2"),
    ("h2", "Digitaliseringsstyrelsen", "Klarsprogsenheden", "stat", "Breve i klart sprog.", 1, "2"),
    ("h3", "Region Sjælland", "Akutmodtagelsen", "region", "Triage og flow i akutten.", 1, "2"),
]
INTERNS = [
    ("i1", "Rasmus Juul", "Region Sjælland", "region", "Skærmbesøg hos ældre om natten.", 2, ""),
    ("i2", "Camilla Berg", "Faxe Kommune", "kommune", "Jeg vil lære klarsprog i breve.", 2, "h2"),
    ("i3", "Omar Said", "Finansministeriet", "stat", "Velfærdsteknologi i kommunerne.", 1, ""),
    ("i4", "Ida Lund", "Faxe Kommune", "kommune", "Hvordan en akutmodtagelse prioriterer.", 2, ""),
]
LINK = re.compile(r"http://testserver(/praktik/svar/[A-Za-z0-9_-]+)")


def _csv(header: list[str], rows: list[tuple[Any, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _files(h3_capacity: int) -> dict[str, tuple[str, bytes, str]]:
    hosts = [(*h[:5], h3_capacity if h[0] == "h3" else h[5], h[6]) for h in HOSTS]
    host_rows = [(*h, f"kontakt.{h[0]}@example.dk") for h in hosts]
    intern_rows = [(*i, "", f"{i[0]}@example.dk") for i in INTERNS]
    host_header = "id,organisation,unit_name,sector,offer,capacity,durations,contact_email"
    intern_header = "id,name,organisation,sector,wish,duration,wished_hosts,excluded_hosts,email"
    return {
        "hosts": ("hosts.csv", _csv(host_header.split(","), host_rows), "text/csv"),
        "interns": ("interns.csv", _csv(intern_header.split(","), intern_rows), "text/csv"),
    }


@pytest.fixture
def api(
    home: Path, key_headers: dict[str, dict[str, str]], smtp_server: SmtpServer
) -> Iterator[TestClient]:
    app = make_app(
        home,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_from="Innovationspraktik <praktik@faxe.dk>",
        smtp_security="none",
        mail_poll_seconds=3600,  # only a wake sends: the test knows when
    )
    with TestClient(app, headers=key_headers["test-coordinator"]) as client:
        yield client


def _reviewed(api: TestClient, h3_capacity: int, locks: list[dict[str, str]] = []) -> int:  # noqa: B006
    season_id: int = api.post("/api/seasons", json=SEASON).json()["id"]
    base = f"/api/seasons/{season_id}"
    assert api.post(f"{base}/participants", files=_files(h3_capacity)).status_code == 200
    for phase in ("registration_open", "registration_closed"):
        api.post(f"{base}/phase", json={"expected": phase})
    for lock in locks:
        assert api.post(f"{base}/locks", json=lock).status_code == 200
    return season_id


def _publish(api: TestClient, season_id: int) -> dict[str, Any]:
    base = f"/api/seasons/{season_id}"
    scenario = api.post(f"{base}/scenarios", json={"name": "Bedst samlet"}).json()
    published = api.post(f"{base}/publish", json={"scenario_id": scenario["id"]})
    assert published.status_code == 200, published.text
    body: dict[str, Any] = published.json()
    return body


def _anonymous(api: TestClient) -> AbstractContextManager[TestClient]:
    """A client without key or sign-in on the same app. Not entered as a TestClient: that
    would run the app's lifespan again, and its end stops the app's mail sender."""
    return nullcontext(TestClient(api.app))


def _by_address(messages: list[EmailMessage]) -> dict[str, str]:
    return {str(m["To"]): m.get_content() for m in messages}


def _pairs(api: TestClient, season_id: int) -> dict[str, dict[str, Any]]:
    return {p["intern_id"]: p for p in api.get(f"/api/seasons/{season_id}/pairs").json()}


def test_publishing_sends_each_intern_and_host_a_danish_letter_with_a_personal_link(
    api: TestClient, smtp_server: SmtpServer
) -> None:
    season_id = _reviewed(api, h3_capacity=2)
    result = _publish(api, season_id)
    assert result["new_pairs"] == 4 and result["without_address"] == []
    pairs = _pairs(api, season_id)
    hosts_used = {p["host_id"] for p in pairs.values()}
    assert result["letters"] == 4 + len(hosts_used)
    letters = _by_address(smtp_server.inbox.wait_for(result["letters"]))
    camilla = letters["i2@example.dk"]
    host = next(h for h in HOSTS if h[0] == pairs["i2"]["host_id"])
    assert "Kære Camilla Berg" in camilla and f"hos {host[2]}, {host[1]}" in camilla
    assert "13. september 2027" in camilla and pairs["i2"]["reason"] in camilla
    assert f"kontakt.{host[0]}@example.dk" in camilla and LINK.search(camilla)
    host_letter = letters[f"kontakt.{host[0]}@example.dk"]
    assert "Camilla Berg, Faxe Kommune (kommune)" in host_letter
    assert "i2@example.dk" in host_letter and LINK.search(host_letter)
    assert api.get(f"/api/seasons/{season_id}").json()["phase"] == "published"
    # Only the token's hash is stored: no link in the database opens a page.
    engine = api.app.state.tvaers.store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        hashes = set(conn.execute(sa.select(season_links_table.c.token_hash)).scalars())
    for match in LINK.finditer(camilla + host_letter):
        assert match.group(1).rsplit("/", 1)[1] not in hashes
    again = api.post(f"/api/seasons/{season_id}/publish", json={"scenario_id": "x"})
    assert again.status_code in (400, 409)


def test_the_answer_link_opens_a_danish_page_and_the_coordinator_sees_the_answer(
    api: TestClient, smtp_server: SmtpServer, key_headers: dict[str, dict[str, str]]
) -> None:
    season_id = _reviewed(api, h3_capacity=2)
    result = _publish(api, season_id)
    letters = _by_address(smtp_server.inbox.wait_for(result["letters"]))
    link = LINK.search(letters["i1@example.dk"])
    assert link is not None
    with _anonymous(api) as anonymous:  # no key, no sign-in: the link is the key
        page = anonymous.get(link.group(1))
        assert page.status_code == 200 and "Tager du imod?" in page.text
        answered = anonymous.post(
            link.group(1),
            data={
                "intern_id": "i1",
                "host_id": _pairs(api, season_id)["i1"]["host_id"],
                "choice": "decline",
                "reason": "Jeg er syg den uge",
            },
        )
        assert answered.status_code == 200 and "Tak, dit svar er gemt" in answered.text
        others = anonymous.post(
            link.group(1), data={"intern_id": "i2", "host_id": "h2", "choice": "accept"}
        )
        assert others.status_code == 409  # only one's own pairs
        assert anonymous.get("/praktik/svar/" + "x" * 32).status_code == 404
    pair = _pairs(api, season_id)["i1"]
    assert (pair["intern_answer"], pair["intern_reason"], pair["status"]) == (
        "decline",
        "Jeg er syg den uge",
        "declined",
    )
    page = api.get(f"/praktik/saesoner/{season_id}")
    assert "nej tak: Jeg er syg den uge" in page.text and "1 sagt nej" in page.text
    # Who has not answered a pair still standing gets a reminder with a fresh link.
    standing = [
        p for p in api.get(f"/api/seasons/{season_id}/pairs").json() if p["intern_id"] != "i1"
    ]
    silent = {f"{p['intern_id']}@example.dk" for p in standing}
    silent |= {f"kontakt.{p['host_id']}@example.dk" for p in standing}
    reminded = api.post(f"/api/seasons/{season_id}/reminders")
    assert reminded.status_code == 200 and reminded.json()["letters"] == len(silent)
    arrived = smtp_server.inbox.wait_for(result["letters"] + len(silent))[result["letters"] :]
    assert {str(m["To"]) for m in arrived} == silent
    assert all(m["Subject"].startswith("Husk at svare") for m in arrived)
    assert all(LINK.search(m.get_content()) for m in arrived)


def _decline(
    api: TestClient, smtp_server: SmtpServer, season_id: int, intern: str, count: int
) -> str:
    letters = _by_address(smtp_server.inbox.wait_for(count))
    link = LINK.search(letters[f"{intern}@example.dk"])
    assert link is not None
    declined_host: str = _pairs(api, season_id)[intern]["host_id"]
    answered = api.post(
        link.group(1), data={"intern_id": intern, "host_id": declined_host, "choice": "decline"}
    )
    assert answered.status_code == 200
    return declined_host


def test_a_second_round_places_a_declined_intern_elsewhere_and_keeps_every_other_pair(
    api: TestClient, smtp_server: SmtpServer
) -> None:
    season_id = _reviewed(
        api, h3_capacity=2, locks=[{"intern_id": "i4", "host_id": "h3", "reason": "Aftalt"}]
    )
    first = _publish(api, season_id)
    before = _pairs(api, season_id)
    assert before["i4"]["host_id"] == "h3"
    declined_host = _decline(api, smtp_server, season_id, "i2", first["letters"])
    second = api.post(f"/api/seasons/{season_id}/rounds")
    assert second.status_code == 200, second.text
    assert second.json()["round"] == 2 and second.json()["new_pairs"] == 1
    assert second.json()["kept_pairs"] == 3 and second.json()["letters"] == 2
    after = api.get(f"/api/seasons/{season_id}/pairs").json()
    new = [p for p in after if p["round"] == 2]
    assert [p["intern_id"] for p in new] == ["i2"] and new[0]["host_id"] != declined_host
    for intern, pair in before.items():
        if intern != "i2":  # every other pair as it was
            assert any(p["intern_id"] == intern and p["host_id"] == pair["host_id"] for p in after)
    arrived = smtp_server.inbox.wait_for(first["letters"] + 2)
    assert {str(m["To"]) for m in arrived[first["letters"] :]} == {
        "i2@example.dk",
        f"kontakt.{new[0]['host_id']}@example.dk",
    }
    engine = api.app.state.tvaers.store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        actions = list(
            conn.execute(
                sa.select(audit_table.c.action).where(audit_table.c.kind == "season")
            ).scalars()
        )
    assert {"publish", "answer", "round"} <= set(actions)


def test_a_declined_pair_never_comes_back_even_when_its_place_is_the_only_one_left(
    api: TestClient, smtp_server: SmtpServer
) -> None:
    season_id = _reviewed(api, h3_capacity=1)  # four places, four interns
    first = _publish(api, season_id)
    declined_host = _decline(api, smtp_server, season_id, "i2", first["letters"])
    second = api.post(f"/api/seasons/{season_id}/rounds")
    assert second.status_code == 200, second.text
    assert second.json()["new_pairs"] == 0 and second.json()["unmatched"] == 1
    pairs = api.get(f"/api/seasons/{season_id}/pairs").json()
    assert [(p["host_id"], p["status"]) for p in pairs if p["intern_id"] == "i2"] == [
        (declined_host, "declined")
    ]


EVALUATION = re.compile(r"http://testserver(/praktik/evaluering/[A-Za-z0-9_-]+)")


def test_an_evaluation_by_link_is_answered_counted_and_shown_beside_the_seeds_figures(
    api: TestClient, smtp_server: SmtpServer
) -> None:
    season_id = _reviewed(api, h3_capacity=2)
    first = _publish(api, season_id)
    _decline(api, smtp_server, season_id, "i1", first["letters"])
    base = f"/api/seasons/{season_id}"
    early = api.post(f"{base}/evaluation/invitations")
    assert early.status_code == 400 and "Evaluering" in early.json()["detail"]
    for phase in ("published", "week"):
        assert api.post(f"{base}/phase", json={"expected": phase}).status_code == 200
    pairs = [p for p in api.get(f"{base}/pairs").json() if p["status"] != "declined"]
    people = {p["intern_id"] for p in pairs} | {p["host_id"] for p in pairs}
    invited = api.post(f"{base}/evaluation/invitations").json()["letters"]
    assert invited == len(people) and "i1" not in people
    assert api.post(f"{base}/evaluation/invitations").json()["letters"] == 0  # once each
    arrived = _by_address(smtp_server.inbox.wait_for(first["letters"] + invited))
    links = {
        address: match.group(1)
        for address, body in arrived.items()
        if (match := EVALUATION.search(body))
    }
    host = pairs[0]["host_id"]
    with _anonymous(api) as anonymous:
        form = anonymous.get(links["i2@example.dk"])
        assert form.status_code == 200 and "Fik du noget konkret ud af praktikken" in form.text
        missing = anonymous.post(links["i2@example.dk"], data={"useful": "ja"})
        assert missing.status_code == 422 and "Vælg ja eller nej." in missing.text
        answers = [
            ("i2@example.dk", {"useful": "ja", "recommend": "ja", "again": "nej"}),
            (f"kontakt.{host}@example.dk", {"useful": "nej", "recommend": "ja", "again": "ja"}),
        ]
        for address, answer in answers:
            done = anonymous.post(links[address], data=answer | {"take_home": "Klarsprog virker"})
            assert done.status_code == 200 and "Tak for dit svar" in done.text
    summary = api.get(f"{base}/evaluation").json()
    assert (summary["invited"], summary["answered"]) == (invited, 2)
    assert summary["answered_by_role"] == {"intern": 1, "host": 1}
    assert (summary["useful_share"], summary["recommend_share"], summary["again_share"]) == (
        0.5,
        1.0,
        0.5,
    )
    assert (summary["useful_reference"], summary["recommend_reference"]) == (0.75, 0.9)
    assert summary["cross_sector_reference"] == 0.28 and summary["declined"] == 1
    page = api.get(f"/praktik/saesoner/{season_id}/evaluering")
    assert page.status_code == 200 and "50 %" in page.text and "Klarsprog virker" in page.text
    exported = api.get(f"/praktik/saesoner/{season_id}/evaluering.csv")
    assert "Fik noget konkret ud af det" in exported.content.decode("utf-8-sig")
    api.post(f"{base}/phase", json={"expected": "evaluation"})  # archived: links stop
    with _anonymous(api) as anonymous:
        assert anonymous.get(links["i2@example.dk"]).status_code == 404


def _archived_with_evaluation(api: TestClient, smtp_server: SmtpServer) -> int:
    """A season through every phase: published, one pair declined, one evaluation answered."""
    season_id = _reviewed(
        api,
        h3_capacity=2,
        locks=[
            {"intern_id": "i4", "host_id": "h3", "reason": "Ida har aftalt det med Akutmodtagelsen"}
        ],
    )
    first = _publish(api, season_id)
    _decline(api, smtp_server, season_id, "i1", first["letters"])
    base = f"/api/seasons/{season_id}"
    for phase in ("published", "week"):
        api.post(f"{base}/phase", json={"expected": phase})
    invited = api.post(f"{base}/evaluation/invitations").json()["letters"]
    arrived = _by_address(smtp_server.inbox.wait_for(first["letters"] + invited))
    link = EVALUATION.search(arrived["i2@example.dk"])
    assert link is not None
    answer = {"useful": "ja", "recommend": "ja", "again": "ja", "take_home": "Camilla: klarsprog"}
    with _anonymous(api) as anonymous:
        assert anonymous.post(link.group(1), data=answer).status_code == 200
    api.post(f"{base}/phase", json={"expected": "evaluation"})
    return season_id


PERSONAL = [b"Camilla Berg", b"i2@example.dk", b"kontakt.h1@example.dk", b"Ida har aftalt"]


def test_an_archived_season_drops_its_personal_data_after_the_retention_period(
    api: TestClient, smtp_server: SmtpServer, home: Path
) -> None:
    season_id = _archived_with_evaluation(api, smtp_server)
    state = api.app.state.tvaers  # type: ignore[attr-defined]
    before = api.get(f"/api/seasons/{season_id}/evaluation").json()
    assert traces(home, PERSONAL)  # the check can see them at all
    archived_at = api.get(f"/api/seasons/{season_id}").json()["phase_since"]
    moment = dt.datetime.fromisoformat(archived_at)

    def keeper(months_later: int, days: int = 0) -> SeasonRetention:
        later = months_after(moment, months_later) + dt.timedelta(days=days)
        parts = (state.store.engine, state.season_review, state.season_evaluation)
        return SeasonRetention(*parts, clock=lambda: later)

    assert keeper(11, days=27).drop_personal_data(12) == []
    dropped = keeper(12).drop_personal_data(12)
    assert [d.season_id for d in dropped] == [season_id] and dropped[0].rows > 0
    assert keeper(13).drop_personal_data(12) == []  # once
    assert traces(home, PERSONAL) == []
    after = api.get(f"/api/seasons/{season_id}/evaluation").json()
    assert after == before | {"texts": []}  # the figures stay, the texts go
    assert api.get(f"/api/seasons/{season_id}").json()["name"] == SEASON["name"]
    engine = state.store.engine
    with engine.connect() as conn:
        changes = " ".join(
            conn.execute(
                sa.select(audit_table.c.changes).where(audit_table.c.record_id == str(season_id))
            ).scalars()
        )
    assert "i1 →" not in changes and "Ida har aftalt" not in changes and "published" in changes


def test_retention_runs_at_start_and_from_the_command_line(
    api: TestClient, smtp_server: SmtpServer, home: Path
) -> None:
    season_id = _archived_with_evaluation(api, smtp_server)
    engine = api.app.state.tvaers.store.engine  # type: ignore[attr-defined]
    long_ago = dt.datetime(2025, 1, 1)  # archived two years ago: past the 12 months
    with engine.begin() as conn:
        conn.execute(seasons_table.update().values(phase_since=long_ago))
    runner = CliRunner()
    dry = runner.invoke(cli.main, ["--home", str(home), "season", "retention", "--dry-run"])
    assert dry.exit_code == 0 and f"[{season_id}]" in dry.output
    assert traces(home, PERSONAL)
    done = runner.invoke(cli.main, ["--home", str(home), "season", "retention"])
    assert done.exit_code == 0 and "persondata slettet" in done.output, done.output
    assert traces(home, PERSONAL) == []


def test_a_service_starting_drops_what_is_past_the_retention_period(
    api: TestClient, smtp_server: SmtpServer, home: Path
) -> None:
    _archived_with_evaluation(api, smtp_server)
    engine = api.app.state.tvaers.store.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(seasons_table.update().values(phase_since=dt.datetime(2025, 1, 1)))
    assert traces(home, PERSONAL)
    with TestClient(make_app(home)):
        assert traces(home, PERSONAL) == []


def test_a_coordinators_own_letter_is_checked_and_sent(
    api: TestClient, smtp_server: SmtpServer
) -> None:
    season_id = _reviewed(api, h3_capacity=2)
    base = f"/api/seasons/{season_id}/letters"
    assert api.get(base).json()["intern_letter"].startswith("Emne: Din plads i")
    wrong = api.put(base, json={"intern_letter": "Emne: Hej\n\n{{ værtens_navn }}"})
    assert wrong.status_code == 400 and "kan ikke udfyldes" in wrong.json()["detail"]
    own = "Emne: Velkommen, {{ name }}\n\nDu skal til {{ host_unit }}. Svar her: {{ link }}\n"
    assert api.put(base, json={"intern_letter": own}).json()["intern_letter"] == own
    result = _publish(api, season_id)
    letters = {str(m["To"]): m for m in smtp_server.inbox.wait_for(result["letters"])}
    camilla = letters["i2@example.dk"]
    assert camilla["Subject"] == "Velkommen, Camilla Berg"
    assert LINK.search(camilla.get_content())
    host = _pairs(api, season_id)["i2"]["host_id"]
    assert letters[f"kontakt.{host}@example.dk"]["Subject"].startswith("Jeres praktikant")


def test_the_season_page_saves_a_coordinators_letter_and_refuses_a_broken_one(
    api: TestClient, signed_in: Callable[..., TestClient]
) -> None:
    season_id = _reviewed(api, h3_capacity=2)
    coordinator = signed_in("kim", "tvaers-koordinatorer")
    page = coordinator.get(f"/praktik/saesoner/{season_id}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None and "Brev til praktikanter" in page.text
    path = f"/praktik/saesoner/{season_id}/breve"
    own = "Emne: Hej {{ name }}\n\nDu skal til {{ host_unit }}: {{ link }}"
    broken = coordinator.post(path, data={"csrf_token": token.group(1), "intern_letter": "Hej"})
    assert broken.status_code == 422 and "Emne:" in broken.text
    saved = coordinator.post(path, data={"csrf_token": token.group(1), "intern_letter": own})
    assert saved.status_code == 200 and "Brevene er gemt." in saved.text
    assert api.get(f"/api/seasons/{season_id}/letters").json()["intern_letter"] == own


def test_the_season_page_publishes_shows_the_answers_and_runs_a_second_round(
    api: TestClient, signed_in: Callable[..., TestClient]
) -> None:
    season_id = _reviewed(api, h3_capacity=2)
    scenario = api.post(f"/api/seasons/{season_id}/scenarios", json={"name": "Bedst"}).json()
    coordinator = signed_in("kim", "tvaers-koordinatorer")
    path = f"/praktik/saesoner/{season_id}"
    page = coordinator.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None and "Offentliggør og send breve" in page.text
    csrf = token.group(1)
    published = coordinator.post(
        f"{path}/offentliggoer", data={"csrf_token": csrf, "scenario_id": scenario["id"]}
    )
    assert published.status_code == 200
    assert "4 par er offentliggjort" in published.text and "4 venter på svar" in published.text
    outbox = api.app.state.tvaers.outbox  # type: ignore[attr-defined]
    letter = next(m for m in outbox.messages() if m.to_address == "i2@example.dk")
    link = re.search(r"https://testserver(/praktik/svar/[\w-]+)", letter.body)
    assert link is not None  # the coordinator's own address starts the link
    host = _pairs(api, season_id)["i2"]["host_id"]
    declined = coordinator.post(
        link.group(1), data={"intern_id": "i2", "host_id": host, "choice": "withdraw"}
    )
    assert declined.status_code == 200
    again = coordinator.post(f"{path}/ny-runde", data={"csrf_token": csrf})
    assert again.status_code == 200 and "Runde 2: 0 nye par" in again.text
    assert "kan ikke deltage i år" in again.text  # withdrawn: not placed again


class AnsweringEmbedder(FakeEmbedder):
    """Embeds as the fake does; on its first call, a participant answers (as if by link while
    the round's solve runs)."""

    def __init__(self, answer: Callable[[], object]) -> None:
        super().__init__()
        self._answer: Callable[[], object] | None = answer

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if self._answer is not None:
            answer, self._answer = self._answer, None
            answer()
        return super().embed_queries(texts)


def test_answers_given_while_a_second_round_runs_wait_for_the_next_one(
    api: TestClient, smtp_server: SmtpServer
) -> None:
    season_id = _reviewed(api, h3_capacity=2)
    first = _publish(api, season_id)
    _decline(api, smtp_server, season_id, "i2", first["letters"])
    letters = _by_address(smtp_server.inbox.wait_for(first["letters"]))
    token = LINK.search(letters["i3@example.dk"])
    assert token is not None
    state = api.app.state.tvaers  # type: ignore[attr-defined]
    publishing = state.season_publishing
    i3_host = _pairs(api, season_id)["i3"]["host_id"]

    def i3_declines() -> object:
        secret = token.group(1).rsplit("/", 1)[1]
        return publishing.answer(secret, "i3", i3_host, "decline")

    result = publishing.second_round(
        season_id, AnsweringEmbedder(i3_declines), "http://testserver", Actor("k", "Kim")
    )
    assert [p.intern_id for p in result.new_pairs] == ["i2"]
    assert _pairs(api, season_id)["i3"]["status"] == "declined"
