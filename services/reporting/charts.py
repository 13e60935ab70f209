"""Charts drawn server-side as plain SVG (no JavaScript): horizontal bars, one or two series per category."""

from markupsafe import Markup, escape

COLOURS = ("#0b4f8a", "#00703c")
BAR, GAP, LABEL_WIDTH, PLOT_WIDTH = 14, 10, 230, 300


def bar_chart(title: str, labels: list[str], series: list[tuple[str, list]]) -> Markup:
    """Return an accessible SVG bar chart; non-numeric values (suppressed "<5") draw no bar but keep their text."""
    numbers = [v for _, values in series for v in values if isinstance(v, int | float)]
    top = max(numbers, default=0) or 1
    group = BAR * len(series) + GAP
    height = 30 + group * len(labels) + 24
    width = LABEL_WIDTH + PLOT_WIDTH + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="DejaVu Sans, sans-serif" '
        'font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (name, colour) in enumerate(zip([n for n, _ in series], COLOURS, strict=False)):
        x = LABEL_WIDTH + i * 140
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="13">{escape(name)}</text>')
    for row, text in enumerate(labels):
        y = 26 + row * group
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR}" text-anchor="end">{escape(text)}</text>')
        for i, (_, values) in enumerate(series):
            value, bar_y = values[row], y + i * BAR
            length = round(PLOT_WIDTH * value / top) if isinstance(value, int | float) else 0
            colour = COLOURS[i % len(COLOURS)]
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{length}" height="{BAR - 2}" fill="{colour}"/>')
            parts.append(f'<text x="{LABEL_WIDTH + length + 4}" y="{bar_y + BAR - 3}">{escape(str(value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
