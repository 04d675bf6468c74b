"""Every PromQL expression we ship (Grafana dashboards, Prometheus alert rules) names only series the
services really export: a renamed metric or a typo fails here, not silently as an empty panel or an
alert that can never fire."""
import json
from pathlib import Path

import pytest
import yaml

from tools.metric_catalog import SERVICES, exported_series
from tools.promql_names import grafana_variable_names, metric_names

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yaml"


def dashboard_expressions(path: Path) -> list[tuple[str, set[str]]]:
    """(where, metric names) of every panel query and Prometheus variable query of a dashboard."""
    board, found = json.loads(path.read_text()), []
    for panel in board["panels"]:
        for target in panel.get("targets", []):
            found.append((f"{path.name}: {panel['title']} {target['refId']}", metric_names(target["expr"])))
    for variable in board["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
            found.append((f"{path.name}: variable {variable['name']}", grafana_variable_names(query)))
    return found


def alert_expressions() -> list[tuple[str, set[str]]]:
    assert ALERTS.is_file(), "deploy/prometheus/alerts.yaml is missing"
    rules = [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]
    assert rules, "alerts.yaml has no rules"
    return [(f"alerts.yaml: {rule.get('alert') or rule.get('record')}", metric_names(rule["expr"]))
            for rule in rules]


def unknown(expressions: list[tuple[str, set[str]]], catalog: frozenset[str]) -> dict[str, list[str]]:
    return {where: sorted(names - catalog) for where, names in expressions if names - catalog}


@pytest.mark.parametrize("service", SERVICES)
def test_service_dashboard_names_only_what_the_service_exports(service):
    expressions = dashboard_expressions(DASHBOARDS / f"{service}.json")
    assert len(expressions) > 20
    assert all(names for _, names in expressions), "a query that selects no metric"
    assert unknown(expressions, exported_series(service)) == {}


def test_business_dashboard_names_only_exported_metrics():
    expressions = dashboard_expressions(DASHBOARDS / "business.json")
    assert all(names for _, names in expressions)
    assert unknown(expressions, exported_series()) == {}


def test_alert_rules_name_only_exported_metrics():
    expressions = alert_expressions()
    assert unknown(expressions, exported_series()) == {}
    # a rule naming no series at all is legal (vector(1)), but every one of ours watches something
    assert all(names for _, names in expressions), [where for where, names in expressions if not names]


def test_a_misspelt_metric_is_caught():
    catalog = exported_series()
    good = 'sum by (outcome) (rate(collections_events_consumed_total{job="overdue"}[5m]))'
    typo = 'sum by (outcome) (rate(collections_event_consumed_total{job="overdue"}[5m]))'
    assert unknown([("good", metric_names(good))], catalog) == {}
    assert unknown([("typo", metric_names(typo))], catalog) == {"typo": ["collections_event_consumed_total"]}
    # a counter without its _total suffix is not a series Prometheus stores
    bare = unknown([("bare", metric_names("rate(overdue_transitions[5m])"))], catalog)
    assert bare == {"bare": ["overdue_transitions"]}


def test_another_services_metric_is_caught_on_a_service_dashboard():
    names = metric_names("max(dispatch_collectors_active)")
    assert unknown([("overdue", names)], exported_series("overdue")) == {"overdue": ["dispatch_collectors_active"]}
    assert unknown([("dispatch", names)], exported_series("dispatch")) == {}


def test_all_expressions_parse_as_promql():
    """With the promql-parser package (pinned in the test extra) every expression is also valid PromQL."""
    parser = pytest.importorskip("promql_parser", reason="promql-parser not installed")
    grafana = {"$__rate_interval": "1m", "$window": "1d", "$job": "job", "$namespace": "ns", "$instance": "i"}
    exprs = [rule["expr"] for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]
    for path in sorted(DASHBOARDS.glob("*.json")):
        exprs += [t["expr"] for p in json.loads(path.read_text())["panels"] for t in p.get("targets", [])]
    for expr in exprs:
        for variable, value in grafana.items():
            expr = expr.replace(variable, value)
        parser.parse(expr)
