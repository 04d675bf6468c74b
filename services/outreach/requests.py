"""The shapes of outreach's HTTP requests; anything else is a clear 400."""
from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.events.base import PositiveMinorUnits
from shared.events.outreach import Outcome
from shared.web import NO_NUL, Id, WindowDate


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PromiseTerms(_Request):
    amount: PositiveMinorUnits  # bounded as the promise event's amount is
    due_date: WindowDate


class OutcomeReport(_Request):
    outcome: Outcome
    promise: PromiseTerms | None = None


class Hours(_Request):
    start: time
    end: time

    @model_validator(mode="after")
    def _whole_minutes_in_order(self) -> "Hours":
        if any(t.tzinfo is not None or t.second or t.microsecond for t in (self.start, self.end)):
            raise ValueError("preferred hours are whole minutes on the borrower's own clock (HH:MM, no offset)")
        if self.start >= self.end:
            raise ValueError("preferred hours must start before they end, within one day")
        return self


class PreferencesUpdate(_Request):
    stop_contact: bool = False
    preferred_channel: Literal["sms", "call", "visit"] | None = None
    preferred_hours: Hours | None = None


class ComplaintFiled(_Request):
    customer_id: Id  # a borrower's token may complain only for its own customer
    category: Literal["conduct", "privacy", "amount_disputed", "frequency", "other"]
    description: str = Field(min_length=1, max_length=4000, pattern=NO_NUL)


class ComplaintResolution(_Request):
    resolution: Literal["upheld", "rejected", "withdrawn"]


class VisitConfirmation(_Request):
    offer_id: Id | None = None
    slot: int = Field(ge=1, le=3, description="which of the offered windows the borrower chose")
