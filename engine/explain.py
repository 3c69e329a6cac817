"""Snippets with the matched words highlighted, so every hit explains itself."""

from __future__ import annotations

from indexer.analysis import Token

SNIPPET_CHARS = 220
LEAD_CHARS = 60


def snippet_with_highlights(
    text: str, terms: set[str], text_tokens: list[Token]
) -> tuple[str, list[tuple[int, int]]]:
    """The part of `text` holding most matched terms, and the spans of those words in it."""
    matches = [t for t in text_tokens if t.term in terms]
    if not matches:
        return _cut(text, 0), []
    best_start, best_count = 0, -1
    for anchor in matches:
        window_start = max(0, anchor.start - LEAD_CHARS)
        count = sum(
            1 for m in matches if window_start <= m.start and m.end <= window_start + SNIPPET_CHARS
        )
        if count > best_count:
            best_start, best_count = window_start, count
    start = _word_start(text, best_start)
    snippet = _cut(text, start)
    prefix = 1 if start > 0 else 0  # the leading "…"
    spans = [
        (m.start - start + prefix, m.end - start + prefix)
        for m in matches
        if m.start >= start and m.end - start + prefix <= len(snippet.rstrip("…"))
    ]
    return snippet, _merged(spans)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans in order, overlapping ones as one ("SOSU-elever" matched whole and by a part)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _word_start(text: str, position: int) -> int:
    if position <= 0:
        return 0
    space = text.rfind(" ", 0, position)
    return 0 if space < 0 else space + 1


def _cut(text: str, start: int) -> str:
    end = start + SNIPPET_CHARS
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
        body = text[start:end].rstrip(" ,.;:") + "…"
    else:
        body = text[start:]
    return ("…" if start > 0 else "") + body
