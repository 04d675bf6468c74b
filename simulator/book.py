"""The loan book: customers and their mall loans, pure and deterministic given a seed."""
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from shared.events.loan import Borrower, Instalment, LoanOriginated
from simulator.catalogue import FEE_RATE_BY_TERM, PRODUCTS, TERMS_MONTHS, Product
from simulator.dates import monthly_due_dates
from simulator.people import make_borrower

CURRENCY = "CNY"
ON_TIME, LATE_THEN_CURED, PARTIAL, NEVER = "on_time", "late_then_cured", "partial", "never"
BEHAVIOURS = (ON_TIME, LATE_THEN_CURED, PARTIAL, NEVER)
DEFAULT_BEHAVIOUR_MIX: Mapping[str, float] = {ON_TIME: 0.6, LATE_THEN_CURED: 0.2, PARTIAL: 0.1, NEVER: 0.1}


@dataclass(frozen=True)
class BookConfig:
    seed: int = 7
    customers: int = 100
    start_date: date = date(2026, 1, 1)
    days: int = 120
    behaviour_mix: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_BEHAVIOUR_MIX))
    origination_share: float = 0.5
    """Loans originate on a day drawn from the first `origination_share` of the period."""
    loans_per_customer: tuple[int, int] = (1, 3)
    id_prefix: str = ""
    """Prepended to customer and loan ids, to keep separate books (e.g. a benchmark's) apart."""


@dataclass(frozen=True)
class Behaviour:
    kind: str
    late_from: int = 1
    """late_then_cured: the sequence of the first instalment paid late."""
    late_days: int = 0
    partial_fraction: float = 1.0
    stop_after: int = 0
    """never: how many instalments are paid before payments stop."""


@dataclass(frozen=True)
class Loan:
    loan_id: str
    borrower: Borrower
    product: str
    merchant: str
    principal: int
    fee: int
    schedule: tuple[Instalment, ...]
    originated_on: date
    behaviour: Behaviour

    @property
    def customer_id(self) -> str:
        return self.borrower.customer_id

    @property
    def total_due(self) -> int:
        return sum(instalment.amount_due for instalment in self.schedule)

    def originated_event(self) -> LoanOriginated:
        return LoanOriginated(
            loan_id=self.loan_id, product=self.product, merchant=self.merchant, currency=CURRENCY,
            principal=self.principal, schedule=list(self.schedule), borrower=self.borrower,
        )


@dataclass(frozen=True)
class Book:
    config: BookConfig
    borrowers: tuple[Borrower, ...]
    loans: tuple[Loan, ...]

    @property
    def end_date(self) -> date:
        """The first business date after the simulated period."""
        return self.config.start_date + timedelta(days=self.config.days)


def split_instalments(total: int, count: int) -> list[int]:
    """`total` fen in `count` near-equal parts summing exactly; the first parts carry the remainder."""
    base, remainder = divmod(total, count)
    return [base + (1 if index < remainder else 0) for index in range(count)]


def make_schedule(originated_on: date, total: int, count: int, first_sequence: int = 1) -> tuple[Instalment, ...]:
    due_dates = monthly_due_dates(originated_on, count, first=first_sequence)
    return tuple(
        Instalment(sequence=first_sequence + index, due_date=due, amount_due=amount)
        for index, (due, amount) in enumerate(zip(due_dates, split_instalments(total, count)))
    )


def build_book(config: BookConfig) -> Book:
    rng = random.Random(f"book:{config.seed}")
    borrowers, loans = [], []
    for number in range(1, config.customers + 1):
        borrower = make_borrower(rng, f"{config.id_prefix}CU{config.seed}-{number:07d}")
        borrowers.append(borrower)
        for loan_number in range(1, rng.randint(*config.loans_per_customer) + 1):
            loan_id = f"{config.id_prefix}LN{config.seed}-{number:07d}-{loan_number}"
            loans.append(_make_loan(rng, config, borrower, loan_id))
    return Book(config=config, borrowers=tuple(borrowers), loans=tuple(loans))


def _make_loan(rng: random.Random, config: BookConfig, borrower: Borrower, loan_id: str) -> Loan:
    product: Product = rng.choice(PRODUCTS)
    yuan = rng.randint(product.min_yuan // 100, product.max_yuan // 100) * 100 - rng.choice((0, 1, 1, 1))
    principal = yuan * 100
    months = rng.choices(TERMS_MONTHS, weights=(3, 4, 3) if yuan < 10_000 else (1, 3, 6))[0]
    fee = round(principal * FEE_RATE_BY_TERM[months])
    window = max(1, int(config.days * config.origination_share))
    originated_on = config.start_date + timedelta(days=rng.randrange(window))
    return Loan(
        loan_id=loan_id, borrower=borrower, product=product.name, merchant=product.merchant,
        principal=principal, fee=fee, schedule=make_schedule(originated_on, principal + fee, months),
        originated_on=originated_on, behaviour=_pick_behaviour(rng, config.behaviour_mix, months),
    )


def _pick_behaviour(rng: random.Random, mix: Mapping[str, float], months: int) -> Behaviour:
    unknown = set(mix) - set(BEHAVIOURS)
    if unknown:
        raise ValueError(f"unknown behaviours in the mix: {sorted(unknown)}")
    kinds = [kind for kind in BEHAVIOURS if mix.get(kind, 0) > 0]
    kind = rng.choices(kinds, weights=[mix[kind] for kind in kinds])[0]
    if kind == LATE_THEN_CURED:
        return Behaviour(kind, late_from=rng.randint(1, min(2, months)), late_days=rng.randint(5, 70))
    if kind == PARTIAL:
        return Behaviour(kind, partial_fraction=round(rng.uniform(0.3, 0.8), 2))
    if kind == NEVER:
        return Behaviour(kind, stop_after=rng.randint(0, 2))
    return Behaviour(kind)
