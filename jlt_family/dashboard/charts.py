"""Charts as inline SVG, drawn on the server: nothing is fetched by the browser, nothing runs in it.

Each bar is a ``<rect class="bar">`` carrying its series, label and value as data attributes (and a ``<title>``
for the tooltip), so a reader, a screen reader and a test all see the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

PALETTE = ("#2f6fb3", "#e08a2e", "#3a9a5b", "#b8433f", "#7d5ba6", "#8c8c8c")
WIDTH = 720
HEIGHT = 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 12, 16, 56


def _fmt(value, percent):
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _ticks(top, percent):
    if percent:
        return [0, 0.25, 0.5, 0.75, 1.0]
    step = max(1, -(-top // 4))
    return [step * i for i in range(5)]


def column_chart(
    categories: Iterable[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    percent: bool = False,
    label: str = "",
    threshold: float | None = None,
    short_labels: Sequence[str] | None = None,
) -> Markup:
    """Grouped columns: ``categories`` along the x axis, ``series`` = [(name, [value per category]), ...].

    ``percent`` draws values 0–1 as 0–100 %; ``threshold`` (same unit) draws a dashed target line. Under each
    column a label that fits and tells the columns apart (``short_labels``, or one made by ``distinct_labels``),
    the full category in its ``<title>`` (the tooltip) and on each bar.
    """
    categories = list(categories)
    series = [(name, list(values)) for name, values in series]
    if not categories or not series:
        return Markup('<p class="empty">暂无数据</p>')
    largest = max((v for _, values in series for v in values if v is not None), default=0)
    top = 1.0 if percent else max(1, largest, threshold or 0)
    ticks = _ticks(top, percent)
    top = ticks[-1] if not percent else 1.0
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / len(categories)
    bar_w = max(2.0, min(48.0, slot * 0.8 / len(series)))
    shown = list(short_labels) if short_labels is not None else distinct_labels(categories, _room(slot))
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="sans-serif">'
    ]

    def y_of(value):
        return MARGIN_TOP + plot_h - (value / top) * plot_h if top else MARGIN_TOP + plot_h

    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>'
        )
        parts.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#666">{_fmt(tick, percent)}</text>'
        )
    for index, category in enumerate(categories):
        group_x = MARGIN_LEFT + slot * index + (slot - bar_w * len(series)) / 2
        for position, (name, values) in enumerate(series):
            value = values[index] or 0
            y = y_of(value)
            x = group_x + position * bar_w
            colour = PALETTE[position % len(PALETTE)]
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" '
                f'height="{MARGIN_TOP + plot_h - y:.1f}" fill="{colour}" data-series="{escape(name)}" '
                f'data-label="{escape(category)}" data-value="{value}">'
                f"<title>{escape(category)} {escape(name)}：{_fmt(value, percent)}</title></rect>"
            )
        cx = MARGIN_LEFT + slot * index + slot / 2
        parts.append(
            f'<text class="axis-label" x="{cx:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 16}" '
            f'text-anchor="middle" fill="#333"><title>{escape(category)}</title>'
            f"{escape(shown[index])}</text>"
        )
    if threshold is not None:
        y = y_of(threshold)
        parts.append(
            f'<line class="threshold" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y:.1f}" '
            f'y2="{y:.1f}" stroke="#b8433f" stroke-dasharray="6 4"/>'
        )
    parts.append(
        f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{MARGIN_TOP + plot_h}" '
        f'y2="{MARGIN_TOP + plot_h}" stroke="#999"/>'
    )
    if len(series) > 1:
        x = MARGIN_LEFT
        for position, (name, _values) in enumerate(series):
            colour = PALETTE[position % len(PALETTE)]
            parts.append(f'<rect x="{x}" y="{HEIGHT - 18}" width="10" height="10" fill="{colour}"/>')
            parts.append(f'<text x="{x + 14}" y="{HEIGHT - 9}" fill="#333">{escape(name)}</text>')
            x += 24 + 12 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))


def _room(width):
    """How many characters fit under a column (about 11 px per Chinese character)."""
    return max(2, int(width // 11))


def distinct_labels(categories: Sequence[str], room: int) -> list[str]:
    """Labels of at most ``room`` characters that tell the categories apart, where the cut allows: what the
    categories share at the start ("乌兰浩特市…", "2026…") is dropped first, then each is cut at the end, or kept
    by its end if the cut would make two alike."""
    if all(len(text) <= room for text in categories):
        return list(categories)
    common = _common_prefix(categories) if len(set(categories)) > 1 else ""
    rest = [text[len(common) :] or text for text in categories]
    for cut in (_head, _tail):
        labels = [cut(text, room) for text in rest]
        if len(set(labels)) == len(set(categories)):
            return labels
    return [_head(text, room) for text in rest]


def _common_prefix(texts):
    first, last = min(texts), max(texts)
    size = 0
    while size < len(first) and first[size] == last[size]:
        size += 1
    return first[:size]


def _head(text, room):
    return text if len(text) <= room else text[: room - 1] + "…"


def _tail(text, room):
    return text if len(text) <= room else "…" + text[len(text) - room + 1 :]
