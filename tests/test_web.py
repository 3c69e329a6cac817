"""The Danish web page, server-rendered: search, unit page, pairing page, escaping, no CDN."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from service import cli
from tests.fakes import FakeEmbedder

pytest_plugins = ("tests.conftest_service", "tests.oidc")

# The `week_files` fixture: multipart uploads of the week's files, by key.
WeekFiles = Callable[..., dict[str, tuple[str, bytes, str]]]


@pytest.fixture
def coordinator(signed_in: Callable[..., TestClient]) -> TestClient:
    """Innovationspraktik needs the coordinator role: a client signed in with it."""
    return signed_in("kim", "tvaers-koordinatorer")


def _csrf(client: TestClient, path: str = "/praktik") -> dict[str, str]:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match is not None, "the form carries no CSRF token"
    return {"csrf_token": match.group(1)}


def test_search_page_offers_the_filters_in_the_index(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="da">' in page.text
    assert "Skriv et par ord for at søge." in page.text
    for value in ("Region Sjælland", "Digitaliseringsstyrelsen", "Ældre og sundhed", "stat"):
        assert f'<option value="{value}" data-label="{value}">' in page.text


def test_search_page_with_results(
    client: TestClient, key_headers: dict[str, dict[str, str]]
) -> None:
    """With a key (or a session) the hits carry contact details."""
    headers = key_headers["test-reader"]
    page = client.get("/", params={"q": "skærmbesøg om natten"}, headers=headers).text
    first = page.index('data-id="u001"')
    assert first < page.index('data-id="p001"')
    assert re.search(r"resultater for »skærmbesøg om natten«", page)
    assert "<mark>skærmbesøg</mark>" in page.lower()
    assert 'href="mailto:anne.holm@faxe.dk"' in page


def test_search_page_keeps_the_filters(client: TestClient) -> None:
    page = client.get("/", params={"q": "skærmbesøg", "sector": "region"}).text
    assert '<option value="region" data-label="region" selected>region (' in page
    assert 'data-id="u001"' not in page and 'data-id="u003"' in page


def test_search_page_empty_state(client: TestClient) -> None:
    page = client.get("/", params={"q": "skærmbesøg", "organisation": "Ingen"}).text
    assert "Ingen resultater for »skærmbesøg«." in page


def test_user_text_is_escaped(client: TestClient, auth: dict[str, str]) -> None:
    evil = '<script>alert("x")</script> Ondsindet'
    body = {
        "id": "u66",
        "name": evil,
        "organisation": "<b>Org</b>",
        "sector": "stat",
        "description": f"{evil} beskrivelse med robotter",
    }
    assert client.post("/api/units", json=body, headers=auth).status_code == 201
    for page in (
        client.get("/", params={"q": "ondsindet <i>"}).text,
        client.get("/enheder/u66").text,
    ):
        assert "<script>alert" not in page and "<b>Org</b>" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "»ondsindet &lt;i&gt;«" in client.get("/", params={"q": "ondsindet <i>"}).text


def test_unit_page(client: TestClient) -> None:
    page = client.get("/enheder/u001").text
    assert '<h1 id="unit-name">Hjemmeplejen Nat</h1>' in page
    assert 'id="person-p001"' in page and "Ingeborg Skovsgaard" in page
    assert 'id="trial-t001"' in page and "Skærmbesøg om natten" in page
    assert "Lignende enheder" in page and "Kun andre organisationer" in page
    similar = page[page.index('id="similar"') : page.index('id="recommended-trials"')]
    assert similar.count('class="card"') == 5
    assert "Prøvehandlinger fra lignende enheder" in page
    assert "Kolleger andre steder, der ved noget om det samme" in page


def test_unit_page_says_in_danish_why_each_item_is_recommended(client: TestClient) -> None:
    page = client.get("/enheder/u003").text  # Center for Digital Velfærd
    reasons = re.findall(r'<span class="why-label">Hvorfor:</span> ([^<]*)</p>', page)
    assert len(reasons) == page.count('class="reason"') > 0
    assert "Fælles kompetencer: skærmbesøg." in reasons
    assert any(r.startswith("Nærmest enhedens kompetence »") for r in reasons)
    assert "Ligner enheden i betydning." not in reasons  # the unit lists competencies


def test_unit_page_other_organisations(client: TestClient) -> None:
    page = client.get("/enheder/u001", params={"andre": "1"}).text
    similar = page[page.index('id="similar"') : page.index('id="recommended-trials"')]
    assert "Faxe Kommune" not in similar
    assert 'name="andre" value="1" checked' in page


def test_unit_page_not_found(client: TestClient) -> None:
    page = client.get("/enheder/u404")
    assert page.status_code == 404
    assert "Der findes ingen enhed med id &#39;u404&#39;." in page.text


def test_pairing_page(coordinator: TestClient) -> None:
    page = coordinator.get("/praktik").text
    assert 'enctype="multipart/form-data"' in page
    assert 'name="hosts"' in page and 'name="interns"' in page and 'name="locks"' in page


def test_pairing_page_upload(coordinator: TestClient, week_files: WeekFiles) -> None:
    page = coordinator.post(
        "/praktik", files=week_files("hosts", "interns", "locks"), data=_csrf(coordinator)
    )
    assert page.status_code == 200
    assert '<dd id="figure-matched">3 af 3</dd>' in page.text
    assert "Rasmus Juul" in page.text and "Klarsprogsenheden" in page.text
    link = re.search(r'id="download-csv" href="([^"]+)"', page.text)
    assert link is not None
    download = coordinator.get(link.group(1).replace("&amp;", "&"))
    assert download.status_code == 200 and download.text.startswith('"Praktikantens id",')


def test_pairing_page_missing_file(coordinator: TestClient, week_files: WeekFiles) -> None:
    page = coordinator.post("/praktik", files=week_files("hosts"), data=_csrf(coordinator))
    assert page.status_code == 422
    assert "Vælg en fil med praktikanter." in page.text


def test_pairing_page_empty_file_counts_as_missing(
    coordinator: TestClient, week_files: WeekFiles
) -> None:
    files = week_files("interns")
    files["hosts"] = ("hosts.csv", b"  \n", "text/csv")
    page = coordinator.post("/praktik", files=files, data=_csrf(coordinator))
    assert page.status_code == 422
    assert "Vælg en fil med værter." in page.text


def test_pairing_page_too_large_file(coordinator: TestClient, week_files: WeekFiles) -> None:
    files = week_files("interns")
    files["hosts"] = ("hosts.csv", b"x" * (5 * 1024 * 1024 + 1), "text/csv")
    page = coordinator.post("/praktik", files=files, data=_csrf(coordinator))
    assert page.status_code == 413
    assert "Filen &#39;hosts.csv&#39; er for stor: højst 5 MB pr. fil." in page.text


def test_pairing_page_bad_file(coordinator: TestClient, week_files: WeekFiles) -> None:
    files = week_files("interns")
    files["hosts"] = ("hosts.csv", b"id,organisation\nh1,Faxe\n", "text/csv")
    page = coordinator.post("/praktik", files=files, data=_csrf(coordinator))
    assert page.status_code == 422
    assert "Ret disse fejl" in page.text
    assert "hosts.csv, linje 1, kolonne &#39;capacity&#39;: kolonnen mangler" in page.text


def test_everything_is_served_locally(client: TestClient) -> None:
    for path in ("/", "/enheder/u001", "/praktik"):
        page = client.get(path, params={"q": "MitID"}).text
        for url in re.findall(r'(?:src|href)="([^"]+)"', page):
            assert url.startswith(("/", "#", "mailto:", "tel:")), url
    for asset in ("style.css", "search.js", "cards.js", "unit.js", "pairing.js", "favicon.svg"):
        response = client.get(f"/static/{asset}")
        assert response.status_code == 200
        assert "https://" not in response.text


PAGES = [
    "/",
    "/?q=MitID",
    "/enheder/u001",
    "/praktik",
    "/docs",
    "/log-ind",
    "/mine",
    "/soegehuller",
    "/rediger/unit/u001",
    "/enheder/u001/ny/person",
    "/rediger/person/p001/slet",
    "/admin/foraeldede",
    "/admin/log",
    "/admin/redaktoerer",
    "/admin/synonymer",
]


def test_no_page_names_its_own_files_by_absolute_url(signed_in: Callable[..., TestClient]) -> None:
    """Behind a TLS proxy an http://host:port/static/… link is refused as mixed content."""
    admin = signed_in("ada", "tvaers-admins")
    for path in PAGES:
        page = admin.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html"), path
        assert "://testserver" not in page.text, path
        assert re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text), path
    missing = admin.get("/ingenting", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "://testserver" not in missing.text


@pytest.mark.parametrize(
    "path", ["/", "/?q=MitID", "/enheder/u001", "/praktik", "/docs", "/ingenting"]
)
def test_every_page_has_the_protective_headers(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_no_page_carries_an_inline_script(client: TestClient) -> None:
    """script-src 'self' refuses inline scripts, so the pages must have none to keep working."""
    for path in ("/", "/?q=MitID", "/enheder/u001", "/praktik", "/docs"):
        html = client.get(path).text
        for tag in re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S):
            assert tag.strip() == "", f"inline script on {path}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler on {path}"


def test_files_and_the_api_have_them_too(client: TestClient) -> None:
    for path in ("/static/search.js", "/api/search?q=MitID", "/health"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path


def test_pairing_page_without_sign_in_says_how_to_turn_it_on(
    client: TestClient, week_files: WeekFiles
) -> None:
    """Without OIDC settings nobody is a coordinator: the page says why and what to set."""
    page = client.get("/praktik")
    assert page.status_code == 403
    assert "Innovationspraktik kræver, at du logger ind som koordinator" in page.text
    assert "TVAERS_OIDC_ISSUER" in page.text and "tvaers pair" in page.text
    assert 'id="editing-off"' in page.text  # the header: editing is off
    posted = client.post("/praktik", files=week_files("hosts", "interns"))
    assert posted.status_code == 403 and 'id="figure-matched"' not in posted.text


def test_pairing_page_refuses_a_reader(
    signed_in: Callable[..., TestClient], week_files: WeekFiles
) -> None:
    reader = signed_in("rita", "tvaers-laesere")
    page = reader.get("/praktik")
    assert page.status_code == 403
    assert "kræver rollen koordinator" in page.text and 'name="hosts"' not in page.text
    posted = reader.post("/praktik", files=week_files("hosts", "interns"), data=_csrf(reader, "/"))
    assert posted.status_code == 403 and 'id="figure-matched"' not in posted.text


def test_pairing_page_refuses_a_wrong_csrf_token(
    coordinator: TestClient, week_files: WeekFiles
) -> None:
    page = coordinator.post(
        "/praktik", files=week_files("hosts", "interns"), data={"csrf_token": "forkert"}
    )
    assert page.status_code == 403
    assert "sikkerhedsnøgle mangler eller er forældet" in page.text
    missing = coordinator.post("/praktik", files=week_files("hosts", "interns"))
    assert missing.status_code == 403


def test_the_pairing_page_suggests_a_command_that_works(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without sign-in the page points to `tvaers pair`; the command as written must run."""
    page = client.get("/praktik").text
    found = re.search(r"<code>tvaers (pair [^<]+)</code>", page)
    assert found, "the page suggests no command"
    week = Path(__file__).resolve().parents[1] / "data" / "sample" / "week"
    files = {"hosts.csv": week / "hosts.csv", "interns.csv": week / "interns.csv"}
    args = [str(files.get(a) or (tmp_path / a if "." in a else a)) for a in found[1].split()]
    monkeypatch.setattr(cli, "make_embedder", lambda settings: FakeEmbedder())
    result = CliRunner().invoke(cli.main, ["--home", str(tmp_path / "h"), *args])
    assert result.exit_code == 0, result.output
    assert "81 af 81 praktikanter har fået plads" in result.stderr
