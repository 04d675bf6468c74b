"""The shapes of outreach's HTTP requests; anything else is a clear 400."""
from datetime import date, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

from shared.events.outreach import Outcome


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PromiseTerms(_Request):
    amount: PositiveInt
    due_date: date


class OutcomeReport(_Request):
    outcome: Outcome
    promise: PromiseTerms | None = None


class Hours(_Request):
    start: time
    end: time

    @model_validator(mode="after")
    def _starts_before_it_ends(self) -> "Hours":
        if self.start >= self.end:
            raise ValueError("preferred hours must start before they end, within one day")
        return self


class PreferencesUpdate(_Request):
    stop_contact: bool = False
    preferred_channel: Literal["sms", "call", "visit"] | None = None
    preferred_hours: Hours | None = None


class ComplaintFiled(_Request):
    customer_id: str = Field(min_length=1, max_length=128)
    category: Literal["conduct", "privacy", "amount_disputed", "frequency", "other"]
    description: str = Field(min_length=1, max_length=4000)


class ComplaintResolution(_Request):
    resolution: Literal["upheld", "rejected", "withdrawn"]


class VisitConfirmation(_Request):
    offer_id: str | None = None
    slot: int = Field(ge=1, le=3, description="which of the offered windows the borrower chose")
