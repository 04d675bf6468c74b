"""Proposed terms and the policy checks they must pass before anyone may sign them.

Every rule that fails is reported, each under a stable rule id, so a collector
at the door (or an API client) learns everything to fix in one answer, and
the audit trail names the rules rather than paraphrasing them.
"""
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple, get_args

from services.agreement.domain.months import add_months
from services.agreement.domain.policy import AgreementPolicy

RuleId = Literal[
    "currency.not_allowed", "currency.mismatch", "amounts.do_not_cover", "waiver.too_large",
    "first_payment.too_small", "schedule.not_monthly_or_unordered", "term.too_long",
]
RULE_IDS: tuple[RuleId, ...] = get_args(RuleId)
# Whether the loan can take an agreement at all, whatever the terms (checked before them).
StandingId = Literal["case.not_open", "agreement.in_force"]

_CURRENCY = re.compile(r"^[A-Z]{3}$")


class Instalment(NamedTuple):
    due_date: date
    amount: int  # minor units


@dataclass(frozen=True)
class Terms:
    """What the borrower is to pay and when, and what is waived; amounts in minor units of `currency`."""

    currency: str
    instalments: tuple[Instalment, ...]
    waiver_amount: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "instalments", tuple(Instalment(*i) for i in self.instalments))
        if not _CURRENCY.match(self.currency):
            raise ValueError(f"{self.currency!r} is not an ISO-4217 currency code")
        if not self.instalments:
            raise ValueError("terms need at least one instalment")
        if any(not _whole(i.amount) or i.amount <= 0 for i in self.instalments):
            raise ValueError("every instalment must be a positive whole number of minor units")
        if not _whole(self.waiver_amount) or self.waiver_amount < 0:
            raise ValueError("a waiver must be a whole number of minor units, not negative")

    @property
    def agreed_total(self) -> int:
        """What the borrower pays: the instalments, without the waiver."""
        return sum(i.amount for i in self.instalments)

    @property
    def first_payment(self) -> int:
        return min(self.instalments, key=lambda i: i.due_date).amount


@dataclass(frozen=True)
class Violation:
    rule_id: RuleId | StandingId
    message: str


NO_OPEN_CASE = Violation("case.not_open", "the loan has no open delinquency case to agree on")
ONE_IN_FORCE = Violation("agreement.in_force", "the loan already has a signed agreement in force")


def standing(case_open: bool, agreement_in_force: bool) -> Violation | None:
    """Why the loan cannot take a new agreement, if it cannot: it needs an open delinquency case, and
    no agreement already in force (one payment stream cannot keep two agreements)."""
    if not case_open:
        return NO_OPEN_CASE
    if agreement_in_force:
        return ONE_IN_FORCE
    return None


def check_terms(terms: Terms, overdue_amount: int, today: date, policy: AgreementPolicy,
                *, debt_currency: str | None = None) -> list[Violation]:
    """Every policy rule the terms break, in a fixed order; empty when they may be signed.

    `today` is the business date of the proposal; `debt_currency`, when given,
    is the loan's currency, which the terms must be in.
    """
    if overdue_amount < 0:
        raise ValueError("an overdue amount cannot be negative")
    found: list[Violation] = []
    if terms.currency not in policy.currencies:
        found.append(Violation("currency.not_allowed",
                               f"policy {policy.version} covers {sorted(policy.currencies)}, not {terms.currency}"))
    if debt_currency is not None and terms.currency != debt_currency:
        found.append(Violation("currency.mismatch", f"the terms are in {terms.currency}, the debt in {debt_currency}"))
    if terms.agreed_total + terms.waiver_amount != overdue_amount:
        found.append(Violation("amounts.do_not_cover",
                               f"instalments {terms.agreed_total} + waiver {terms.waiver_amount} must equal "
                               f"the overdue amount {overdue_amount}"))
    if terms.waiver_amount > policy.max_waiver(overdue_amount):
        found.append(Violation("waiver.too_large",
                               f"waiver {terms.waiver_amount} is above {policy.max_waiver_share} of "
                               f"{overdue_amount} ({policy.max_waiver(overdue_amount)})"))
    if terms.first_payment < policy.min_first_payment(terms.agreed_total):
        found.append(Violation("first_payment.too_small",
                               f"first payment {terms.first_payment} is below {policy.min_first_payment_share} of "
                               f"{terms.agreed_total} ({policy.min_first_payment(terms.agreed_total)})"))
    if problem := _schedule_problem([i.due_date for i in terms.instalments], today):
        found.append(Violation("schedule.not_monthly_or_unordered", problem))
    last_allowed = add_months(today, policy.max_term_months)
    if max(i.due_date for i in terms.instalments) > last_allowed:
        found.append(Violation("term.too_long", f"the last instalment is due after {last_allowed.isoformat()}, "
                                                f"{policy.max_term_months} months from {today.isoformat()}"))
    return found


def needs_approval(terms: Terms, policy: AgreementPolicy) -> bool:
    """A waiver strictly above the threshold waits for a supervisor; one exactly at it does not."""
    return terms.waiver_amount > policy.waiver_supervisor_threshold


def _schedule_problem(due_dates: list[date], today: date) -> str | None:
    """Due dates strictly ascending, the first not before today, the k-th at most k months after the first.

    Counting from the first due date (not from the previous one) keeps
    month-end schedules legal (31 Jan, 29 Feb, 31 Mar) while still refusing a
    schedule that skips a month; paying more often than monthly is allowed.
    """
    if due_dates[0] < today:
        return f"the first instalment is due {due_dates[0].isoformat()}, before {today.isoformat()}"
    if any(a >= b for a, b in zip(due_dates, due_dates[1:])):
        return "due dates must be strictly ascending, one instalment per date"
    for k, due in enumerate(due_dates[1:], start=1):
        if due > add_months(due_dates[0], k):
            return f"instalment {k + 1} is due {due.isoformat()}, more than {k} month(s) after the first"
    return None


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
