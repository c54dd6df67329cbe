"""HTTP side of the reports: `/reports` page, `/api/reports` JSON, CSV and XLSX export.

Query parameters (all optional): `from` and `to` (YYYY-MM-DD, local dates, `to` inclusive;
default today), `group` (hour, day, queue, topic, operator; default hour). Routes are registered
by `callcenter.web.supervisor.add_supervisor_routes`; supervisors and administrators only.

The staffing advice is for the day `to`, from the traffic of the same weekday in the
`staffing_weeks` weeks before it (Mondays differ from Saturdays), whatever range the table shows.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import jinja2
from aiohttp import web
from markupsafe import Markup

from callcenter.web.auth import PAGES, require_role
from callcenter.web.charts import Series, bar_chart
from callcenter.web.errors import ApiError
from callcenter.web.reports import (
    GROUPINGS,
    TOTAL,
    CallRow,
    ReportLine,
    SurveyAnswer,
    build_report,
)
from callcenter.web.reports import survey_answers as count_answers
from callcenter.web.reports_export import table, to_csv, to_xlsx
from callcenter.web.reports_staffing import AgentsNeeded, StaffingLine, staffing_advice

ReportSource = Callable[[float, float], Awaitable[list[CallRow]]]
ScheduleSource = Callable[[date], Awaitable[Mapping[str, int]]]
MAX_DAYS = 366
SURVEY_ANSWERS = {"yes": "да", "no": "нет"}  # the survey menu's stored values
STAFF_ROLES = ("supervisor", "admin")


@dataclass(frozen=True)
class ReportsConfig:
    source: ReportSource
    tz: tzinfo
    clock: Callable[[], float]
    agents_needed: AgentsNeeded | None = None
    schedule: ScheduleSource | None = None
    target_s: float = 40.0
    sl_target_pct: float = 80.0
    staffing_weeks: int = 4
    # What the page and the exports show for a (grouping, key); the JSON keeps the codes.
    labels: Callable[[str, str], str] = lambda _group, key: key
    survey_questions: Mapping[str, str] = dataclasses.field(default_factory=dict)


REPORTS = web.AppKey("reports", ReportsConfig)


@dataclass(frozen=True)
class ReportQuery:
    first: date
    last: date
    group: str

    def bounds(self, tz: tzinfo) -> tuple[float, float]:
        start = datetime.combine(self.first, time(), tz).timestamp()
        end = datetime.combine(self.last + timedelta(days=1), time(), tz).timestamp()
        return start, end

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _date(value: str | None, name: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ApiError(
            "invalid_input", f"«{name}»: дата в виде ГГГГ-ММ-ДД", {"field": name}
        ) from exc


def parse_query(query: Mapping[str, str], today: date) -> ReportQuery:
    first = _date(query.get("from"), "from", today)
    last = _date(query.get("to"), "to", first if query.get("from") else today)
    group = query.get("group") or "hour"
    if group not in GROUPINGS:
        raise ApiError("invalid_input", "«group»: hour, day, queue, topic или operator", {})
    if last < first:
        raise ApiError("invalid_input", "Дата «to» раньше даты «from»", {"field": "to"})
    if (last - first).days >= MAX_DAYS:
        raise ApiError("invalid_input", f"Период не длиннее {MAX_DAYS} дней", {"field": "to"})
    return ReportQuery(first, last, group)


async def _load(request: web.Request) -> tuple[ReportsConfig, ReportQuery, list[CallRow]]:
    cfg = request.app[REPORTS]
    today = datetime.fromtimestamp(cfg.clock(), cfg.tz).date()
    query = parse_query(request.query, today)
    rows = await cfg.source(*query.bounds(cfg.tz))
    return cfg, query, rows


def staffing_days(cfg: ReportsConfig, q: ReportQuery) -> list[date]:
    """The days the advice for `q.last` learns from: its weekday in the weeks before."""
    return [q.last - timedelta(weeks=n) for n in range(cfg.staffing_weeks, 0, -1)]


async def _staffing(cfg: ReportsConfig, q: ReportQuery) -> list[StaffingLine]:
    if cfg.agents_needed is None:
        return []
    rows: list[CallRow] = []
    days_with_calls = 0  # a center younger than the window is not averaged over empty weeks
    for day in staffing_days(cfg, q):
        day_rows = await cfg.source(*ReportQuery(day, day, q.group).bounds(cfg.tz))
        rows.extend(day_rows)
        days_with_calls += bool(day_rows)
    scheduled = await cfg.schedule(q.last) if cfg.schedule is not None else None
    return staffing_advice(
        rows, tz=cfg.tz, days=days_with_calls, agents_needed=cfg.agents_needed,
        scheduled=scheduled, target_s=cfg.target_s, level=cfg.sl_target_pct / 100.0,
    )  # fmt: skip


@require_role(*STAFF_ROLES)
async def get_reports_json(request: web.Request) -> web.Response:
    cfg, query, rows = await _load(request)
    body: dict[str, Any] = {
        "from": query.first.isoformat(),
        "to": query.last.isoformat(),
        "group": query.group,
        "lines": [dataclasses.asdict(x) for x in build_report(rows, query.group, cfg.tz)],
        "survey_answers": [dataclasses.asdict(a) for a in count_answers(rows, query.group, cfg.tz)],
        "staffing": [dataclasses.asdict(s) for s in await _staffing(cfg, query)],
        "staffing_days": [d.isoformat() for d in staffing_days(cfg, query)],
    }
    return web.json_response(body)


def _filename(query: ReportQuery, ext: str) -> str:
    return f"report_{query.group}_{query.first.isoformat()}_{query.last.isoformat()}.{ext}"


def _labelled(cfg: ReportsConfig, lines: list[ReportLine], group: str) -> list[ReportLine]:
    return [
        x if x.key == TOTAL else dataclasses.replace(x, key=cfg.labels(group, x.key)) for x in lines
    ]


def _answers_for_people(cfg: ReportsConfig, rows: list[CallRow], group: str) -> list[SurveyAnswer]:
    return [
        SurveyAnswer(
            cfg.labels(group, a.key),
            cfg.survey_questions.get(a.question, a.question),
            SURVEY_ANSWERS.get(a.answer, a.answer),
            a.count,
        )
        for a in count_answers(rows, group, cfg.tz)
    ]


@require_role(*STAFF_ROLES)
async def get_export(request: web.Request) -> web.Response:
    cfg, query, rows = await _load(request)
    lines = _labelled(cfg, build_report(rows, query.group, cfg.tz), query.group)
    ext = request.match_info["ext"]
    if ext == "csv":
        body, ctype = to_csv(lines), "text/csv; charset=utf-8"
    else:
        body = to_xlsx(lines)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = web.Response(body=body)
    response.headers["Content-Type"] = ctype
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(query, ext)}"'
    return response


@functools.cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(PAGES), autoescape=True)


def charts(lines: list[ReportLine], sl_target: float) -> list[Markup]:
    groups = [x for x in lines if x.key != TOTAL]
    labels = [x.key for x in groups]
    volume = [
        Series("Поступило", [x.offered for x in groups], "#1565c0"),
        Series("Отвечено", [x.answered for x in groups], "#2e7d32"),
        Series("Потеряно", [x.abandoned for x in groups], "#c62828"),
    ]
    level = [Series("Уровень обслуживания, %", [x.sl_pct for x in groups], "#6a1b9a")]
    return [
        Markup(bar_chart("Вызовы", labels, volume)),
        Markup(bar_chart("Уровень обслуживания", labels, level, target=sl_target, y_max=100)),
    ]


@require_role(*STAFF_ROLES)
async def get_reports_page(request: web.Request) -> web.Response:
    page = _templates().get_template("reports.html")
    try:
        cfg, query, rows = await _load(request)
    except ApiError as exc:
        html = page.render(error=exc.message, groupings=GROUPINGS)
        return web.Response(text=html, content_type="text/html", status=400)
    lines = _labelled(cfg, build_report(rows, query.group, cfg.tz), query.group)
    html = page.render(
        query=query, table=table(lines), groupings=GROUPINGS,
        charts=charts(lines, cfg.sl_target_pct),
        answers=_answers_for_people(cfg, rows, query.group),
        staffing=await _staffing(cfg, query), staffing_days=staffing_days(cfg, query),
        qs=request.query_string, error="",
    )  # fmt: skip
    return web.Response(text=html, content_type="text/html")


def add_report_routes(app: web.Application, config: ReportsConfig) -> None:
    app[REPORTS] = config
    app.router.add_get("/reports", get_reports_page)
    app.router.add_get("/api/reports", get_reports_json)
    app.router.add_get(r"/api/reports/export.{ext:csv|xlsx}", get_export)
