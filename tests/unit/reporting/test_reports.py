"""Pure report pieces: formula neutralising, the SVG charts and how a count is written."""

from xml.etree import ElementTree

import pytest
from babel.numbers import format_decimal

from services.reporting.charts import bar_chart
from services.reporting.reports import display, neutralise


def test_text_that_a_spreadsheet_would_run_is_made_inert():
    for text in ('=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\t=1"):
        assert neutralise(text) == "'" + text
    assert neutralise("Pelatihan Kain Perca") == "Pelatihan Kain Perca"
    assert neutralise(-5) == -5 and neutralise("<5") == "<5"


def test_a_chart_is_valid_svg_with_a_title_and_escaped_labels():
    svg = bar_chart("Peserta <uji>", ["A & B", "C"], [("Terdaftar", [4, "<5"]), ("Hadir", [2, 0])])
    root = ElementTree.fromstring(str(svg))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.find(f"{ns}title").text == "Peserta <uji>"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "A & B" in texts and "<5" in texts
    bars = [int(r.get("width")) for r in root.iter(f"{ns}rect") if r.get("height") == "13"]
    assert bars[0] == 2 * bars[1] > 0 and bars[2:] == [0, 0]  # 4 is twice 2; a suppressed cell draws no bar


@pytest.mark.parametrize("locale", ["id", "en"])
def test_a_count_is_written_as_babel_writes_it_in_each_language(locale):
    counts = [0, 1, -1, 7, 999, 1000, -1000, 12345, 1234567, -9876543210, 10**12]
    assert [display(n, locale) for n in counts] == [format_decimal(n, locale=locale) for n in counts]
    assert display(1234567, "id") == "1.234.567" and display(1234567, "en") == "1,234,567"
