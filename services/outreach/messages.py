"""The words sent: a template filled with what the recipient may know, and visit-time slots."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.outreach.context import Outreach
from services.outreach.domain.templates import (
    BorrowerFields, BorrowerTemplate, Template, ThirdPartyFields, render,
)

SLOT_TIMES = ((time(10), time(12)), (time(14), time(16)), (time(18), time(20)))


def visit_slots(now: datetime, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """Three two-hour windows on the next days, inside contact hours, on the borrower's wall clock."""
    today = now.astimezone(zone).date()
    days = (today + timedelta(days=1), today + timedelta(days=1), today + timedelta(days=2))
    return [(datetime.combine(day, start, zone), datetime.combine(day, end, zone))
            for day, (start, end) in zip(days, SLOT_TIMES)]


def message_text(template: Template, recipient: str, first_name: str, product: str, case, ctx: Outreach,
                 slots: list[tuple[datetime, datetime]], zone: ZoneInfo, now: datetime) -> str:
    if recipient != "borrower" or not isinstance(template, BorrowerTemplate):
        # an emergency contact learns nothing but where the borrower can call back
        return render(template, ThirdPartyFields(callback_number=ctx.callback_number))
    as_of = case.as_of or now.astimezone(zone).date()
    due = as_of - timedelta(days=case.days_past_due)  # days past due is a snapshot as of `as_of`
    text = render(template, BorrowerFields(first_name=first_name, amount_overdue=case.overdue_amount,
                                           currency=case.currency, due_date=due, loan_product=product,
                                           callback_number=ctx.callback_number))
    if slots:
        text += " " + " / ".join(f"{i}) {s.astimezone(zone):%m-%d %H:%M}-{e.astimezone(zone):%H:%M}"
                                 for i, (s, e) in enumerate(slots, start=1))
    return text
