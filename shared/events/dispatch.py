"""Outbound contract of visit dispatch: a visit's life from scheduled to completed."""
from typing import Annotated, Literal

from pydantic import Field

from shared.events.base import (
    BusinessDate,
    Contract,
    Currency,
    Identifier,
    Instant,
    MinorUnits,
    PositiveMinorUnits,
    text,
)

VisitOutcome = Literal["met_borrower", "not_home", "moved", "refused", "negotiated", "conflict", "safety_incident"]
MAX_TEAM = 10  # collectors sent to one visit (DISPATCH_COLLECTORS_PER_VISIT is at most 4)
MAX_AGREED_INSTALMENTS = 24
MAX_EVIDENCE = 20
EvidenceRef = Annotated[str, text(256, description="a recording's or a photo's reference")]


class VisitRef(Contract):
    visit_id: Identifier
    case_id: Identifier
    loan_id: Identifier
    customer_id: Identifier


class VisitDecision(Contract):
    """A visit is a contact decision like a message: the rule that decided it and the policy version."""

    rule_id: str | None = Field(None, max_length=64, pattern=r"^[a-z_.]+$",
                                description="'allowed', or the rule that forbade the visit")
    policy_version: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")


class VisitScheduled(VisitRef, VisitDecision):
    visit_request_id: Identifier
    window_start: Instant
    window_end: Instant


class VisitAssigned(VisitRef):
    collector_ids: list[Identifier] = Field(min_length=1, max_length=MAX_TEAM)
    planned_arrival: Instant | None = Field(description="null when no arrival time was planned")


class VisitReassigned(VisitAssigned):
    previous_collector_ids: list[Identifier] = Field(max_length=MAX_TEAM)
    reason: str = text(64)


class VisitCancelled(VisitRef, VisitDecision):
    reason: Literal["loan_cured", "loan_settled", "loan_closed", "complaint_opened", "agreement_signed",
                    "no_show_reported", "loan_paid_up", "loan_disputed", "contact_stopped", "preference_channel",
                    "preference_hours"]


class VisitUnassignable(VisitRef):
    reason: str = text(64)


class VisitCheckedIn(VisitRef, VisitDecision):
    collector_id: Identifier
    checked_in_at: Instant


class VisitMissed(VisitRef):
    """Nobody checked in by the window's end: reported back to outreach, which agrees a new time with the
    borrower (dispatch never moves a visit to a time the borrower did not confirm); `replanned` is always
    false since then, kept for readers of older events."""

    replanned: bool


class AgreedInstalment(Contract):
    due_date: BusinessDate
    amount: PositiveMinorUnits


class NegotiatedTerms(Contract):
    """Also the body of proposals and visit outcomes sent over HTTP, where `waiver_amount` may be left out."""

    currency: Currency
    instalments: list[AgreedInstalment] = Field(min_length=1, max_length=MAX_AGREED_INSTALMENTS)
    waiver_amount: MinorUnits = 0


class VisitCompleted(VisitRef):
    collector_id: Identifier
    outcome: VisitOutcome
    terms: NegotiatedTerms | None = Field(description="what was negotiated at the door; null when nothing was")
    evidence: list[EvidenceRef] = Field(max_length=MAX_EVIDENCE, description="recording and photo references")
    completed_at: Instant
