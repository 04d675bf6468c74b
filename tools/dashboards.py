"""python -m tools.dashboards [--check]: the Grafana dashboards, generated from this code.

One dashboard per service (plumbing every service shares, then its own business metrics) and one
business overview, written to deploy/grafana/dashboards/ where Grafana's file provider reads them
(deploy/grafana/provisioning/). Nobody edits the JSON: change this file and regenerate; `--check`
exits 1 when the files on disk are not what the code says.

Assumptions: the scrape job of a service is its name (`job="overdue"`, ... as in
deploy/compose/prometheus.yml; the `job` textbox of each service dashboard is a regex, so another
naming, e.g. `.*overdue.*`, can be typed in); `namespace` exists under Kubernetes and is absent
under compose, where the "All" value `.*` still matches. Gauges that describe the whole book
(computed from the service's database) are exported identically by every replica, so they are
aggregated with max; counters and per-replica gauges are summed.
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "deploy" / "grafana" / "dashboards"
SCHEMA_VERSION = 39
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
SERVICES = ("overdue", "outreach", "dispatch", "agreement")
RATE = "$__rate_interval"
# Selector of one service's series: the dashboard's job, namespace and instance variables.
SEL = 'job=~"$job", namespace=~"$namespace", instance=~"$instance"'
# Selector of the business dashboard (metric names already say which service).
BIZ = 'namespace=~"$namespace"'


# ---- builders -------------------------------------------------------------------------------------

def target(expr: str, legend: str = "", instant: bool = False) -> dict:
    """A query; an instant one (for tables) returns one row per series."""
    return {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend or "__auto",
            "range": not instant, "instant": instant, "format": "table" if instant else "time_series"}


def panel(title: str, targets: list[dict], unit: str = "short", kind: str = "timeseries",
          description: str = "", width: int = 8, height: int = 8, stacked: bool = False, **defaults) -> dict:
    """A panel; `defaults` go to fieldConfig.defaults (min, max, decimals, mappings, thresholds...)."""
    options: dict = {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                     "tooltip": {"mode": "multi", "sort": "desc"}}
    custom: dict = {"fillOpacity": 40 if stacked else 10, "showPoints": "never", "lineWidth": 1,
                    "stacking": {"mode": "normal" if stacked else "none", "group": "A"}}
    transformations: list[dict] = []
    if kind == "stat":
        options = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                   "colorMode": "background" if "mappings" in defaults else "value", "graphMode": "none",
                   "textMode": "auto", "justifyMode": "auto", "orientation": "auto"}
        custom = {}
    elif kind == "table":
        options, custom = {"showHeader": True, "cellHeight": "sm"}, {"align": "auto"}
        transformations = [{"id": "organize", "options": {"excludeByName": {"Time": True}}}]
    elif kind == "bargauge":
        options = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                   "displayMode": "gradient", "orientation": "horizontal", "showUnfilled": True}
        custom = {}
    for ref_id, item in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", targets):
        item["refId"] = ref_id
    return {"type": kind, "title": title, "description": description, "datasource": DATASOURCE,
            "gridPos": {"w": width, "h": height},
            "fieldConfig": {"defaults": {"unit": unit, "custom": custom, **defaults}, "overrides": []},
            "options": options, "targets": targets, "transformations": transformations}


def row(title: str) -> dict:
    return {"type": "row", "title": title, "collapsed": False, "panels": [], "gridPos": {"w": 24, "h": 1}}


def datasource_variable() -> dict:
    return {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
            "current": {}, "hide": 0, "includeAll": False, "multi": False, "options": [], "refresh": 1,
            "regex": ""}


def query_variable(name: str, label: str, query: str) -> dict:
    """A multi-value label variable whose "All" matches series without the label too."""
    return {"name": name, "label": label, "type": "query", "datasource": DATASOURCE,
            "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
            "definition": query, "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
            "hide": 0, "includeAll": True, "allValue": ".*", "multi": True, "options": [], "refresh": 2,
            "regex": "", "sort": 1}


def textbox_variable(name: str, label: str, value: str) -> dict:
    return {"name": name, "label": label, "type": "textbox", "query": value,
            "current": {"text": value, "value": value}, "hide": 0, "options": []}


def interval_variable(name: str, label: str, values: tuple[str, ...], default: str) -> dict:
    return {"name": name, "label": label, "type": "custom", "query": ",".join(values),
            "current": {"text": default, "value": default}, "hide": 0, "includeAll": False, "multi": False,
            "options": [{"selected": v == default, "text": v, "value": v} for v in values]}


def layout(items: list[dict]) -> list[dict]:
    """Ids in order, and positions: panels flow left to right, a row starts a new line."""
    x = y = line_height = 0
    for number, item in enumerate(items, start=1):
        item["id"] = number
        w, h = item["gridPos"]["w"], item["gridPos"]["h"]
        if item["type"] == "row" or x + w > 24:
            x, y, line_height = 0, y + line_height, 0
        item["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
        x, line_height = x + w, max(line_height, h)
        if item["type"] == "row":
            x, y, line_height = 0, y + h, 0
    return items


def dashboard(uid: str, title: str, description: str, variables: list[dict], items: list[dict],
              tags: list[str]) -> dict:
    return {
        "uid": uid, "title": title, "description": description, "tags": ["collections", *tags],
        "schemaVersion": SCHEMA_VERSION, "version": 1, "editable": True, "graphTooltip": 1,
        "timezone": "browser", "time": {"from": "now-6h", "to": "now"}, "refresh": "30s",
        "fiscalYearStartMonth": 0, "liveNow": False, "weekStart": "",
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
            "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard"}]},
        "links": [{"type": "dashboards", "tags": ["collections"], "asDropdown": True, "title": "Collections",
                   "includeVars": False, "keepTime": True}],
        "templating": {"list": [datasource_variable(), *variables]},
        "panels": layout(items),
    }


UP_DOWN = {"mappings": [{"type": "value", "options": {"0": {"text": "down", "color": "red", "index": 0},
                                                      "1": {"text": "up", "color": "green", "index": 1}}}],
           "thresholds": {"mode": "absolute", "steps": [{"color": "red", "value": None},
                                                        {"color": "green", "value": 1}]}}


ALARM_FROM_ONE = {"mode": "absolute", "steps": [{"color": "green", "value": None}, {"color": "red", "value": 1}]}


def rate_by(metric: str, by: str, selector: str = SEL) -> str:
    return f"sum by ({by}) (rate({metric}{{{selector}}}[{RATE}]))"


def quantiles(metric: str, by: str = "", selector: str = SEL) -> list[dict]:
    """p50/p95/p99 of a histogram from its _bucket series."""
    group = f"le, {by}" if by else "le"
    suffix = f" {{{{{by}}}}}" if by else ""
    return [target(f"histogram_quantile({q}, sum by ({group}) (rate({metric}_bucket{{{selector}}}[{RATE}])))",
                   f"p{round(q * 100)}{suffix}") for q in (0.5, 0.95, 0.99)]


# ---- per-service dashboards -----------------------------------------------------------------------

def plumbing() -> list[dict]:
    """What every service exports (shared/metrics.py): the same panels on each service's dashboard."""
    return [
        row("Health"),
        panel("Targets up", [target(f"sum(up{{{SEL}}})", "up")], "none", "stat", width=4, height=4,
              description="Instances Prometheus scraped successfully at the last scrape."),
        panel("Dependencies", [target(f"min by (dependency) (collections_dependency_up{{{SEL}}})", "{{dependency}}")],
              "none", "stat", width=8, height=4, description="1 when the dependency answered at the last check "
              "(worst replica).", **UP_DOWN),
        panel("Since last clock tick", [target(
            f"time() - max(collections_clock_last_tick_received_timestamp_seconds{{{SEL}}})", "wall seconds")],
            "s", "stat", width=4, height=4, description="Wall time since a clock tick was last handled: "
            "it grows without bound when the clock stops."),
        panel("Business clock", [target(f"max(collections_clock_now_timestamp_seconds{{{SEL}}}) * 1000", "now")],
              "dateTimeAsIso", "stat", width=4, height=4,
              description="The service's current time, from the last tick."),
        panel("Since last event", [target(
            f"time() - max(collections_last_event_processed_timestamp_seconds{{{SEL}}})", "wall seconds")],
            "s", "stat", width=4, height=4, description="Wall time since the last consumed batch was committed."),
        row("Events"),
        panel("Events consumed by outcome", [target(rate_by("collections_events_consumed_total", "outcome"),
                                                    "{{outcome}}")], "cps",
              description="processed | duplicate (already in the inbox) | dead_lettered"),
        panel("Events processed by type", [target(
            f'sum by (type) (rate(collections_events_consumed_total{{{SEL}, outcome="processed"}}[{RATE}]))',
            "{{type}}")], "cps"),
        panel("Events published by topic", [target(rate_by("collections_outbox_published_total", "topic"),
                                                    "{{topic}}")], "cps",
              description="Outbox rows the relay published."),
        row("Errors"),
        panel("Dead letters by reason", [target(rate_by("collections_dead_letters_total", "topic, reason"),
                                                "{{topic}} {{reason}}")], "cps", width=12,
              description="Messages sent to <service>.<topic>.dlq: invalid_json, contract_violation, "
              "unknown_type, handler_error."),
        panel("Transient retries by dependency", [target(rate_by("collections_transient_retries_total", "dependency"),
                                                         "{{dependency}}")], "cps", width=12,
              description="Batches retried in place because a dependency was unavailable."),
        row("Batches"),
        panel("Batch duration", quantiles("collections_handler_batch_duration_seconds"), "s", width=12,
              description="Decode, inbox, projection, outbox, commit of one consumed batch."),
        panel("Batch duration p99 by topic", [quantiles("collections_handler_batch_duration_seconds", "topic")[2]],
              "s", width=6),
        panel("Batch size", quantiles("collections_handler_batch_size_events")[:2], "short", width=6,
              description="Events in one consumed batch."),
        row("Kafka and outbox"),
        panel("Consumer lag by topic", [target(
            f"sum by (topic) (max by (topic, partition) (collections_consumer_lag_messages{{{SEL}}}))", "{{topic}}")],
            "short", description="Messages behind the end of the assigned partitions."),
        panel("Outbox backlog", [target(f"max(collections_outbox_backlog_messages{{{SEL}}})", "unsent rows")], "short",
              description="Outbox rows not yet published (one table, the same for every replica)."),
        panel("Oldest unsent outbox row", [target(f"max(collections_outbox_oldest_unsent_age_seconds{{{SEL}}})",
                                                  "age")], "s"),
        row("Process"),
        panel("DB pool connections", [target(f"sum by (state) (collections_db_pool_connections{{{SEL}}})",
                                             "{{state}}")], "short", description="in_use, idle and max, all replicas."),
        panel("CPU", [target(f"sum by (instance) (rate(process_cpu_seconds_total{{{SEL}}}[{RATE}]))", "{{instance}}")],
              "percentunit"),
        panel("Resident memory", [target(f"sum by (instance) (process_resident_memory_bytes{{{SEL}}})",
                                         "{{instance}}")],
              "bytes"),
    ]


