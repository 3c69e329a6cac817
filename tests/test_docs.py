"""The README and docs/: every relative link resolves to a file in the repository (and to a heading,
when it names one), nothing links outside the repository, and the README stays short."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)


def links_of(text: str) -> list[str]:
    return LINK.findall(FENCE.sub("", text))


def anchors_of(text: str) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped (letters such as æ, ø, å kept),
    spaces to hyphens."""
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", FENCE.sub("", text), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_the_documents_exist() -> None:
    names = {p.name for p in DOCS}
    assert {"README.md", "data.md", "brug.md", "drift.md", "api.md", "udvikling.md"} <= names


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    checked = 0
    for link in links_of(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", link):  # http:, https:, mailto:
            continue
        path, _, anchor = link.partition("#")
        target = (doc.parent / path).resolve() if path else doc
        assert target.is_relative_to(ROOT), f"{link} leaves the repository"
        assert target.exists(), f"{doc.name}: {link} does not exist"
        if anchor and target.suffix == ".md":
            anchors = anchors_of(target.read_text(encoding="utf-8"))
            assert anchor in anchors, f"{doc.name}: {link} names no heading of {target.name}"
        checked += 1
    assert checked or doc.name != "README.md"


def test_the_readme_is_short() -> None:
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 300


def test_a_link_checker_that_cannot_fail_is_no_checker() -> None:
    """The patterns above find links, images and headings as the documents write them."""
    text = "# Søgekvalitet (make eval)\n[a](x.md#b) ![c](d.png)\n```\n[e](f.md)\n```\n"
    assert links_of(text) == ["x.md#b", "d.png"]
    assert anchors_of(text) == {"søgekvalitet-make-eval"}
