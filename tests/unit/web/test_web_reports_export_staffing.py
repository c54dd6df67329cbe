"""CSV/XLSX export round trips, the SVG chart, and the staffing advice inputs."""

from __future__ import annotations

import csv
import io
from datetime import UTC

import pytest
from openpyxl import load_workbook
from web_call_rows import DAY

from callcenter.web.charts import Series, bar_chart, nice_max
from callcenter.web.reports import build_report
from callcenter.web.reports_export import to_csv, to_xlsx
from callcenter.web.reports_staffing import observed_patience, staffing_advice


def test_csv_has_russian_header_bom_and_rounded_figures() -> None:
    data = to_csv(build_report(DAY, "hour", UTC))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == [
        "Группа",
        "Поступило",
        "Отвечено",
        "Отвечено за 40 с",
        "Уровень обслуживания, %",
    ]
    assert rows[2][:5] == ["08:00", "3", "2", "1", "33.3"]
    assert rows[1][4] == ""  # no service level when nothing was offered
    assert rows[-1][0] == "Итого"
    assert rows[-1][4] == "28.6"


def test_xlsx_opens_with_the_same_table() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(build_report(DAY, "topic", UTC))))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Группа"
    assert sheet["A1"].font.bold
    assert values[1][:4] == ["ЖКХ", 4, 3, 2]
    assert values[-1][0] == "Итого"


def test_bar_chart_is_escaped_svg_with_target_line() -> None:
    svg = bar_chart(
        "SL <today>", ["08:00", "09:00"], [Series("A&B", [50.0, None], "#123")], target=80
    )
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert "SL &lt;today&gt;" in svg
    assert "A&amp;B" in svg
    assert svg.count("<rect") == 2  # one bar (None skipped) + one legend swatch
    assert 'class="target"' in svg


@pytest.mark.parametrize(("value", "top"), [(0, 1), (7, 10), (12, 20), (45, 50), (100, 100)])
def test_nice_max(value: float, top: float) -> None:
    assert nice_max(value) == top


def test_observed_patience_counts_served_callers_as_censored() -> None:
    assert observed_patience(DAY, 600.0) == 219.0  # 219 s of waiting, one abandon
    assert observed_patience([r for r in DAY if r.outcome != "abandoned"], 600.0) == 600.0


def test_staffing_advice_measures_rate_aht_and_patience_per_half_hour() -> None:
    calls: list[tuple[float, float, float, float, float]] = []

    def needed(rate: float, aht: float, target: float, level: float, patience: float) -> int:
        calls.append((rate, aht, target, level, patience))
        return round(rate)

    lines = staffing_advice(
        DAY, tz=UTC, days=1, agents_needed=needed, scheduled={"08:00": 1, "10:00": 2}
    )
    got = [(s.slot, s.calls, s.rate_per_hour, s.aht_s, s.needed, s.scheduled) for s in lines]
    assert got == [
        ("08:00", 2, 4.0, 150.0, 4, 1),
        ("08:30", 1, 2.0, 200.0, 2, None),
        ("09:00", 2, 4.0, 300.0, 4, None),
        ("09:30", 2, 4.0, 200.0, 4, None),
        ("10:00", 0, 0.0, 200.0, 0, 2),
    ]
    assert calls[0] == (4.0, 150.0, 40.0, 0.8, 219.0)
    assert len(calls) == 4  # no formula call for a half hour without calls
    two_days = staffing_advice(DAY, tz=UTC, days=2, agents_needed=needed)
    assert two_days[0].rate_per_hour == 2.0
