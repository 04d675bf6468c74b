"""The repayment plans the policy allows for an overdue amount: the borrower's right to choose.

Each option is complete terms with a fixed schedule, built so that it passes
`check_terms` unchanged: whichever one the borrower picks can be signed as is.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from services.agreement.domain.months import add_months
from services.agreement.domain.policy import AgreementPolicy
from services.agreement.domain.proposal import Instalment, Terms, check_terms


@dataclass(frozen=True)
class PlanOption:
    instalment_count: int
    terms: Terms

    @property
    def pay_in_full(self) -> bool:
        return self.instalment_count == 1

    @property
    def first_payment(self) -> int:
        return self.terms.first_payment

    @property
    def schedule(self) -> tuple[Instalment, ...]:
        return self.terms.instalments


def plan_options(overdue_amount: int, currency: str, today: date, policy: AgreementPolicy) -> list[PlanOption]:
    """Pay in full or in each allowed number of monthly instalments, fewest instalments first.

    The first instalment falls due `first_due_after_days` after `today` (time
    to arrange the money), the rest monthly from it. No waiver is offered: a
    waiver is negotiated and may need a supervisor. A count is left out when
    the amount is too small to give every instalment at least one minor unit,
    or when its schedule would break the policy (a term too long); nothing
    overdue means no plans.
    """
    if overdue_amount < 0:
        raise ValueError("an overdue amount cannot be negative")
    policy.minor_digits(currency)  # refuses a currency the policy's amounts do not mean anything in
    if overdue_amount == 0:
        return []
    first_due = today + timedelta(days=policy.first_due_after_days)
    options = []
    for count in policy.allowed_terms:
        amounts = split(overdue_amount, count, policy.min_first_payment(overdue_amount))
        if amounts is None:
            continue
        due_dates = [add_months(first_due, k) for k in range(count)]
        terms = Terms(currency, tuple(Instalment(d, a) for d, a in zip(due_dates, amounts)))
        if not check_terms(terms, overdue_amount, today, policy):
            options.append(PlanOption(count, terms))
    return options


def split(total: int, count: int, first_at_least: int = 0) -> list[int] | None:
    """`total` in `count` whole instalments that add up to it exactly; None when it cannot be done.

    Equal instalments with the remainder of the division on the first, so the
    borrower never pays more later than at the start; when that first
    instalment is below `first_at_least` it is raised to it and the rest is
    shared equally by the others (again with the remainder on the first).
    None when an instalment would be zero.
    """
    if total <= 0 or count <= 0 or first_at_least > total:
        raise ValueError("split needs a positive total and count, and a minimum first within the total")
    base, remainder = divmod(total, count)
    first = base + remainder
    if first < first_at_least:
        base, remainder = divmod(total - first_at_least, count - 1)
        first = first_at_least + remainder
    amounts = [first] + [base] * (count - 1)
    return amounts if min(amounts) > 0 else None
