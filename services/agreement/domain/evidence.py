"""The canonical agreement text and its hash: what the borrower signs, and the proof of what it said.

The text is a pure function of the agreement, so anyone holding the terms can
rebuild it byte for byte and check a signature's hash years later. Amounts
appear in major units with the currency's own number of digits (334.00 CNY),
as the borrower reads them; nothing in it depends on locale or the clock.
"""
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from services.agreement.domain.policy import AgreementPolicy
from services.agreement.domain.proposal import Terms

SignatureMethod = Literal["in_person_tablet", "e_signature", "paper_scan"]

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
TEXT_FORMAT = "agreement-text/1"  # bump when the layout changes: old hashes stay checkable against old layouts


@dataclass(frozen=True)
class Signature:
    """The borrower's signature evidence: who signed, how, when, and the hash of exactly what they signed."""

    signer: str
    method: SignatureMethod
    signed_at: datetime
    text_hash: str  # sha256 hex of the canonical agreement text

    def __post_init__(self) -> None:
        require(bool(self.signer), "a signature names its signer")
        require(self.method in get_args(SignatureMethod), f"unknown signature method {self.method!r}")
        require(bool(_SHA256_HEX.match(self.text_hash)), "text_hash must be 64 lowercase hex digits (sha256)")
        require_aware(self.signed_at)


def agreement_text(terms: Terms, *, agreement_id: str, loan_id: str, customer_id: str,
                   policy: AgreementPolicy) -> str:
    """One line per fact, "\\n" line ends, ending with a newline; instalments in due-date order."""
    money = _formatter(terms.currency, policy.minor_digits(terms.currency))
    count = len(terms.instalments)
    lines = [
        f"Repayment agreement {agreement_id} ({TEXT_FORMAT}, policy {policy.version})",
        f"Loan: {loan_id}",
        f"Borrower: {customer_id}",
        f"Amount overdue: {money(terms.agreed_total + terms.waiver_amount)}",
        f"Waived: {money(terms.waiver_amount)}",
        f"To pay: {money(terms.agreed_total)} in {count} instalment{'s' if count != 1 else ''}",
    ]
    for number, (due_date, amount) in enumerate(sorted(terms.instalments), start=1):
        lines.append(f"  {number}. due {due_date.isoformat()}: {money(amount)}")
    lines.append("The borrower agrees to pay each instalment by its due date.")
    return "\n".join(lines) + "\n"


def text_hash(text: str) -> str:
    """sha256 of the UTF-8 text, as 64 lowercase hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _formatter(currency: str, digits: int) -> Callable[[int], str]:
    def money(minor_units: int) -> str:
        if digits == 0:
            return f"{minor_units} {currency}"
        major, minor = divmod(minor_units, 10 ** digits)
        return f"{major}.{minor:0{digits}d} {currency}"
    return money


def require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def require_aware(instant: datetime) -> None:
    require(instant.tzinfo is not None and instant.utcoffset() is not None, "times must be time-zone aware")
