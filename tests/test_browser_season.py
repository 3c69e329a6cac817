"""In Chromium, a season of Innovationspraktik as a coordinator and the participants go through
it, on the pages: the coordinator imports hosts and interns, closes registration, runs two
scenarios (best overall and stable) and compares them side by side with both fairness reports;
publishing sends Danish letters with personal links through a real SMTP server; an intern opens
their link and declines; a second round gives the freed place to the intern who was waiting,
keeps every other pair and never brings back the declined one; the season moves on to
evaluation, an intern answers by link, and the coordinator's summary counts the answer.

Every step goes through the pages a person uses; no API call is needed. The test reads the
pairs from the service's state to know whom to follow and to check the second round, and reads
the letters from what arrived at the SMTP server."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.browser import BROWSER_MARKS, serve, shot
from tests.smtp_server import SmtpServer

pytest_plugins = ("tests.conftest_service", "tests.browser", "tests.smtp_server")
pytestmark = BROWSER_MARKS

# Four places for five interns: one waits for a place to be freed. No intern shares an
# organisation with a host, and every intern can take every host's length (2 days).
HOSTS = [
    ("h1", "Faxe Kommune", "Hjemmeplejen Nat", "kommune", "Skærmbesøg om natten.", 2, "1;2"),
    ("h2", "Digitaliseringsstyrelsen", "Klarsprogsenheden", "stat", "Breve i klart sprog.", 1, "2"),
    ("h3", "Region Sjælland", "Akutmodtagelsen", "region", "Triage og flow i akutten.", 1, "2"),
]
INTERNS = [
    ("i1", "Rasmus Juul", "Region Hovedstaden", "region", "Skærmbesøg hos ældre om natten.", ""),
    ("i2", "Camilla Berg", "Køge Kommune", "kommune", "Jeg vil lære klarsprog i breve.", "h2"),
    ("i3", "Omar Said", "Finansministeriet", "stat", "Velfærdsteknologi i kommunerne.", ""),
    ("i4", "Ida Lund", "Stevns Kommune", "kommune", "Hvordan en akutmodtagelse prioriterer.", ""),
    ("i5", "Jonas Friis", "Skattestyrelsen", "stat", "Triage og flow i en akutmodtagelse.", ""),
]
SEASON = {
    "name": "Innovationspraktik 2027, uge 37",
    "registration_opens": "2027-05-01",
    "registration_deadline": "2027-06-15",
    "week_starts": "2027-09-13",
    "week_ends": "2027-09-17",
}
ANSWER_LINK = re.compile(r"http://127\.0\.0\.1:\d+/praktik/svar/[A-Za-z0-9_-]+")
EVALUATION_LINK = re.compile(r"http://127\.0\.0\.1:\d+/praktik/evaluering/[A-Za-z0-9_-]+")
LETTERS = re.compile(r"(\d+) breve er lagt i posten")


def _write_csv(path: Path, header: str, rows: list[tuple[Any, ...]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header.split(","))
        writer.writerows(rows)
    return path


@pytest.fixture
def season_server(
    indexed_home: Path, tmp_path: Path, smtp_server: SmtpServer
) -> Iterator[tuple[str, str, Any]]:
    """The service as on a laptop (local sign-in as admin), sending mail to the test's SMTP
    server; yields its address, the sign-in link and its state."""
    from service.app import create_app
    from service.auth.local import LocalSignIn
    from service.config import Settings
    from tests.fakes import FakeEmbedder

    home = tmp_path / "home"
    shutil.copytree(indexed_home, home)
    local = LocalSignIn()
    settings = Settings(
        home=home,
        api_key=None,
        database_url=None,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_from="Innovationspraktik <praktik@faxe.dk>",
        smtp_security="none",
        mail_poll_seconds=3600,  # only a wake sends: each button wakes the sender
    )
    app = create_app(settings, embedder=FakeEmbedder(), local_sign_in=local)
    with serve(app) as url:
        yield url, local.link(url), app.state.tvaers


def _by_address(messages: list[EmailMessage]) -> dict[str, str]:
    return {str(m["To"]): m.get_content() for m in messages}


def _letters_sent(page: Any) -> int:
    from playwright.sync_api import expect

    notice = page.locator("#season-notice")
    expect(notice).to_contain_text("breve er lagt i posten")
    found = LETTERS.search(notice.inner_text())
    assert found is not None
    return int(found.group(1))


def test_a_season_goes_from_review_through_publishing_and_a_second_round_to_evaluation(
    season_server: tuple[str, str, Any],
    browser: Any,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    url, link, state = season_server
    hosts_csv = _write_csv(
        tmp_path / "hosts.csv",
        "id,organisation,unit_name,sector,offer,capacity,durations,contact_email",
        [(*h, f"kontakt.{h[0]}@example.dk") for h in HOSTS],
    )
    interns_csv = _write_csv(
        tmp_path / "interns.csv",
        "id,name,organisation,sector,wish,duration,wished_hosts,excluded_hosts,email",
        [(*i[:5], 2, i[5], "", f"{i[0]}@example.dk") for i in INTERNS],
    )
    violations: list[str] = []
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="da-DK")
    context.set_default_timeout(15_000)
    context.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        # The coordinator signs in, creates the season, imports the participants (the bulk
        # import; registering on the pages is test_browser_registration's) and closes
        # registration.
        coordinator = context.new_page()
        coordinator.goto(link)
        coordinator.wait_for_url(url + "/")
        coordinator.goto(url + "/praktik/saesoner")
        for key, value in SEASON.items():
            coordinator.fill(f"#season-{key}", value)
        coordinator.check("input[name=current]")
        coordinator.click("#create-season")
        coordinator.wait_for_url(re.compile(r"/praktik/saesoner/\d+$"))
        season_path = coordinator.url
        season_id = int(season_path.rsplit("/", 1)[1])
        expect(coordinator.locator("h1")).to_have_text(SEASON["name"])
        coordinator.set_input_files("#hosts", str(hosts_csv))
        coordinator.set_input_files("#interns", str(interns_csv))
        coordinator.click("#import-participants")
        expect(coordinator.locator("#participant-counts")).to_have_text(
            "3 værter og 5 praktikanter."
        )
        phase = coordinator.locator("#season-phase")
        coordinator.click("#advance-season")
        expect(phase).to_contain_text("Tilmelding lukket")
        coordinator.click("#advance-season")
        expect(phase).to_contain_text("Gennemgang af forslag")

        # Two scenarios, compared side by side, each with its fairness report.
        for name, mode in (("Bedst samlet", "optimal"), ("Stabilt", "stable")):
            coordinator.goto(season_path)
            coordinator.fill("#scenario-name", name)
            coordinator.check(f"input[name=mode][value={mode}]")
            coordinator.click("#run-scenario")
            coordinator.wait_for_url(season_path + "/scenarier")
        scenarios = coordinator.locator("section.scenario")
        expect(scenarios).to_have_count(2)
        expect(scenarios.locator("h2")).to_have_text(["Stabilt", "Bedst samlet"])
        for index in range(2):
            report = scenarios.nth(index)
            expect(report.locator(".figure-matched")).to_have_text("4 af 5")
            expect(report.locator(".figure-cross")).to_contain_text("(normalt 28 %)")
            expect(report.locator(".figure-blocking")).to_have_text(re.compile(r"^\d+$"))
            expect(report.locator("svg").first).to_be_visible()
            expect(report.locator(".left-out li")).to_have_count(1)
        expect(scenarios.nth(0)).to_contain_text("Stabilt ·")
        expect(scenarios.nth(1)).to_contain_text("Bedst samlet ·")
        shot(coordinator, "season-scenarios.png", full_page=True)

        # Publishing: the letters arrive at the SMTP server, in Danish, with a personal link.
        coordinator.goto(season_path)
        coordinator.select_option("#publish-scenario", label="Bedst samlet (4 par)")
        coordinator.click("#publish")
        sent = _letters_sent(coordinator)
        expect(coordinator.locator("#season-notice")).to_contain_text("4 par er offentliggjort")
        expect(phase).to_contain_text("Par offentliggjort")
        first = {p.intern_id: p for p in state.season_publishing.pairs(season_id)}
        (waiting,) = {i[0] for i in INTERNS} - set(first)
        declining = sorted(first)[0]
        declined_host = first[declining].host_id
        letters = _by_address(smtp_server.inbox.wait_for(sent, timeout=30))
        intern = next(i for i in INTERNS if i[0] == declining)
        host = next(h for h in HOSTS if h[0] == declined_host)
        letter = letters[f"{declining}@example.dk"]
        assert f"Kære {intern[1]}" in letter
        assert f"hos {host[2]}, {host[1]}" in letter and "13. september 2027" in letter
        assert f"kontakt.{host[0]}@example.dk" in letter and first[declining].reason in letter
        answer_link = ANSWER_LINK.search(letter)
        assert answer_link is not None and answer_link.group(0).startswith(url)
        assert ANSWER_LINK.search(letters[f"kontakt.{declined_host}@example.dk"])

        # The intern opens their link in the browser and declines.
        participant = context.new_page()
        participant.goto(answer_link.group(0))
        expect(participant.locator("h2").first).to_contain_text(host[2])
        participant.check("input[name=choice][value=decline]")
        participant.fill("#reason-1", "Jeg er på kursus den uge")
        participant.click(".answer-form button[type=submit]")
        expect(participant.locator("#answer-thanks")).to_be_visible()
        expect(participant.locator(".my-answer")).to_have_text("nej tak")

        # The coordinator sees the answer and runs a second round.
        coordinator.goto(season_path)
        expect(coordinator.locator("#answers")).to_contain_text("nej tak: Jeg er på kursus den uge")
        coordinator.click("#second-round")
        notice = coordinator.locator("#season-notice")
        expect(notice).to_contain_text("Runde 2: 1 nye par (de 3 par, der står ved magt, er holdt)")
        second_letters = _letters_sent(coordinator)
        after = state.season_publishing.pairs(season_id)
        new = [(p.intern_id, p.host_id) for p in after if p.round == 2]
        assert new == [(waiting, declined_host)], "the freed place goes to the waiting intern"
        standing = {(p.intern_id, p.host_id) for p in after if p.status != "declined"}
        kept = {(i, p.host_id) for i, p in first.items() if i != declining}
        assert kept <= standing, "every pair not declined is kept"
        assert (declining, declined_host) not in standing
        assert [p.status for p in after if p.intern_id == declining] == ["declined"]
        arrived = smtp_server.inbox.wait_for(sent + second_letters, timeout=30)[sent:]
        assert {str(m["To"]) for m in arrived} == {
            f"{waiting}@example.dk",
            f"kontakt.{declined_host}@example.dk",
        }

        # The week, then evaluation: an intern answers by link and is counted.
        coordinator.click("#advance-season")
        expect(phase).to_contain_text("Praktikugen")
        coordinator.click("#advance-season")
        expect(phase).to_contain_text("Evaluering")
        coordinator.click("#invite-evaluation")
        invited_notice = coordinator.locator("#season-notice")
        expect(invited_notice).to_contain_text("Evalueringen er lagt i posten til")
        invited_text = re.search(r"til (\d+) deltagere", invited_notice.inner_text())
        assert invited_text is not None
        invited = int(invited_text.group(1))
        assert invited == 4 + len({h for _, h in standing})  # everyone in a standing pair
        total = sent + second_letters + invited
        evaluations = _by_address(
            smtp_server.inbox.wait_for(total, timeout=30)[sent + second_letters :]
        )
        assert f"{declining}@example.dk" not in evaluations
        evaluation_link = EVALUATION_LINK.search(evaluations[f"{waiting}@example.dk"])
        assert evaluation_link is not None

        participant.goto(evaluation_link.group(0))
        participant.check("input[name=useful][value=ja]")
        participant.check("input[name=recommend][value=ja]")
        participant.check("input[name=again][value=nej]")
        participant.fill("#take-home", "Triage kan læres på en dag.")
        participant.click("#send-evaluation")
        expect(participant.locator("#evaluation-thanks")).to_be_visible()

        coordinator.goto(season_path + "/evaluering")
        figures = coordinator.locator("#evaluation-figures")

        def figure(label: str) -> Any:
            return figures.locator("tr", has=coordinator.get_by_text(label, exact=True))

        expect(figure("Har svaret").locator("td").nth(1)).to_have_text("1")
        expect(figure("Inviteret til evaluering").locator("td").nth(1)).to_have_text(str(invited))
        expect(figure("Fik noget konkret ud af det").locator("td")).to_have_text(
            ["Fik noget konkret ud af det", "100 %", "75 %"]
        )
        expect(figure("Vil være med igen").locator("td").nth(1)).to_have_text("0 %")
        expect(coordinator.locator("#evaluation-texts")).to_contain_text(
            "Triage kan læres på en dag."
        )
        shot(coordinator, "season-evaluation.png", full_page=True)
    finally:
        context.close()
    assert violations == [], "a page broke its own CSP"
