"""Charts drawn server-side as plain SVG (no JavaScript): horizontal bars, one or two series per category.

They are drawn at the size they are shown (never scaled down): every text is FONT_SIZE px, dark on a white
background (contrast well above 4.5:1), so they stay readable on a phone and in the printed report. Two layouts:
"wide" puts each category's name left of its bars (desktop, PDF); "narrow" puts it above them (phones).
"""

from functools import cache

from markupsafe import Markup, escape
from PIL import ImageFont

#: Bar colours (each at least 3:1 against white) and the text colour (16:1 against white).
COLOURS = ("#0b4f8a", "#00703c")
TEXT, BACKGROUND = "#1b1b1b", "#ffffff"
FONT_SIZE = 13
#: Width of one character of DejaVu Sans at FONT_SIZE, when the font file cannot be read to measure the text.
CHAR = 0.62 * FONT_SIZE
BAR, GAP, LEGEND = 15, 8, 26
WIDE_PLOT, NARROW_WIDTH = 220, 300


def bar_chart(title: str, labels: list[str], series: list[tuple[str, list]], layout: str = "wide") -> Markup:
    """Return an accessible SVG bar chart; non-numeric values (suppressed "<5") draw no bar but keep their text."""
    numbers = [v for _, values in series for v in values if isinstance(v, int | float)]
    top = max(numbers, default=0) or 1
    value_width = max((text_width(str(v)) for _, values in series for v in values), default=CHAR) + 8
    if layout == "narrow":
        label_x, label_width, plot = 0, 0, NARROW_WIDTH - value_width - 4
        row_height = FONT_SIZE + 6 + BAR * len(series) + GAP
    else:
        # 8% to spare: a phone may draw the names in a slightly wider font than the one measured
        label_width = round(max((text_width(text) for text in labels), default=0) * 1.08) + 12
        label_x, plot = label_width, WIDE_PLOT
        row_height = BAR * len(series) + GAP
    legend_width = sum(text_width(name) + 36 for name, _ in series)
    width = max(label_width + plot + value_width, legend_width, NARROW_WIDTH if layout == "narrow" else 0)
    height = LEGEND + row_height * len(labels) + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{layout}" role="img" '
        f'aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="DejaVu Sans, Verdana, sans-serif" font-size="{FONT_SIZE}" fill="{TEXT}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="{BACKGROUND}"/>',
    ]
    x = 0
    for (name, _), colour in zip(series, COLOURS, strict=False):
        parts.append(f'<rect x="{x}" y="4" width="14" height="14" fill="{colour}"/>')
        parts.append(f'<text x="{x + 20}" y="16" fill="{TEXT}">{escape(name)}</text>')
        x += text_width(name) + 36
    for row, text in enumerate(labels):
        y = LEGEND + row * row_height
        if layout == "narrow":
            parts.append(f'<text x="0" y="{y + FONT_SIZE}" fill="{TEXT}">{escape(text)}</text>')
            y += FONT_SIZE + 6
        else:
            baseline = y + (BAR * len(series)) // 2 + FONT_SIZE // 2 - 1
            parts.append(
                f'<text x="{label_x - 8}" y="{baseline}" text-anchor="end" fill="{TEXT}">{escape(text)}</text>'
            )
        for i, (_, values) in enumerate(series):
            value, bar_y = values[row], y + i * BAR
            length = round(plot * value / top) if isinstance(value, int | float) else 0
            colour = COLOURS[i % len(COLOURS)]
            parts.append(f'<rect x="{label_x}" y="{bar_y}" width="{length}" height="{BAR - 2}" fill="{colour}"/>')
            parts.append(
                f'<text x="{label_x + length + 4}" y="{bar_y + BAR - 3}" fill="{TEXT}">{escape(str(value))}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


@cache
def _font():
    try:
        return ImageFont.truetype("DejaVuSans.ttf", FONT_SIZE)
    except OSError:  # no DejaVu Sans installed: estimate from the number of characters
        return None


def text_width(text: str) -> int:
    """The width of `text` in px at FONT_SIZE (measured with the font the chart names first, Pillow's metrics)."""
    font = _font()
    return round(font.getlength(text) if font else CHAR * len(text)) + 1
