"""Prometheus alert rules and Grafana dashboards: valid, and only over metrics the engine exports.

promtool comes from the Debian package `prometheus`; without it the promtool checks are skipped
(the name checks still run).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from callcenter.web.live import OperatorView, PartnerView, QueueView, Snapshot, WaitingCaller
from callcenter.web.metrics import Metrics

ROOT = Path(__file__).resolve().parents[3]
ALERTS = ROOT / "dashboards/prometheus/alerts.yml"
DASHBOARDS = sorted((ROOT / "dashboards/grafana/dashboards").glob("*.json"))
NAME = re.compile(r"\bcallcenter_[a-z_]+\b")
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed")


def exported_names() -> set[str]:
    m = Metrics()
    m.observe_call_finished("q", "answered", 1.0)
    m.observe_overflow("p", "out")
    m.observe_overflow_outcome("p", "out", "answered", 5.0)
    snap = Snapshot(
        taken_at=100.0, mode="day",
        queues=(QueueView("q", 40, waiting=(WaitingCaller("c", "*1", 90.0, 1),)),),
        operators=(OperatorView("o", "O", "available", 1.0, queues=("q",)),),
        partners=(PartnerView("p", "P", 10.0, True, 90.0),),
    )  # fmt: skip
    m.set_from_snapshot(snap)
    text = m.render().decode()
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line[:1] != "#"}


def dashboard_exprs() -> list[str]:
    exprs = []
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]:
            exprs += [t["expr"] for t in panel["targets"]]
    return exprs


def rule_exprs() -> list[str]:
    data: dict[str, Any] = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return [rule["expr"] for group in data["groups"] for rule in group["rules"]]


def test_the_five_alerts_exist_and_use_exported_metrics() -> None:
    data = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    names = [r["alert"] for g in data["groups"] for r in g["rules"]]
    assert names == [
        "ServiceLevelBelowTarget", "CallerNearLimitNoCapacity", "CallbackDeadlineAtRisk",
        "PartnerNotAnswering", "AmiLinkDown",
    ]  # fmt: skip
    used = {n for e in rule_exprs() for n in NAME.findall(e)}
    assert used <= exported_names()


def test_dashboards_use_the_provisioned_datasource_and_exported_metrics() -> None:
    assert len(DASHBOARDS) >= 2
    uids = set()
    for path in DASHBOARDS:
        board = json.loads(path.read_text(encoding="utf-8"))
        uids.add(board["uid"])
        for panel in board["panels"]:
            assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}, path.name
    assert len(uids) == len(DASHBOARDS)
    used = {n for e in dashboard_exprs() for n in NAME.findall(e)}
    assert used <= exported_names()
    wanted = {"wait", "service_level", "calls_total", "operators", "callbacks", "overflow"}
    assert all(any(w in n for n in used) for w in wanted)


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, timeout=60)


@needs_promtool
def test_promtool_accepts_the_rules_and_every_dashboard_query(tmp_path: Path) -> None:
    check = promtool("check", "rules", str(ALERTS))
    assert check.returncode == 0, check.stdout + check.stderr
    rules = [
        {"record": f"dashboard:query{i}", "expr": expr.replace("$queue", ".*")}
        for i, expr in enumerate(dashboard_exprs())
    ]
    as_rules = tmp_path / "dashboard_queries.yml"
    as_rules.write_text(yaml.safe_dump({"groups": [{"name": "q", "rules": rules}]}))
    check = promtool("check", "rules", str(as_rules))
    assert check.returncode == 0, check.stdout + check.stderr


UNIT_TEST = """
rule_files: [{rules}]
evaluation_interval: 15s
tests:
  - interval: 15s
    input_series:
      - series: callcenter_ami_connected
        values: 1 1 0 0 0 0
      - series: callcenter_queue_longest_wait_seconds{{queue="general"}}
        values: 10 20 31 35 35 35
      - series: callcenter_queue_limit_seconds{{queue="general"}}
        values: 40x5
      - series: callcenter_operators{{queue="general",state="available"}}
        values: 1 1 0 0 0 0
    alert_rule_test:
      - eval_time: 75s
        alertname: AmiLinkDown
        exp_alerts:
          - exp_labels: {{severity: critical}}
            exp_annotations:
              summary: "Нет связи движка с Asterisk (AMI)"
              description: "Движок не получает события АТС; вызовы идут по резервной схеме."
      - eval_time: 15s
        alertname: CallerNearLimitNoCapacity
        exp_alerts: []
      - eval_time: 30s
        alertname: CallerNearLimitNoCapacity
        exp_alerts:
          - exp_labels: {{severity: critical, queue: general}}
            exp_annotations:
              summary: "Очередь general: абонент у предела ожидания, свободных операторов нет"
              description: "Самое долгое ожидание 31s."
"""


@needs_promtool
def test_promtool_unit_test_fires_the_alerts_when_expected(tmp_path: Path) -> None:
    spec = tmp_path / "alerts_test.yml"
    spec.write_text(UNIT_TEST.format(rules=json.dumps(str(ALERTS))), encoding="utf-8")
    run = promtool("test", "rules", str(spec))
    assert run.returncode == 0, run.stdout + run.stderr
