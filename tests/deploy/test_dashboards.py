"""The Grafana dashboards on disk are exactly what tools/dashboards.py generates, and are well formed;
the provisioning files point Grafana at them and at Prometheus."""
import json

import pytest
import yaml

from tools import dashboards

FILES = sorted(dashboards.OUTPUT.glob("*.json"))
PROVISIONING = dashboards.ROOT / "deploy" / "grafana" / "provisioning"


def content_panels(board: dict) -> list[dict]:
    return [panel for panel in board["panels"] if panel["type"] != "row"]


@pytest.fixture(scope="module")
def boards() -> dict[str, dict]:
    return {path.name: json.loads(path.read_text()) for path in FILES}


def test_the_committed_dashboards_are_the_generated_ones():
    rendered = dashboards.render()
    assert sorted(rendered) == ["agreement.json", "business.json", "dispatch.json", "outreach.json", "overdue.json"]
    assert [path.name for path in FILES] == sorted(rendered), "a dashboard file nobody generates, or one missing"
    for name, text in rendered.items():
        assert (dashboards.OUTPUT / name).read_text() == text, \
            f"deploy/grafana/dashboards/{name} is stale or hand-edited: run `python -m tools.dashboards`"
    assert dashboards.main(["--check"]) == 0


def test_check_fails_on_a_hand_edited_or_extra_dashboard(tmp_path):
    assert dashboards.main([], output=tmp_path) == 0
    assert dashboards.main(["--check"], output=tmp_path) == 0
    edited = tmp_path / "overdue.json"
    edited.write_text(edited.read_text().replace('"Consumer lag by topic"', '"Lag"'))
    assert dashboards.main(["--check"], output=tmp_path) == 1
    assert dashboards.main([], output=tmp_path) == 0
    (tmp_path / "hand-made.json").write_text("{}")
    assert dashboards.main(["--check"], output=tmp_path) == 1


def test_uids_are_stable_and_unique(boards):
    assert {name: board["uid"] for name, board in boards.items()} == {
        f"{name}.json": f"collections-{name}" for name in ("agreement", "business", "dispatch", "outreach", "overdue")}
    assert len({board["title"] for board in boards.values()}) == len(boards)
    assert all(board["schemaVersion"] >= 39 for board in boards.values())


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_dashboard_is_well_formed(path):
    board = json.loads(path.read_text())
    variables = {variable["name"]: variable for variable in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    assert "namespace" in variables
    if path.name != "business.json":
        assert variables["job"]["query"] == path.stem, "the service dashboard's job defaults to the service name"
        assert "instance" in variables

    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids)), "panel ids are not unique"
    assert content_panels(board)
    for panel in content_panels(board):
        assert panel["title"] and panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["fieldConfig"]["defaults"]["unit"], f"{panel['title']}: no unit"
        assert panel["targets"], f"{panel['title']}: no query"
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids))
        for target in panel["targets"]:
            assert target["expr"].strip(), f"{panel['title']}: a target without an expr"
            assert target["datasource"]["uid"] == "${datasource}"


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_panels_fit_the_grid_without_overlapping(path):
    taken: set[tuple[int, int]] = set()
    for panel in json.loads(path.read_text())["panels"]:
        grid = panel["gridPos"]
        assert 0 <= grid["x"] and grid["x"] + grid["w"] <= 24, panel["title"]
        cells = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"])
                 for y in range(grid["y"], grid["y"] + grid["h"])}
        assert not cells & taken, f"{panel['title']} overlaps another panel"
        taken |= cells


def test_service_dashboards_cover_the_plumbing(boards):
    wanted = ("collections_events_consumed_total", "collections_dead_letters_total",
              "collections_transient_retries_total", "collections_handler_batch_duration_seconds_bucket",
              "collections_consumer_lag_messages", "collections_outbox_backlog_messages",
              "collections_outbox_oldest_unsent_age_seconds", "collections_db_pool_connections",
              "collections_dependency_up", "collections_clock_last_tick_received_timestamp_seconds")
    for service in dashboards.SERVICES:
        exprs = " ".join(t["expr"] for p in content_panels(boards[f"{service}.json"]) for t in p["targets"])
        assert [name for name in wanted if name not in exprs] == [], service
        assert f"{service}_" in exprs, f"{service}: none of its own metrics"


def test_provisioning_points_at_prometheus_and_the_dashboards():
    datasources = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yaml").read_text())
    [prometheus] = datasources["datasources"]
    assert (prometheus["type"], prometheus["uid"], prometheus["url"]) == ("prometheus", "prometheus",
                                                                        "http://prometheus:9090")
    providers = yaml.safe_load((PROVISIONING / "dashboards" / "collections.yaml").read_text())
    [provider] = providers["providers"]
    assert provider["type"] == "file" and provider["options"]["path"] == "/var/lib/grafana/dashboards"
