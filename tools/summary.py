"""The live summary: what a person watching `make run` reads, built from the services' /metrics."""
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from prometheus_client.parser import text_string_to_metric_families


@dataclass
class Scrape:
    at: float
    samples: dict[tuple[str, tuple], float] = field(default_factory=dict)

    def value(self, name: str, **labels: str) -> float:
        """Sum of the samples named `name` whose labels include `labels`."""
        wanted = set(labels.items())
        return sum(v for (n, ls), v in self.samples.items() if n == name and wanted <= set(ls))

    def by_label(self, name: str, label: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for (n, ls), v in self.samples.items():
            if n == name:
                key = dict(ls).get(label, "")
                out[key] = out.get(key, 0.0) + v
        return out


def scrape(url: str, timeout: float = 2.0) -> Scrape | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            text = response.read().decode()
    except OSError:
        return None
    result = Scrape(at=time.monotonic())
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            result.samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return result


def _money(minor: float) -> str:
    return f"¥{minor / 100:,.2f}"


def render_overdue(now: Scrape, before: Scrape | None, buckets: list[str], zone: ZoneInfo) -> list[str]:
    consumed = now.value("collections_events_consumed_total", outcome="processed")
    rate = 0.0
    if before is not None and now.at > before.at:
        consumed_before = before.value("collections_events_consumed_total", outcome="processed")
        rate = (consumed - consumed_before) / (now.at - before.at)
    clock = now.value("collections_clock_now_timestamp_seconds")
    clock_text = f"{datetime.fromtimestamp(clock, zone):%Y-%m-%d %H:%M} {zone.key}" if clock else "no tick yet"
    loans = now.by_label("overdue_loans", "status")
    counts = now.by_label("overdue_overdue_loans", "bucket")
    amounts = now.by_label("overdue_overdue_amount_minor_units", "bucket")
    lines = [
        f"clock               {clock_text}",
        f"loans               {loans.get('active', 0):,.0f} active, {loans.get('closed', 0):,.0f} closed",
        f"payments            {now.value('overdue_payments_received_total'):,.0f} received "
        f"({_money(now.value('overdue_payments_received_minor_units_total'))}), "
        f"{now.value('overdue_payments_held'):,.0f} waiting for their loan",
        f"events consumed     {consumed:,.0f} ({rate:,.0f}/s), "
        f"{now.value('collections_events_consumed_total', outcome='duplicate'):,.0f} duplicates ignored",
        f"dead letters        {now.value('collections_dead_letters_total'):,.0f} "
        + _reasons(now.by_label("collections_dead_letters_total", "reason")),
        f"delinquency events  {now.value('overdue_transitions_total'):,.0f} "
        + _reasons(now.by_label("overdue_transitions_total", "kind")),
        f"disputes            {now.value('overdue_disputes_total', event='opened'):,.0f} opened, "
        f"{now.value('overdue_disputes_total', event='resolved'):,.0f} resolved (no collection of a loan in dispute)",
        f"outbox backlog      {now.value('collections_outbox_backlog_messages'):,.0f}",
        "",
        f"{'bucket (DPD)':<14}{'loans':>8}{'overdue amount':>22}",
    ]
    for bucket in buckets:
        lines.append(f"{bucket:<14}{counts.get(bucket, 0):>8,.0f}{_money(amounts.get(bucket, 0)):>22}")
    lines.append(f"{'total':<14}{sum(counts.values()):>8,.0f}{_money(sum(amounts.values())):>22}")
    return lines


def _reasons(by_reason: dict[str, float]) -> str:
    parts = [f"{reason} {count:,.0f}" for reason, count in sorted(by_reason.items()) if count]
    return f"({', '.join(parts)})" if parts else ""


def render_outreach(now: Scrape) -> list[str]:
    attempts = now.by_label("outreach_contact_attempts_total", "channel")
    blocked = now.by_label("outreach_contacts_blocked_total", "rule")
    outcomes = now.by_label("outreach_contact_outcomes_total", "outcome")
    promises = now.by_label("outreach_promises_total", "status")
    cases = now.by_label("outreach_cases_open", "variant")
    return [
        f"open cases          {sum(cases.values()):,.0f} "
        f"(champion {cases.get('champion', 0):,.0f}, challenger {cases.get('challenger', 0):,.0f})",
        f"contacts attempted  {sum(attempts.values()):,.0f} " + _reasons(attempts),
        f"blocked by rule     {sum(blocked.values()):,.0f} " + _reasons(blocked),
        "outcomes            " + (_reasons(outcomes) or "none yet"),
        "promises to pay     " + (_reasons(promises) or "none yet"),
        f"visits requested    {now.value('outreach_visit_requests_total'):,.0f}, "
        f"legal referrals {now.value('outreach_legal_referrals_total'):,.0f}, "
        f"complaints open {now.value('outreach_complaints_open'):,.0f}",
        f"dead letters        {now.value('collections_dead_letters_total'):,.0f}",
    ]


def render_dispatch(now: Scrape) -> list[str]:
    visits = now.by_label("dispatch_visits", "status")
    unassignable = now.by_label("dispatch_visits_unassignable_total", "reason")
    outcomes = now.by_label("dispatch_visits_completed_total", "outcome")
    cancelled = now.by_label("dispatch_visits_cancelled_total", "reason")
    return [
        f"collectors active   {now.value('dispatch_collectors_active'):,.0f}",
        f"visits scheduled    {now.value('dispatch_visits_scheduled_total'):,.0f} " + _reasons(visits),
        f"unassignable        {sum(unassignable.values()):,.0f} " + _reasons(unassignable),
        "at the door         " + (_reasons(outcomes) or "none yet"),
        f"cancelled           {sum(cancelled.values()):,.0f} " + _reasons(cancelled),
        "missed (no check-in) " + (_reasons(now.by_label("dispatch_visits_missed_total", "next")) or "none"),
    ]


def render_agreements(now: Scrape) -> list[str]:
    current = now.by_label("agreement_agreements", "status")
    instalments = now.by_label("agreement_instalments_total", "result")
    rejected = now.by_label("agreement_proposals_rejected_total", "rule")
    kept, broken = current.get("fulfilled", 0), current.get("broken", 0)
    rate = f"{kept / (kept + broken):.0%}" if kept + broken else "n/a"
    return [
        "agreements          " + (_reasons(current) or "none yet"),
        "instalments         " + (_reasons(instalments) or "none yet"),
        f"kept rate           {rate} (fulfilled of fulfilled + broken)",
        f"recovered           {_money(now.value('agreement_recovered_minor_units_total'))}",
        f"proposals rejected  {sum(rejected.values()):,.0f} " + _reasons(rejected),
    ]
