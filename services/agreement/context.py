"""What agreement tracking's handlers and views need, built once at start-up."""
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from services.agreement.domain.policy import AgreementPolicy


@dataclass(frozen=True)
class Agreements:
    policy: AgreementPolicy
    topic: str  # agreement-events
    zone: ZoneInfo  # the portfolio's: business dates
    sandbox_signatures: bool = False  # make run: the borrower at the door signs what was negotiated
