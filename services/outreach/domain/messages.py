"""The words sent: the template the recipient may get, filled with what they may know, and visit-time slots.

The one way a message's text is made: the template is chosen by `templates.template_for` (an emergency
contact only ever gets a third-party template, whose only field is the call-back number).
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.outreach.domain.catalog import TEMPLATES
from services.outreach.domain.model import Recipient
from services.outreach.domain.templates import (
    BorrowerFields,
    BorrowerTemplate,
    ThirdPartyFields,
    render,
    template_for,
)

SLOT_TIMES = ((time(10), time(12)), (time(14), time(16)), (time(18), time(20)))
Slots = list[tuple[datetime, datetime]]


@dataclass(frozen=True)
class Debt:
    """What the borrower's own messages may say: whose loan, how much is overdue and since when."""

    first_name: str
    loan_product: str
    overdue_amount: int  # minor units
    currency: str
    days_past_due: int
    as_of: date | None  # the business date `days_past_due` was counted on (None: not known)


def visit_slots(now: datetime, zone: ZoneInfo) -> Slots:
    """Three two-hour windows on the next days, inside contact hours, on the borrower's wall clock."""
    today = now.astimezone(zone).date()
    days = (today + timedelta(days=1), today + timedelta(days=1), today + timedelta(days=2))
    return [(datetime.combine(day, start, zone), datetime.combine(day, end, zone))
            for day, (start, end) in zip(days, SLOT_TIMES)]


def due_date(debt: Debt, now: datetime, zone: ZoneInfo) -> date:
    """The date the oldest unpaid instalment fell due: days past due is a snapshot as of `as_of`."""
    as_of = debt.as_of or now.astimezone(zone).date()
    return as_of - timedelta(days=debt.days_past_due)


def message_text(template_id: str, recipient: Recipient, callback_number: str, debt: Debt, slots: Slots,
                 zone: ZoneInfo, now: datetime) -> str:
    """The text sent to `recipient`; the offered visit slots, if any, follow a borrower's message."""
    template = template_for(TEMPLATES, template_id, recipient)
    if not isinstance(template, BorrowerTemplate):
        # an emergency contact learns nothing but where the borrower can call back
        return render(template, ThirdPartyFields(callback_number=callback_number))
    text = render(template, BorrowerFields(first_name=debt.first_name, amount_overdue=debt.overdue_amount,
                                           currency=debt.currency, due_date=due_date(debt, now, zone),
                                           loan_product=debt.loan_product, callback_number=callback_number))
    if slots:
        text += " " + " / ".join(f"{i}) {s.astimezone(zone):%m-%d %H:%M}-{e.astimezone(zone):%H:%M}"
                                 for i, (s, e) in enumerate(slots, start=1))
    return text