def overdue_panels() -> list[dict]:
    return [
        row("Overdue detection"),
        panel("Loans by status", [target("max by (status) (overdue_loans{%s})" % SEL, "{{status}}")], "short"),
        panel("Overdue loans by bucket", [target("max by (bucket) (overdue_overdue_loans{%s})" % SEL, "{{bucket}}")],
              "short", description="Bucket labels (days past due) come from OVERDUE_BUCKETS."),
        panel("Overdue amount by bucket", [target(
            "max by (bucket) (overdue_overdue_amount_minor_units{%s}) / 100" % SEL, "{{bucket}}")], "short",
            description="Major currency units (minor units / 100)."),
        panel("Delinquency events by kind", [target(rate_by("overdue_transitions_total", "kind"), "{{kind}}")], "cps",
              description="became_overdue, bucket_changed, cured, settled."),
        panel("Payments", [target(f"sum(rate(overdue_payments_received_total{{{SEL}}}[{RATE}]))", "received"),
                           target(f"sum(rate(overdue_payments_reversed_total{{{SEL}}}[{RATE}]))", "reversed"),
                           target(f"sum(rate(overdue_loans_originated_total{{{SEL}}}[{RATE}]))", "loans originated")],
              "cps"),
        panel("Money received", [target(
            f"sum by (currency) (rate(overdue_payments_received_minor_units_total{{{SEL}}}[{RATE}])) / 100",
            "{{currency}}")], "short", description="Major currency units per second."),
        panel("Payments held for their loan", [target(f"max(overdue_payments_held{{{SEL}}})", "held")], "short"),
        panel("End-of-day evaluation", quantiles("overdue_end_of_day_evaluation_seconds"), "s",
              description="Time to evaluate the whole book at a business day's end."),
        panel("Last closed business date", [target(
            f"max(overdue_last_closed_business_date_timestamp_seconds{{{SEL}}}) * 1000", "date")], "dateTimeAsIso",
            "stat"),
    ]


