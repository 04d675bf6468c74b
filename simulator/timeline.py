"""One loan's life as timed contract events: origination, payments, reversals, rescheduling, closing."""
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from shared.events.loan import (
    Instalment,
    LoanClosed,
    LoanDisputed,
    LoanDisputeResolved,
    LoanRescheduled,
    PaymentReceived,
    PaymentReversed,
)
from simulator.behaviour import planned_payments
from simulator.book import CURRENCY, NEVER, Loan, make_schedule
from simulator.dates import random_instant

CHANNELS, CHANNEL_WEIGHTS = ("alipay", "wechat", "bank_transfer", "card"), (45, 35, 12, 8)
REVERSAL_REASONS = ("insufficient_funds", "chargeback", "bank_return")
WRITE_OFF_AFTER = timedelta(days=180)


@dataclass(frozen=True)
class EventRates:
    reversal_rate: float = 0.005
    """per payment; a reversed payment is paid again by the borrower a few hours to two days later"""
    reschedule_rate: float = 0.01
    """per loan"""
    contact_update_rate: float = 0.05
    """per customer"""
    write_off_rate: float = 0.2
    """per `never` loan reaching 180 days past due"""
    dispute_rate: float = 0.02
    """per loan: the purchase is disputed with the merchant after the first due date"""
    dispute_upheld_rate: float = 0.3
    """per dispute: upheld, the merchant refunds what is left to pay (as a payment); else rejected"""


@dataclass(frozen=True)
class Occurrence:
    at: datetime
    model: BaseModel
    natural_key: str
    key: str
    send_before_origination: bool = False


def loan_occurrences(
    loan: Loan, rates: EventRates, zone: ZoneInfo, seed: int, out_of_order: bool = False,
) -> list[Occurrence]:
    """Every event of `loan`, unbounded in time; `out_of_order` moves the first payment to the
    origination day and marks it to be sent before the origination."""
    rng = random.Random(f"timeline:{seed}:{loan.loan_id}")
    originated_at = random_instant(rng, loan.originated_on, zone, "09:00", "21:00")
    events = [Occurrence(originated_at, loan.originated_event(), f"originated/{loan.loan_id}", loan.loan_id)]
    schedule = loan.schedule
    if rng.random() < rates.reschedule_rate and (rescheduled := _reschedule(loan, rng, zone)):
        events.append(rescheduled[0])
        schedule = rescheduled[1]
    payments = []
    for number, (day, amount) in enumerate(planned_payments(loan.behaviour, schedule, loan.originated_on, rng), 1):
        payments.append(_payment(loan, f"{loan.loan_id}-P{number:03d}", amount, random_instant(rng, day, zone), rng))
    if out_of_order and payments:
        early = originated_at + timedelta(seconds=rng.randint(60, max(60, _seconds_left(originated_at))))
        payments[0] = replace(payments[0], at=early, model=payments[0].model.model_copy(update={"paid_at": early}),
                              send_before_origination=True)
    disputing = random.Random(f"dispute:{seed}:{loan.loan_id}")  # its own draws: the rest of the book stays as it was
    dispute: list[Occurrence] = []
    if disputing.random() < rates.dispute_rate:
        dispute, payments = _dispute(loan, schedule, payments, rates, zone, disputing)
    events.extend(payments)
    for payment in payments:
        if rng.random() < rates.reversal_rate:
            events.extend(_reversal_and_repayment(loan, payment, rng))
    events.extend(dispute)
    events.extend(_closing(loan, schedule, payments, events, rates, zone, rng))
    return events


