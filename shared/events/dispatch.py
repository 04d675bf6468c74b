"""Outbound contract of visit dispatch: a visit's life from scheduled to completed."""
from datetime import date
from typing import Literal

from pydantic import Field

from shared.events.base import Contract, Currency, Identifier, Instant, MinorUnits, PositiveMinorUnits

VisitOutcome = Literal["met_borrower", "not_home", "moved", "refused", "negotiated", "conflict", "safety_incident"]


class VisitRef(Contract):
    visit_id: Identifier
    case_id: Identifier
    loan_id: Identifier
    customer_id: Identifier


class VisitScheduled(VisitRef):
    visit_request_id: Identifier
    window_start: Instant
    window_end: Instant


class VisitAssigned(VisitRef):
    collector_ids: list[Identifier] = Field(min_length=1)
    planned_arrival: Instant | None = None


class VisitReassigned(VisitAssigned):
    previous_collector_ids: list[Identifier]
    reason: str = Field(min_length=1, max_length=64)


class VisitCancelled(VisitRef):
    reason: Literal["loan_cured", "loan_settled", "loan_closed", "complaint_opened", "agreement_signed",
                    "no_show_reported"]


class VisitUnassignable(VisitRef):
    reason: str = Field(min_length=1, max_length=64)


class VisitCheckedIn(VisitRef):
    collector_id: Identifier
    checked_in_at: Instant


class VisitMissed(VisitRef):
    """Nobody checked in by the window's end: re-planned once, then reported back to outreach."""

    replanned: bool


class AgreedInstalment(Contract):
    due_date: date
    amount: PositiveMinorUnits


class NegotiatedTerms(Contract):
    currency: Currency
    instalments: list[AgreedInstalment] = Field(min_length=1, max_length=24)
    waiver_amount: MinorUnits = 0


class VisitCompleted(VisitRef):
    collector_id: Identifier
    outcome: VisitOutcome
    terms: NegotiatedTerms | None = None
    evidence: list[str] = Field(default_factory=list, max_length=20, description="recording and photo references")
    completed_at: Instant