def outreach_panels() -> list[dict]:
    return [
        row("Outreach"),
        panel("Open cases by variant", [target("max by (variant) (outreach_cases_open{%s})" % SEL, "{{variant}}")],
              "short", description="Champion and challenger strategies."),
        panel("Cases opened and closed", [
            target(rate_by("outreach_cases_opened_total", "variant"), "opened {{variant}}"),
            target(rate_by("outreach_cases_closed_total", "reason"), "closed {{reason}}")], "cps"),
        panel("Complaints open", [target(f"max(outreach_complaints_open{{{SEL}}})", "open")], "short", "stat"),
        panel("Contacts attempted by channel", [target(rate_by("outreach_contact_attempts_total", "channel"),
                                                       "{{channel}}")], "cps"),
        panel("Contacts blocked by rule", [target(rate_by("outreach_contacts_blocked_total", "rule"), "{{rule}}")],
              "cps", description="The rule book's blocks (quiet hours, frequency caps, ...)."),
        panel("Contact outcomes", [target(rate_by("outreach_contact_outcomes_total", "channel, outcome"),
                                          "{{channel}} {{outcome}}")], "cps"),
        panel("Promises to pay", [target(rate_by("outreach_promises_total", "status"), "{{status}}")], "cps"),
        panel("Visits requested and legal referrals", [
            target(f"sum(rate(outreach_visit_requests_total{{{SEL}}}[{RATE}]))", "visits requested"),
            target(f"sum(rate(outreach_legal_referrals_total{{{SEL}}}[{RATE}]))", "legal referrals")], "cps"),
        panel("Provider calls by result", [target(rate_by("outreach_dispatch_attempts_total", "channel, result"),
                                                  "{{channel}} {{result}}")], "cps",
              description="accepted | retry | rejected"),
        panel("Provider latency", quantiles("outreach_dispatch_provider_latency_seconds", "channel"), "s"),
        panel("Attempts given up", [target(rate_by("outreach_dispatch_failed_total", "channel, reason"),
                                           "{{channel}} {{reason}}")], "cps"),
        panel("Failure reports lost", [target(
            f"sum(increase(outreach_dispatch_failure_reports_lost_total{{{SEL}}}[1h]))", "last hour")], "short",
            "stat", description="Failed attempts whose outcome could not be recorded: see the logs.",
            thresholds=ALARM_FROM_ONE),
    ]


