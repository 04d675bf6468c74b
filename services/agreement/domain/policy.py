"""The agreement policy as configuration, with a version: regulation and the lender's practice change it.

Every agreement records the version it was checked against, so a regulator
can see which limits applied to it. Shares are exact decimals, never floats:
a first payment of 10% of ¥30.00 must be 300 fen, not 301 because
0.1 * 3000 is 300.00000000000006 in binary.
"""
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, StringConstraints, model_validator

DEFAULT_POLICY_PATH = Path(__file__).resolve().parents[1] / "policy" / "agreement.default.json"

CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Share = Annotated[Decimal, Field(ge=0, le=1)]


class AgreementPolicy(BaseModel):
    """The limits a repayment agreement must stay within, and how one is followed once signed.

    Amounts are integer minor units (fen, cents) of one of `currencies`, which
    maps each ISO-4217 code the policy covers to its number of minor-unit
    digits (CNY: 2). The waiver threshold is in those minor units, so it means
    nothing in a currency the policy does not list: agreements in other
    currencies are refused rather than checked against a meaningless number.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1)
    max_term_months: PositiveInt = 12  # the last instalment at most this many months after the agreement
    allowed_terms: tuple[PositiveInt, ...] = (1, 3, 6, 12)  # instalment counts offered; 1 is pay in full
    first_due_after_days: NonNegativeInt = 7  # offered plans start this many days after the offer
    min_first_payment_share: Share = Decimal("0.10")  # of the agreed total (what the borrower pays)
    waiver_supervisor_threshold: NonNegativeInt = 50_000  # a waiver above this needs a supervisor
    max_waiver_share: Share = Decimal("0.3")  # of the overdue amount; never waived beyond, approval or not
    grace_days: NonNegativeInt = 3  # an instalment unpaid this many days after its due date is missed
    missed_instalments_to_break: PositiveInt = 2
    currencies: dict[CurrencyCode, Annotated[int, Field(ge=0, le=4)]] = Field(
        default_factory=lambda: {"CNY": 2}, min_length=1)

    @model_validator(mode="after")
    def _terms_can_be_offered(self) -> "AgreementPolicy":
        terms = self.allowed_terms
        if not terms or any(a >= b for a, b in zip(terms, terms[1:])):
            raise ValueError("allowed_terms must be a non-empty, strictly ascending list of instalment counts")
        if terms[-1] > self.max_term_months:
            raise ValueError(f"{terms[-1]} monthly instalments cannot fit in {self.max_term_months} months")
        return self

    @classmethod
    def load(cls, path: str | Path = DEFAULT_POLICY_PATH) -> "AgreementPolicy":
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))

    def min_first_payment(self, agreed_total: int) -> int:
        """The smallest first instalment allowed: the share of the total, rounded up to a whole minor unit."""
        return int((agreed_total * self.min_first_payment_share).to_integral_value(ROUND_CEILING))

    def max_waiver(self, overdue_amount: int) -> int:
        """The largest waiver allowed, rounded down: rounding must never waive more than the share."""
        return int((overdue_amount * self.max_waiver_share).to_integral_value(ROUND_FLOOR))

    def minor_digits(self, currency: str) -> int:
        try:
            return self.currencies[currency]
        except KeyError:
            raise ValueError(f"policy {self.version} does not cover currency {currency!r}") from None
