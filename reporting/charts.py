"""Charts as server-rendered SVG: no script, no CDN, readable with CSS off (each has a title
and its table beside it)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BRAND, GRID, INK, MUTED = "#0b5cad", "#dde3ea", "#1d2733", "#5b6875"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif" font-size="11">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if value <= step * 4:
            return step * 4
    return value


def _axis(width: int, top: int, plot_height: int, left: int, maximum: float, unit: str) -> list[str]:
    parts = []
    for i in range(5):
        y = top + plot_height - plot_height * i / 4
        label = f"{maximum * i / 4:g}{unit}"
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{escape(label)}</text>'
        )
    return parts


def _x_labels(labels: list[str], left: int, step: float, y: int) -> list[str]:
    every = max(1, len(labels) // 10)
    return [
        f'<text x="{left + step * (i + 0.5):.1f}" y="{y}" text-anchor="middle" fill="{MUTED}">{escape(label)}</text>'
        for i, label in enumerate(labels)
        if i % every == 0
    ]


def bar_chart(points: list[tuple[str, float]], *, title: str, unit: str = "") -> SafeString:
    width, height, left, top, bottom = 720, 220, 44, 10, 24
    plot_width, plot_height = width - left, height - top - bottom
    maximum = _nice_max(max((v for _, v in points), default=0))
    step = plot_width / max(1, len(points))
    body = _axis(width, top, plot_height, left, maximum, unit)
    for i, (label, value) in enumerate(points):
        bar = plot_height * value / maximum
        body.append(
            f'<rect x="{left + step * i + step * 0.1:.1f}" y="{top + plot_height - bar:.1f}" '
            f'width="{step * 0.8:.1f}" height="{bar:.1f}" fill="{BRAND}"><title>{escape(label)}: {value:g}</title></rect>'
        )
    body += _x_labels([label for label, _ in points], left, step, height - 6)
    return _svg(width, height, title, body)


def line_chart(points: list[tuple[str, float | None]], *, title: str, unit: str = "") -> SafeString:
    width, height, left, top, bottom = 720, 220, 44, 10, 24
    plot_width, plot_height = width - left, height - top - bottom
    maximum = _nice_max(max((v for _, v in points if v is not None), default=0))
    step = plot_width / max(1, len(points))
    body = _axis(width, top, plot_height, left, maximum, unit)
    coordinates = [
        (left + step * (i + 0.5), top + plot_height - plot_height * value / maximum, label, value)
        for i, (label, value) in enumerate(points)
        if value is not None
    ]
    if len(coordinates) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coordinates)
        body.append(f'<polyline points="{path}" fill="none" stroke="{BRAND}" stroke-width="2"/>')
    for x, y, label, value in coordinates:
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BRAND}"><title>{escape(label)}: {value:.1f}{unit}</title></circle>'
        )
    body += _x_labels([label for label, _ in points], left, step, height - 6)
    return _svg(width, height, title, body)


def funnel_chart(stages: list[tuple[str, int]], *, title: str) -> SafeString:
    row, label_width, width = 26, 170, 720
    height = row * len(stages) + 4
    first = stages[0][1] if stages else 0
    body = []
    for i, (label, value) in enumerate(stages):
        share = value / first if first else 0
        bar = (width - label_width - 90) * share
        y = i * row + 2
        body.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" fill="{INK}">{escape(label)}</text>'
        )
        body.append(
            f'<rect x="{label_width}" y="{y}" width="{bar:.1f}" height="{row - 6}" rx="3" fill="{BRAND}"/>'
        )
        body.append(
            f'<text x="{label_width + bar + 6:.1f}" y="{y + 16}" fill="{INK}">{value:,} ({share:.0%})</text>'
        )
    return _svg(width, height, title, body)


def heat_map(grid: list[list[int]], *, title: str) -> SafeString:
    cell, left, top = 26, 40, 18
    width, height = left + cell * 24, top + cell * 7
    peak = max((max(row) for row in grid), default=0) or 1
    body = [
        f'<text x="{left + cell * h + cell / 2}" y="12" text-anchor="middle" fill="{MUTED}">{h}</text>'
        for h in range(0, 24, 3)
    ]
    for day, row in enumerate(grid):
        y = top + day * cell
        body.append(
            f'<text x="{left - 6}" y="{y + 17}" text-anchor="end" fill="{INK}">{WEEKDAYS[day]}</text>'
        )
        for hour, value in enumerate(row):
            opacity = 0.06 + 0.94 * value / peak if value else 0.03
            body.append(
                f'<rect x="{left + hour * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" rx="3" '
                f'fill="{BRAND}" fill-opacity="{opacity:.2f}"><title>{WEEKDAYS[day]} {hour:02d}:00: {value}</title></rect>'
            )
    return _svg(width, height, title, body)
