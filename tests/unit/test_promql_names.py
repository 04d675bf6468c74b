"""The PromQL metric-name extractor on tricky expressions, and the catalog it is checked against."""
import pytest

from tools.metric_catalog import exported_series, metric_modules
from tools.promql_names import UnknownFunction, grafana_variable_names, metric_names

CASES = {
    "up": {"up"},
    'up{job="overdue"} == 0': {"up"},
    # label names inside {...}, by (...), without (...) are not metrics; functions and aggregations are not
    'sum by (topic, reason) (rate(collections_dead_letters_total{job=~"a|b", reason!="x"}[5m]))':
        {"collections_dead_letters_total"},
    "sum without (instance, partition) (collections_consumer_lag_messages)": {"collections_consumer_lag_messages"},
    # the by clause after the body, upper-case keywords
    "SUM(rate(a_total[5m])) BY (job)": {"a_total"},
    # histogram_quantile over buckets, le in the grouping
    "histogram_quantile(0.99, sum by (le, topic) (rate(x_seconds_bucket[$__rate_interval])))": {"x_seconds_bucket"},
    # vector matching: on/ignoring/group_left label lists, bool, set operators, offset and @
    "a / on (job, instance) group_left (version) b": {"a", "b"},
    "a > bool ignoring (le) b offset 1h unless c @ 1700000000 and d or e": {"a", "b", "c", "d", "e"},
    "a_total offset -5m / b @ start()": {"a_total", "b"},
    "group_left_metric + on_metric": {"group_left_metric", "on_metric"},
    # strings never hold metric names, even when they look like one
    'label_replace(max by (bucket) (overdue_overdue_loans), "from_bucket", "$1", "bucket", "(.*)")':
        {"overdue_overdue_loans"},
    'count_values("up", up) and absent(nothing_here{reason="rate(x[5m])"})': {"up", "nothing_here"},
    "label_join(a, 'dst', \",\", `src1`, 'src2')": {"a"},
    # durations, subqueries, number literals (hex, exponent, Inf, NaN)
    "max_over_time(rate(a_total[5m])[1h:30s]) > 0x1F * 1e3 + Inf - nan": {"a_total"},
    "time() - max(collections_clock_last_tick_received_timestamp_seconds) > 300":
        {"collections_clock_last_tick_received_timestamp_seconds"},
    # recording-rule names with colons; comments
    "job:requests:rate5m # the per-job rate\n  > 1": {"job:requests:rate5m"},
    # Grafana variables are not metrics
    'sum(increase(a_total{namespace=~"$namespace"}[$window])) / ${divisor} + [[legacy]]': {"a_total"},
    # the name given as a matcher, or quoted (Prometheus 3)
    '{__name__="a_total", job="x"} + {"b.with.dots", job="y"}': {"a_total", "b.with.dots"},
    '{__name__=~"a_.*"}': set(),
    # aggregations with a parameter
    "topk(5, sum by (rule) (outreach_contacts_blocked_total)) or quantile(0.9, b)":
        {"outreach_contacts_blocked_total", "b"},
    "vector(1)": set(),
    "-a + (b)": {"a", "b"},
}


@pytest.mark.parametrize("expr", CASES)
def test_metric_names(expr):
    assert metric_names(expr) == CASES[expr]


def test_a_misspelt_function_is_an_error_not_a_metric():
    with pytest.raises(UnknownFunction, match="rat"):
        metric_names("rat(a_total[5m])")


def test_malformed_expressions_are_errors():
    with pytest.raises(ValueError):
        metric_names("sum(rate(a_total[5m])")
    with pytest.raises(ValueError):
        metric_names("a{job='x'")


def test_grafana_variable_queries():
    assert grafana_variable_names('label_values(up{job="$job"}, namespace)') == {"up"}
    assert grafana_variable_names("label_values(instance)") == set()
    assert grafana_variable_names("query_result(topk(3, a_total))") == {"a_total"}
    assert grafana_variable_names("metrics(collections_.*)") == set()


def test_the_catalog_holds_what_the_services_export_and_nothing_misspelt():
    catalog = exported_series()
    for name in ("collections_events_consumed_total", "collections_handler_batch_duration_seconds_bucket",
                 "collections_handler_batch_duration_seconds_count", "overdue_bucket_moves_total",
                 "overdue_overdue_loans", "outreach_dispatch_provider_latency_seconds_sum",
                 "outreach_dispatch_failure_reports_lost_total", "dispatch_visits", "agreement_agreements",
                 "process_start_time_seconds", "python_info", "up", "scrape_duration_seconds"):
        assert name in catalog, name
    misspelt = metric_names('sum(rate(overdue_transition_total{kind="cured"}[5m]))')
    assert misspelt - catalog == {"overdue_transition_total"}
    # a counter is stored with _total, a histogram only through its _bucket/_sum/_count series
    assert "overdue_transitions" not in catalog and "collections_handler_batch_duration_seconds" not in catalog


def test_the_catalog_finds_every_metrics_module():
    assert {"shared.metrics", "services.overdue.metrics", "services.outreach.metrics",
            "services.outreach.channels.metrics", "services.dispatch.metrics",
            "services.agreement.metrics"} <= set(metric_modules())


def test_a_service_catalog_leaves_out_the_other_services():
    overdue = exported_series("overdue")
    assert "overdue_overdue_loans" in overdue and "collections_outbox_backlog_messages" in overdue
    assert not any(name.startswith(("outreach_", "dispatch_", "agreement_")) for name in overdue)
    with pytest.raises(ValueError):
        exported_series("billing")


def test_agrees_with_a_real_promql_parser():
    """Where the promql-parser package is installed, its selectors are the extractor's names."""
    parser = pytest.importorskip("promql_parser", reason="promql-parser not installed")

    def selected(node) -> set[str]:
        if isinstance(node, parser.VectorSelector):
            return {node.name} if node.name else set()
        children = [getattr(node, attr, None) for attr in ("lhs", "rhs", "expr", "param", "vector_selector")]
        children += list(getattr(node, "args", None) or []) if isinstance(node, parser.Call) else []
        return set().union(*(selected(child) for child in children if isinstance(child, parser.Expr)))

    for expr, names in CASES.items():
        if "$" in expr or "[[" in expr or '"b.with.dots"' in expr:
            continue  # Grafana's variables are not PromQL; quoted names are Prometheus 3 only
        assert selected(parser.parse(expr)) == names, expr