def dispatch_panels() -> list[dict]:
    return [
        row("Dispatch"),
        panel("Visits by status", [target("max by (status) (dispatch_visits{%s})" % SEL, "{{status}}")], "short"),
        panel("Collectors active", [target(f"max(dispatch_collectors_active{{{SEL}}})", "active")], "short", "stat"),
        panel("Visits scheduled and assigned", [
            target(f"sum(rate(dispatch_visits_scheduled_total{{{SEL}}}[{RATE}]))", "scheduled"),
            target(rate_by("dispatch_visits_assigned_total", "kind"), "assigned {{kind}}")], "cps"),
        panel("Unassignable visits by reason", [target(rate_by("dispatch_visits_unassignable_total", "reason"),
                                                       "{{reason}}")], "cps"),
        panel("Visit outcomes at the door", [target(rate_by("dispatch_visits_completed_total", "outcome"),
                                                    "{{outcome}}")], "cps"),
        panel("Visits cancelled and missed", [
            target(rate_by("dispatch_visits_cancelled_total", "reason"), "cancelled {{reason}}"),
            target(rate_by("dispatch_visits_missed_total", "next"), "missed, {{next}}")], "cps"),
    ]


def agreement_panels() -> list[dict]:
    return [
        row("Agreements"),
        panel("Agreements by status", [target("max by (status) (agreement_agreements{%s})" % SEL, "{{status}}")],
              "short"),
        panel("Agreement transitions", [target(rate_by("agreement_transitions_total", "status"), "{{status}}")], "cps"),
        panel("Kept rate", [target(
            'max(agreement_agreements{%s, status="fulfilled"}) / (max(agreement_agreements{%s, status="fulfilled"})'
            ' + max(agreement_agreements{%s, status="broken"}))' % (SEL, SEL, SEL), "kept")], "percentunit", "stat",
            description="Fulfilled of fulfilled + broken agreements.", min=0, max=1),
        panel("Instalments", [target(rate_by("agreement_instalments_total", "result"), "{{result}}")], "cps"),
        panel("Recovered", [target(
            f"sum by (currency) (rate(agreement_recovered_minor_units_total{{{SEL}}}[{RATE}])) / 100", "{{currency}}")],
            "short", description="Major currency units per second paid towards agreements."),
        panel("Proposals rejected by rule", [target(rate_by("agreement_proposals_rejected_total", "rule"), "{{rule}}")],
              "cps"),
    ]


