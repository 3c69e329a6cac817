"""Small inline SVG bar charts for the review page: no script, no CDN, readable by screen
readers (a title and one text per bar), and they scale down on phones."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from engine.season import Group

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 110
BAR_WIDTH = 160
VALUE_WIDTH = 50


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, float]],
    *,
    maximum: float | None = None,
    reference: tuple[str, float] | None = None,
    percent: bool = False,
) -> Markup:
    """Horizontal bars, one per (label, value); `reference` draws a labelled dashed line."""
    top = max([maximum or 0.0, *(v for _, v in bars), reference[1] if reference else 0.0]) or 1.0
    height = len(bars) * (BAR_HEIGHT + GAP) + (20 if reference else 0)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for n, (label, value) in enumerate(bars):
        y = n * (BAR_HEIGHT + GAP)
        length = BAR_WIDTH * max(value, 0.0) / top
        shown = f"{value * 100:.0f} %" if percent else f"{value:g}"
        parts += [
            f'<text x="{LABEL_WIDTH - 4}" y="{y + 13}" text-anchor="end">{escape(label)}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            'class="bar"/>',
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 13}">{escape(shown)}</text>',
        ]
    if reference:
        x = LABEL_WIDTH + BAR_WIDTH * reference[1] / top
        bottom = len(bars) * (BAR_HEIGHT + GAP)
        parts += [
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{bottom}" class="reference"/>',
            f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle">'
            f"{escape(reference[0])}</text>",
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def group_bars(groups: Sequence[Group]) -> list[tuple[str, float]]:
    """(name, share with a place) per organisation or sector, for `bar_chart`."""
    return [(g.name, g.matched_share) for g in groups]
