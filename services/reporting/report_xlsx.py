"""The report as an XLSX workbook: a sheet per table, with the period, the time it was made and a chart where one helps.

Callers pass figures through suppression.suppress() first; text staff typed is neutralised (reports.neutralise)."""

import io
from datetime import datetime

import xlsxwriter
from babel.dates import format_datetime
from flask_babel import gettext as _

from services.reporting.figures import Figures
from services.reporting.impact import Mean
from services.reporting.labels import SHEET_NAMES, area_label
from services.reporting.reports import Table, neutralise, period_label, rate_row_labels, tables
from services.reporting.suppression import HIDDEN, SMALL
from shared.timeutil import WITA


def to_xlsx(figures: Figures, generated_at: datetime, locale: str = "id") -> bytes:
    """Return the report as an XLSX workbook: a summary sheet, a sheet per breakdown with a chart, per event.

    Written with XlsxWriter row by row (constant_memory: each row leaves memory once written); every text cell is
    written as a string, never as a formula, and the charts are Excel's own.
    """
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "header": workbook.add_format({"bold": True, "bg_color": "#F3F2F1", "text_wrap": True, "valign": "top"}),
        "rate": workbook.add_format({"num_format": "0.0%"}),
        "mean": workbook.add_format({"num_format": "0.0"}),
    }
    for table in tables(figures, locale):
        sheet = workbook.add_worksheet(str(SHEET_NAMES.get(table.key, table.title))[:31])
        _write_table(sheet, table, figures, generated_at, locale, formats)
        if table.chart_columns and table.rows:
            _add_chart(workbook, sheet, table)
    workbook.close()
    return out.getvalue()


HEADER_ROW = 5
#: Chart size in centimetres (width; height grows with the categories), as Excel shows it at 96 dpi.
CHART_WIDTH_CM, PIXELS_PER_CM = 16, 96 / 2.54


def _write_table(sheet, table: Table, figures: Figures, generated_at: datetime, locale: str, formats: dict) -> None:
    sheet.set_column(0, 0, 44)
    if len(table.headers) > 1:
        sheet.set_column(1, len(table.headers) - 1, 16)
    sheet.freeze_panes(HEADER_ROW, 0)
    area = area_label(figures.scope.kabupaten_code)
    sheet.write_string(0, 0, neutralise(table.title), formats["title"])
    sheet.write_string(1, 0, f"{_('Periode')}: {period_label(figures.scope, locale)} · {_('Wilayah')}: {area}")
    generated = format_datetime(generated_at, "d MMMM y HH.mm", tzinfo=WITA, locale=locale)
    sheet.write_string(2, 0, f"{_('Dibuat')}: {generated} WITA")
    if figures.suppressed:
        note = _(
            "%(small)s: 1–4 orang, disembunyikan (UU PDP). %(hidden)s: disembunyikan agar tidak dapat dihitung balik.",
            small=SMALL,
            hidden=HIDDEN,
        )
        sheet.write_string(3, 0, note)
    for column, header in enumerate(table.headers):
        sheet.write_string(HEADER_ROW - 1, column, neutralise(header), formats["header"])
    rate_labels = rate_row_labels() if table.key == "summary" else set()
    for r, row in enumerate(table.rows, start=HEADER_ROW):
        rate_row = bool(rate_labels) and row[0] in rate_labels
        for column, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, column, neutralise(value))  # never a formula, whatever the text
            elif value is None:
                if rate_row:
                    sheet.write_blank(r, column, None, formats["rate"])
            elif isinstance(value, Mean):
                sheet.write_number(r, column, value, formats["mean"])
            elif isinstance(value, float) or rate_row:
                sheet.write_number(r, column, value, formats["rate"])
            else:
                sheet.write_number(r, column, value)


def _add_chart(workbook, sheet, table: Table) -> None:
    chart = workbook.add_chart({"type": "bar"})
    chart.set_style(10)
    chart.set_title({"name": table.title})
    height_cm = max(7.5, 0.6 * len(table.rows) + 3)
    chart.set_size({"width": round(CHART_WIDTH_CM * PIXELS_PER_CM), "height": round(height_cm * PIXELS_PER_CM)})
    first, last = HEADER_ROW, HEADER_ROW + len(table.rows) - 1
    for column in table.chart_columns:
        chart.add_series(
            {
                "name": [sheet.name, HEADER_ROW - 1, column],
                "categories": [sheet.name, first, 0, last, 0],
                "values": [sheet.name, first, column, last, column],
            }
        )
    sheet.insert_chart(HEADER_ROW - 1, len(table.headers) + 1, chart)