SERVICE_PANELS = {"overdue": overdue_panels, "outreach": outreach_panels, "dispatch": dispatch_panels,
                  "agreement": agreement_panels}
SERVICE_TITLES = {"overdue": "Overdue detection", "outreach": "Outreach", "dispatch": "Visit dispatch",
                  "agreement": "Agreement tracking"}


def service_dashboard(service: str) -> dict:
    variables = [
        textbox_variable("job", "Prometheus job (regex)", service),
        query_variable("namespace", "Namespace", 'label_values(up{job=~"$job"}, namespace)'),
        query_variable("instance", "Instance", 'label_values(up{job=~"$job", namespace=~"$namespace"}, instance)'),
    ]
    return dashboard(f"collections-{service}", f"Collections / {SERVICE_TITLES[service]}",
                     f"{SERVICE_TITLES[service]}: events, errors, batches, Kafka and outbox, then its own metrics. "
                     "Generated by tools/dashboards.py.", variables, plumbing() + SERVICE_PANELS[service](), [service])


# ---- business overview ----------------------------------------------------------------------------

def business_dashboard() -> dict:
    moves = "overdue_bucket_moves_total{%s" % BIZ
    in_bucket_at_start = ('label_replace(max by (bucket) (overdue_overdue_loans{%s} offset $window), '
                          '"from_bucket", "$1", "bucket", "(.*)")' % BIZ)
    variables = [
        query_variable("namespace", "Namespace",
                       'label_values(up{job=~"overdue|outreach|dispatch|agreement"}, namespace)'),
        interval_variable("window", "Window", ("1h", "6h", "1d", "7d", "30d"), "1d"),
    ]
    items = [
        row("Delinquency"),
        panel("Overdue loans by bucket", [target("max by (bucket) (overdue_overdue_loans{%s})" % BIZ, "{{bucket}}")],
              "short", width=12, stacked=True),
        panel("Overdue amount by bucket", [target(
            "max by (bucket) (overdue_overdue_amount_minor_units{%s}) / 100" % BIZ, "{{bucket}}")], "short", width=12,
            stacked=True, description="Major currency units (minor units / 100)."),
        panel("Roll rate by bucket", [target(
            f'sum by (from_bucket) (increase({moves}, from_bucket!="none", to_bucket!="none"}}[$window]))'
            f" / on (from_bucket) {in_bucket_at_start}", "{{from_bucket}}")], "percentunit",
            description="Loans that moved from a bucket to another overdue bucket during the window, "
            "over the loans in that bucket at the window's start (overdue_bucket_moves_total; 'none' = current)."),
        panel("Cure rate by bucket", [target(
            f'sum by (from_bucket) (increase({moves}, from_bucket!="none", to_bucket="none"}}[$window]))'
            f" / on (from_bucket) {in_bucket_at_start}", "{{from_bucket}}")], "percentunit",
            description="Loans that left a bucket back to current during the window, over the loans in that "
            "bucket at the window's start."),
        panel("Bucket moves in window", [target(
            f"sum by (from_bucket, to_bucket) (increase({moves}}}[$window]))", "", instant=True)], "short", "table",
            description="Loans moving from → to bucket during the window (none = current)."),
        panel("Became overdue, cured, settled", [target(
            'sum by (kind) (increase(overdue_transitions_total{%s, kind!="bucket_changed"}[$window]))' % BIZ,
            "{{kind}}")], "short", width=12, description="Delinquency events per window."),
        panel("Money received", [
            target("sum by (currency) (increase(overdue_payments_received_minor_units_total{%s}[$window])) / 100"
                   % BIZ, "all payments {{currency}}"),
            target("sum by (currency) (increase(agreement_recovered_minor_units_total{%s}[$window])) / 100" % BIZ,
                   "towards agreements {{currency}}")], "short", width=12,
            description="Major currency units per window."),
        row("Outreach"),
        panel("Contacts by channel and outcome", [target(
            "sum by (channel, outcome) (increase(outreach_contact_outcomes_total{%s}[$window]))" % BIZ,
            "{{channel}} {{outcome}}")], "short", width=12),
        panel("Contacts attempted by channel", [target(
            "sum by (channel) (increase(outreach_contact_attempts_total{%s}[$window]))" % BIZ, "{{channel}}")],
            "short", width=12),
        panel("Contacts blocked by rule", [target(
            "sum by (rule) (increase(outreach_contacts_blocked_total{%s}[$window]))" % BIZ, "{{rule}}")], "short",
            width=12),
        panel("Promises to pay", [target(
            "sum by (status) (increase(outreach_promises_total{%s}[$window]))" % BIZ, "{{status}}")], "short",
            width=12),
        panel("Open cases by variant", [target("max by (variant) (outreach_cases_open{%s})" % BIZ, "{{variant}}")],
              "short", width=12),
        panel("Complaints open", [target("max(outreach_complaints_open{%s})" % BIZ, "open")], "short", "stat",
              width=12, thresholds={"mode": "absolute", "steps": [{"color": "green", "value": None},
                                                                   {"color": "orange", "value": 1}]}),
        row("Field visits and agreements"),
        panel("Visits by status", [target("max by (status) (dispatch_visits{%s})" % BIZ, "{{status}}")], "short",
              width=12),
        panel("Visit outcomes", [target(
            "sum by (outcome) (increase(dispatch_visits_completed_total{%s}[$window]))" % BIZ, "{{outcome}}")],
            "short", width=12),
        panel("Agreements by status", [target("max by (status) (agreement_agreements{%s})" % BIZ, "{{status}}")],
              "short", width=12),
        panel("Agreement kept rate", [target(
            'max(agreement_agreements{%s, status="fulfilled"}) / (max(agreement_agreements{%s, status="fulfilled"})'
            ' + max(agreement_agreements{%s, status="broken"}))' % (BIZ, BIZ, BIZ), "kept")], "percentunit", "stat",
            width=6, min=0, max=1, description="Fulfilled of fulfilled + broken."),
        panel("Recovered in window", [target(
            "sum(increase(agreement_recovered_minor_units_total{%s}[$window])) / 100" % BIZ, "recovered")], "short",
            "stat", width=6, description="Major currency units paid towards agreements."),
    ]
    return dashboard("collections-business", "Collections / Business overview",
                     "Delinquency, roll and cure rates, outreach, visits and agreements across the platform. "
                     "Generated by tools/dashboards.py.", variables, items, ["business"])


# ---- output ---------------------------------------------------------------------------------------

def build() -> dict[str, dict]:
    """File name -> dashboard."""
    return {**{f"{service}.json": service_dashboard(service) for service in SERVICES},
            "business.json": business_dashboard()}


def render() -> dict[str, str]:
    return {name: json.dumps(board, indent=2, ensure_ascii=False) + "\n" for name, board in build().items()}


def main(argv: list[str], output: Path = OUTPUT) -> int:
    rendered, shown = render(), output.relative_to(ROOT) if output.is_relative_to(ROOT) else output
    if "--check" in argv:
        on_disk = {path.name for path in output.glob("*.json")}
        stale = sorted(name for name, text in rendered.items()
                       if not (output / name).exists() or (output / name).read_text() != text)
        stale += sorted(on_disk - rendered.keys())
        if stale:
            print(f"{shown}: {', '.join(stale)} stale: run `python -m tools.dashboards`", file=sys.stderr)
            return 1
        return 0
    output.mkdir(parents=True, exist_ok=True)
    for name, text in rendered.items():
        (output / name).write_text(text)
    print(f"wrote {len(rendered)} dashboards to {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
