"""Alerts as code: deploy/prometheus/alerts.yaml is valid, unit-tested with promtool, documented by a
runbook per alert, and the PrometheusRule generated from it is current. promtool is a real binary
(`make tools`); a missing one fails these tests."""
import re
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import ROOT, run_tool
from tools import prometheus_rule

ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yaml"
PROMTOOL_TESTS = sorted((ROOT / "deploy" / "prometheus" / "tests").glob("*.yaml"))
RUNBOOKS = ROOT / "deploy" / "runbooks"
RUNBOOK_BASE = "https://github.com/example/collections-platform/blob/main/deploy/runbooks/"
SEVERITIES = {"critical", "warning"}


def alert_rules() -> list[dict]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def alert_names() -> list[str]:
    return [rule["alert"] for rule in alert_rules()]


def _ok(result) -> str:
    return f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"


def test_promtool_accepts_the_rules():
    result = run_tool("promtool", "check", "rules", str(ALERTS.relative_to(ROOT)))
    assert result.returncode == 0, _ok(result)
    assert f"SUCCESS: {len(alert_rules())} rules found" in result.stdout, _ok(result)


def test_the_promtool_unit_tests_pass():
    assert PROMTOOL_TESTS, "no promtool test files in deploy/prometheus/tests"
    result = run_tool("promtool", "test", "rules", *(str(p.relative_to(ROOT)) for p in PROMTOOL_TESTS))
    assert result.returncode == 0, _ok(result)
    assert "FAILED" not in result.stdout + result.stderr, _ok(result)


def _unit_test_cases() -> list[tuple[str, list]]:
    """(alertname, exp_alerts) of every alert_rule_test case in the promtool test files."""
    cases = []
    for path in PROMTOOL_TESTS:
        for group in yaml.safe_load(path.read_text())["tests"]:
            for case in group.get("alert_rule_test", []):
                cases.append((case["alertname"], case.get("exp_alerts") or []))
    return cases


@pytest.mark.parametrize("alert", alert_names())
def test_every_alert_has_a_unit_test_where_it_fires_with_its_annotations_and_one_where_it_stays_quiet(alert):
    cases = [expected for name, expected in _unit_test_cases() if name == alert]
    firing = [e for expected in cases for e in expected]
    assert firing, f"no promtool case where {alert} fires"
    assert any(not expected for expected in cases), f"no promtool case where {alert} stays quiet"
    for expected in firing:
        assert expected.get("exp_labels", {}).get("severity"), f"{alert}: a firing case without its severity label"
        assert {"summary", "description", "runbook_url"} <= set(expected.get("exp_annotations", {})), (
            f"{alert}: a firing case that does not check the annotations")


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda rule: rule["alert"])
def test_every_alert_has_a_severity_annotations_and_a_runbook_that_names_it(rule):
    name = rule["alert"]
    assert rule.get("labels", {}).get("severity") in SEVERITIES, f"{name}: severity must be one of {SEVERITIES}"
    annotations = rule.get("annotations", {})
    for key in ("summary", "description", "runbook_url"):
        assert annotations.get(key, "").strip(), f"{name} has no {key}"
    assert annotations["runbook_url"] == f"{RUNBOOK_BASE}{name}.md"
    runbook = RUNBOOKS / f"{name}.md"
    assert runbook.is_file(), f"{runbook.relative_to(ROOT)} is missing"
    text = runbook.read_text()
    assert re.search(rf"^# {name}\b", text, re.MULTILINE), f"{runbook.name} does not start with '# {name}'"
    for section in ("## Meaning", "## Impact", "## Diagnosis", "## Mitigation", "## Escalation"):
        assert section in text, f"{runbook.name} has no '{section}' section"


def test_the_runbook_index_lists_every_alert_and_no_runbook_is_orphaned():
    index = (RUNBOOKS / "README.md").read_text()
    names = set(alert_names())
    for name in names:
        assert f"({name}.md)" in index, f"deploy/runbooks/README.md does not link {name}.md"
    orphans = {p.stem for p in RUNBOOKS.glob("*.md")} - names - {"README"}
    assert not orphans, f"runbooks for no alert: {sorted(orphans)}"


def test_alert_names_are_unique():
    names = alert_names()
    assert len(names) == len(set(names))


def test_the_prometheus_rule_is_generated_from_the_alerts_and_current():
    committed = prometheus_rule.OUTPUT.read_text()
    assert committed == prometheus_rule.render(), (
        "deploy/k8s/base/monitoring/prometheus-rule.yaml is stale: run `python -m tools.prometheus_rule`")
    document = yaml.safe_load(committed)
    assert (document["apiVersion"], document["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    assert document["spec"]["groups"] == yaml.safe_load(ALERTS.read_text())["groups"]
    kustomization = yaml.safe_load((prometheus_rule.OUTPUT.parent / "kustomization.yaml").read_text())
    assert "prometheus-rule.yaml" in kustomization["resources"]


def test_the_check_mode_notices_a_stale_prometheus_rule(tmp_path: Path, monkeypatch):
    stale = tmp_path / "prometheus-rule.yaml"
    stale.write_text(prometheus_rule.render().replace("severity: critical", "severity: info", 1))
    monkeypatch.setattr(prometheus_rule, "OUTPUT", stale)
    assert prometheus_rule.main(["--check"]) == 1
    assert prometheus_rule.main([]) == 0
    assert prometheus_rule.main(["--check"]) == 0
