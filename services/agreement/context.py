"""What agreement tracking's use cases need besides the transaction, built once at start-up."""
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.agreement.domain.policy import AgreementPolicy


@dataclass(frozen=True)
class Context:
    policy: AgreementPolicy  # the limits proposals are checked against, and how signed ones are followed
    zone: ZoneInfo  # the portfolio's: business dates

    def business_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()
