"""CSV and XLSX export of report lines, with Russian column titles.

CSV uses ";" as separator and starts with a UTF-8 byte order mark: that is what a Russian-locale
spreadsheet opens correctly by double click. Numbers are written with a dot and rounded to 0.1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from callcenter.web.reports import ReportLine

Cell = str | int | float | None

COLUMNS: tuple[tuple[str, Callable[[ReportLine], Cell]], ...] = (
    ("Группа", lambda r: r.key),
    ("Поступило", lambda r: r.offered),
    ("Отвечено", lambda r: r.answered),
    ("Отвечено за 40 с", lambda r: r.answered_in_limit),
    ("Уровень обслуживания, %", lambda r: _round(r.sl_pct)),
    ("Ср. время ответа, с", lambda r: _round(r.asa_s)),
    ("Ср. время обслуживания, с", lambda r: _round(r.aht_s)),
    ("Потеряно", lambda r: r.abandoned),
    ("Заказано обратных звонков", lambda r: r.callbacks_requested),
    ("Обратных звонков в срок", lambda r: r.callbacks_on_time),
    ("Передано партнёрам", lambda r: r.overflow_out),
    ("Отвечено у партнёров", lambda r: r.overflow_out_answered),
    ("Ожидание у партнёров, с", lambda r: _round(r.overflow_out_wait_s)),
    ("Принято от партнёров", lambda r: r.overflow_in),
    ("Отвечено из принятых", lambda r: r.overflow_in_answered),
    ("Ожидание принятых, с", lambda r: _round(r.overflow_in_asa_s)),
    ("Обслужено автоматически (IVR)", lambda r: r.ivr_served),
    ("Оценок", lambda r: r.surveys),
    ("Средняя оценка", lambda r: _round(r.survey_avg, 2)),
    ("Оценки 1/2/3/4/5", lambda r: "/".join(str(n) for n in r.ratings)),
)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def table(lines: Sequence[ReportLine]) -> list[list[Cell]]:
    """Header row, then one row per report line."""
    header: list[Cell] = [title for title, _ in COLUMNS]
    return [header, *([get(line) for _, get in COLUMNS] for line in lines)]


def to_csv(lines: Sequence[ReportLine]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in table(lines):
        writer.writerow("" if cell is None else cell for cell in row)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(lines: Sequence[ReportLine], *, title: str = "Отчёт") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]  # Excel's limit on sheet names
    for row in table(lines):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