def _dispute(loan: Loan, schedule, payments: list[Occurrence], rates: EventRates, zone: ZoneInfo,
             rng: random.Random) -> tuple[list[Occurrence], list[Occurrence]]:
    """Disputed 1-40 days after the first due date, resolved 5-30 days later; upheld, the merchant refunds
    what is left to pay (and the borrower pays nothing more). Returns the dispute's events and the payments."""
    first_due = min(i.due_date for i in schedule)
    opened_at = random_instant(rng, first_due + timedelta(days=rng.randint(1, 40)), zone, "09:00", "20:00")
    resolved_at = opened_at + timedelta(days=rng.randint(5, 30), seconds=rng.randint(0, 3600))
    dispute_id = f"{loan.loan_id}-D1"
    upheld = rng.random() < rates.dispute_upheld_rate
    reason = rng.choice(("goods_returned", "goods_not_received", "unauthorised", "other"))
    events = [
        Occurrence(opened_at, LoanDisputed(loan_id=loan.loan_id, dispute_id=dispute_id, reason=reason,
                                           disputed_at=opened_at), f"disputed/{dispute_id}", loan.loan_id),
        Occurrence(resolved_at, LoanDisputeResolved(loan_id=loan.loan_id, dispute_id=dispute_id,
                                                    outcome="upheld" if upheld else "rejected",
                                                    resolved_at=resolved_at),
                   f"dispute-resolved/{dispute_id}", loan.loan_id),
    ]
    if not upheld:
        return events, payments
    paid = [p for p in payments if p.at <= resolved_at]
    left = loan.total_due - sum(p.model.amount for p in paid)
    if left > 0:
        refund_at = resolved_at + timedelta(seconds=rng.randint(600, 7200))
        paid.append(_payment(loan, f"{dispute_id}-REFUND", left, refund_at, rng))
    return events, paid


def _seconds_left(moment: datetime) -> int:
    midnight = datetime.combine(moment.date() + timedelta(days=1), datetime.min.time(), tzinfo=moment.tzinfo)
    return int((midnight - moment).total_seconds()) - 1


def _payment(loan: Loan, payment_id: str, amount: int, at: datetime, rng: random.Random) -> Occurrence:
    channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
    model = PaymentReceived(payment_id=payment_id, loan_id=loan.loan_id, amount=amount, currency=CURRENCY, paid_at=at,
                            channel=channel)
    return Occurrence(at, model, f"payment/{payment_id}", loan.loan_id)


def _reversal_and_repayment(loan: Loan, payment: Occurrence, rng: random.Random) -> list[Occurrence]:
    paid: PaymentReceived = payment.model
    reversed_at = payment.at + timedelta(seconds=rng.randint(2 * 3600, 72 * 3600))
    reversal = PaymentReversed(
        payment_id=paid.payment_id, loan_id=loan.loan_id, amount=paid.amount, currency=CURRENCY,
        reversed_at=reversed_at, reason=rng.choice(REVERSAL_REASONS),
    )
    repaid_at = reversed_at + timedelta(seconds=rng.randint(3600, 48 * 3600))
    return [
        Occurrence(reversed_at, reversal, f"reversal/{paid.payment_id}", loan.loan_id),
        _payment(loan, f"{paid.payment_id}-R", paid.amount, repaid_at, rng),
    ]


def _reschedule(loan: Loan, rng: random.Random, zone: ZoneInfo) -> tuple[Occurrence, tuple[Instalment, ...]] | None:
    """An upstream restructuring: the instalments due more than a week ahead are spread over twice as many months."""
    earliest, latest = loan.originated_on + timedelta(days=15), loan.schedule[-1].due_date - timedelta(days=8)
    if latest < earliest:
        return None
    on = earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
    kept = tuple(instalment for instalment in loan.schedule if instalment.due_date <= on + timedelta(days=7))
    replaced = loan.schedule[len(kept):]
    new = make_schedule(loan.originated_on, sum(i.amount_due for i in replaced), 2 * len(replaced),
                        replaced[0].sequence)
    model = LoanRescheduled(loan_id=loan.loan_id, schedule=list(new), effective_from=new[0].due_date)
    at = random_instant(rng, on, zone, "09:00", "18:00")
    return Occurrence(at, model, f"rescheduled/{loan.loan_id}", loan.loan_id), kept + new


def _closing(loan, schedule, payments, events, rates, zone, rng) -> list[Occurrence]:
    if sum(payment.model.amount for payment in payments) >= loan.total_due:
        closed_at = max(event.at for event in events) + timedelta(seconds=rng.randint(60, 7200))
        return [_closed(loan, "paid_off", closed_at)]
    if loan.behaviour.kind == NEVER and rng.random() < rates.write_off_rate:
        first_unpaid = sorted(schedule, key=lambda i: i.sequence)[loan.behaviour.stop_after]
        written_off_at = random_instant(rng, first_unpaid.due_date + WRITE_OFF_AFTER, zone, "10:00", "18:00")
        return [_closed(loan, "written_off", written_off_at)]
    return []


def _closed(loan: Loan, reason: str, at: datetime) -> Occurrence:
    model = LoanClosed(loan_id=loan.loan_id, reason=reason, closed_at=at)
    return Occurrence(at, model, f"closed/{loan.loan_id}", loan.loan_id)
