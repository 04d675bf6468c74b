"""What an open case waits for before it takes its next step: the closed set stored in `cases.waiting_for`.

A case with `waiting_for` NULL simply acts at `next_action_at`. Otherwise the value says what moves it
on, and which code does; the stored strings are these values exactly (never rename one without a
migration of the rows that hold it).
"""
from enum import StrEnum


class WaitingFor(StrEnum):
    OUTCOME = "outcome"
    """An allowed attempt went out; the gateway's or dialer's outcome moves the ladder. With no word by
    `next_action_at` (a day later) the try counts as failed."""

    VISIT_CONFIRMATION = "visit_confirmation"
    """A visit-time offer was delivered; the borrower's pick of a slot becomes a visit request. With no
    answer by `next_action_at` (a day after delivery) the visit step counts one failed try."""

    VISIT = "visit"
    """The borrower confirmed a slot; dispatch's report on that visit (`awaited_visit_id`) moves the ladder.
    With no report by two days after the window, the visit counts as not made."""

    PROMISE = "promise"
    """A promise to pay is pending until its due date plus the grace; the tick settles it as kept (next
    step) or broken (up the ladder)."""

    RULE = "rule"
    """A rule that time lifts blocked the step (contact hours, caps, quiet period); it is tried again at
    `next_action_at`, the earliest instant every rule allows."""

    COMPLAINT = "complaint"
    """An open complaint paused every case of the person; resolving their last open complaint resumes it."""

    PREFERENCE = "preference"
    """The borrower's own preference blocked the step (stop contact, another channel, hours that never meet
    the contact hours); any change of preferences resumes it."""

    PAID_UP = "paid_up"
    """A payment cleared everything overdue on the case (`delinquency.loan_paid_up`): nothing more is done about
    it until the day's end closes it; a reversal of that payment lets it go on."""

    DISPUTE = "dispute"
    """The loan's purchase is in dispute with the merchant: no collection at all until every dispute of the loan
    is resolved."""

    AGREEMENT = "agreement"
    """An agreement in force holds the case (signed before or after the case opened; by policy also another loan's
    agreement): no contact at all. A broken agreement restarts the ladder; a fulfilled or ended one lets the case
    go on."""

    PERSON = "person"
    """Nothing automatic moves the case: its ladder is finished or missing, no usable number is left, a rule
    only a person lifts blocked it, or a visit ended in a safety incident or conflict."""

    CUSTOMER_DATA = "customer_data"
    """The borrower's data (the loan's origination) has not arrived yet; tried again an hour later."""

    ERROR = "error"
    """Planning the step failed on bad data (logged); tried again an hour later."""
