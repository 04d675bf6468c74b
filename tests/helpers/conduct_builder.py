"""A compact builder of published events (decoded CloudEvents dicts by topic kind), each one validated
against its contract, and of outreach's stored attempt rows: realistic histories for the auditor's tests."""
import itertools
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.events.registry import EVENT_TYPES

KIND_OF_PREFIX = {"loan": "loan", "customer": "loan", "delinquency": "delinquency", "outreach": "outreach",
                  "dispatch": "dispatch", "agreement": "agreement"}
ADDRESS = {"line": "1 Test Road", "city": "Test City"}
MONEY = {"overdue_amount": 120000, "currency": "CNY"}
VISIT_POLICY = "dispatch-test.1"  # the version dispatch records with each visit decision


def at(zone: str, day: int, wall: str, month: int = 3) -> datetime:
    """2026-<month>-<day> at the wall time HH:MM in `zone`."""
    hour, minute = map(int, wall.split(":"))
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(zone))


class History:
    def __init__(self, version: str):
        self.version = version
        self.events: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.rows: list[dict[str, Any]] = []  # outreach's contact_attempts table
        self._ids = itertools.count(1)
        self._loan_of: dict[str, tuple[str, str]] = {}  # case -> (loan, person)

    def next_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    def emit(self, event_type: str, when: datetime, **data: Any) -> dict[str, Any]:
        model = EVENT_TYPES[event_type].model_validate(data)
        event = {"specversion": "1.0", "id": self.next_id("evt"), "type": event_type, "source": "tests/conduct",
                 "time": when.isoformat(), "data": model.model_dump(mode="json")}
        self.events[KIND_OF_PREFIX[event_type.split(".")[0]]].append(event)
        return event

    # --- the loan system and overdue detection ------------------------------------------------------

    def borrower(self, person: str, zone: str, phones: list[str], emergency: tuple[str, ...] = (),
                 loans: tuple[str, ...] = ()) -> None:
        contacts = [{"name": "Contact", "phone": p, "relation": "friend"} for p in emergency]
        for loan in loans:
            self.emit("loan.originated", at("Asia/Shanghai", 15, "10:00", month=1), loan_id=loan, product="Phone",
                      merchant="Shop", currency="CNY", principal=360000,
                      schedule=[{"sequence": 1, "due_date": "2026-02-15", "amount_due": 120000}],
                      borrower={"customer_id": person, "name": "Borrower", "phones": phones, "address": ADDRESS,
                                "time_zone": zone, "emergency_contacts": contacts})

    def contact_updated(self, person: str, when: datetime, **change: Any) -> None:
        self.emit("customer.contact_updated", when, customer_id=person, **change)

    def overdue(self, person: str, loan: str, case: str, when: datetime) -> None:
        self._loan_of[case] = (loan, person)
        self.emit("delinquency.loan_became_overdue", when, **self._snapshot(case, when))

    def paid_up(self, case: str, paid: datetime) -> None:
        loan, person = self._loan_of[case]
        self.emit("delinquency.loan_paid_up", paid + timedelta(minutes=1), loan_id=loan, customer_id=person,
                  case_id=case, payment_id=self.next_id("pay"), paid_at=paid, outstanding_amount=240000,
                  currency="CNY")

    def cured(self, case: str, when: datetime) -> None:
        """The day-end cure of the case's loan (overdue detection names the case it ends)."""
        self.emit("delinquency.loan_cured", when, **dict(self._snapshot(case, when), days_past_due=0, bucket=None,
                                                          overdue_amount=0))

    def dispute(self, case: str, opened: datetime, resolved: datetime | None) -> None:
        loan, person = self._loan_of[case]
        ref = dict(loan_id=loan, customer_id=person, case_id=case, dispute_id=self.next_id("dispute"))
        self.emit("delinquency.loan_dispute_opened", opened, at=opened, reason="goods_returned", **ref)
        if resolved:
            self.emit("delinquency.loan_dispute_resolved", resolved, at=resolved, outcome="rejected", **ref)

    def _snapshot(self, case: str, when: datetime) -> dict[str, Any]:
        loan, person = self._loan_of[case]
        return dict(loan_id=loan, customer_id=person, case_id=case, business_date=when.date().isoformat(),
                    days_past_due=14, bucket="1-30", outstanding_amount=240000, risk_segment="low", **MONEY)

    # --- outreach ---------------------------------------------------------------------------------------

    def attempt(self, person: str, case: str | None, channel: str, when: datetime, *, number: str | None = None,
                to: str = "borrower", template: str | None = None, outcome: str | None = None,
                rule_id: str = "allowed", version: str | None = None, status: str = "sent",
                published: bool = True) -> str:
        attempt_id = self.next_id(f"att-{channel}")
        template = template or {"sms": "sms.reminder.zh", "call": "call.collection.script",
                                "visit": "visit.confirmed"}[channel]
        if published:
            self.emit("outreach.contact_attempted", when, customer_id=person, case_id=case, channel=channel,
                      recipient=to, rule_id=rule_id, policy_version=version or self.version,
                      strategy_variant="champion", decided_at=when, attempt_id=attempt_id, template_id=template)
        outcome_at = when + timedelta(minutes=2) if outcome else None
        if outcome and published:
            self.emit("outreach.contact_outcome_recorded", outcome_at, attempt_id=attempt_id, customer_id=person,
                      case_id=case, channel=channel, outcome=outcome, recorded_at=outcome_at)
        if channel != "visit":
            self.rows.append(dict(attempt_id=attempt_id, customer_id=person, case_id=case, channel=channel,
                                  recipient=to, destination=number, template_id=template, decided_at=when,
                                  dispatch_status=status, outcome=outcome, outcome_at=outcome_at))
        return attempt_id

    def complaint(self, person: str, opened: datetime, resolved: datetime | None) -> None:
        complaint_id = self.next_id("complaint")
        self.emit("outreach.complaint_opened", opened, complaint_id=complaint_id, customer_id=person,
                  category="conduct", opened_at=opened)
        if resolved:
            self.emit("outreach.complaint_resolved", resolved, complaint_id=complaint_id, customer_id=person,
                      resolution="upheld", resolved_at=resolved)

    def preferences(self, person: str, when: datetime, *, stop: bool = False, channel: str | None = None,
                    hours: tuple[str, str] | None = None) -> None:
        self.emit("outreach.contact_preferences_changed", when, customer_id=person, stop_contact=stop,
                  preferred_channel=channel, preferred_hours_start=hours[0] if hours else None,
                  preferred_hours_end=hours[1] if hours else None, changed_at=when)

    # --- visits ---------------------------------------------------------------------------------------

    def visit(self, case: str, zone: str, confirmed: datetime, window: tuple[datetime, datetime], *,
              checked_in: datetime | None = None, decided: bool = True, confirmed_window: bool = True,
              cancelled: datetime | None = None, missed: datetime | None = None) -> str:
        loan, person = self._loan_of[case]
        request_id = self.next_id("visit-request")
        ref = dict(case_id=case, loan_id=loan, customer_id=person)
        if confirmed_window:
            self.emit("outreach.visit_requested", confirmed, visit_request_id=request_id, address=ADDRESS,
                      time_zone=zone, window_start=window[0], window_end=window[1], confirmed_at=confirmed,
                      **ref, **MONEY)
        decision = dict(rule_id="allowed", policy_version=VISIT_POLICY) if decided else {}
        visit_id = f"visit-{request_id}"
        ref = dict(visit_id=visit_id, **ref)
        self.emit("dispatch.visit_scheduled", confirmed + timedelta(minutes=2), visit_request_id=request_id,
                  window_start=window[0], window_end=window[1], **decision, **ref)
        self.emit("dispatch.visit_assigned", confirmed + timedelta(minutes=2), collector_ids=["col-1"],
                  planned_arrival=window[0], **ref)
        if checked_in:
            self.emit("dispatch.visit_checked_in", checked_in, collector_id="col-1", checked_in_at=checked_in,
                      **decision, **ref)
            self.emit("dispatch.visit_completed", checked_in + timedelta(minutes=30), collector_id="col-1",
                      outcome="met_borrower", terms=None, evidence=["rec-1"],
                      completed_at=checked_in + timedelta(minutes=30), **ref)
        if cancelled:
            self.emit("dispatch.visit_cancelled", cancelled, reason="loan_cured", **ref)
        if missed:
            self.emit("dispatch.visit_missed", missed, replanned=False, **ref)
        return visit_id

    # --- agreement tracking ---------------------------------------------------------------------------

    def agreement(self, case: str, signed: datetime, fulfilled: datetime | None) -> None:
        loan, person = self._loan_of[case]
        ref = dict(agreement_id=self.next_id("agr"), case_id=case, loan_id=loan, customer_id=person)
        self.emit("agreement.signed", signed, signed_at=signed, method="e_signature", text_hash="0" * 64, **ref)
        if fulfilled:
            self.emit("agreement.fulfilled", fulfilled, fulfilled_at=fulfilled, **ref)


def days(first: int, last: int, step: int = 1) -> range:
    return range(first, last + 1, step)

