"""Overdue detection's configuration, from environment variables."""
from pydantic import Field

from shared.settings import env, service_settings

_Common = service_settings("overdue", http_port=8081, consumer_group="overdue-detection")


class OverdueSettings(_Common):  # type: ignore[misc, valid-type]
    grace_days: int = Field(0, ge=0, validation_alias=env("OVERDUE_GRACE_DAYS"))
    buckets: str = Field("1-30,31-60,61-90,91-180,181+", validation_alias=env("OVERDUE_BUCKETS"))
    portfolio_refresh_seconds: float = Field(5.0, validation_alias=env("OVERDUE_PORTFOLIO_REFRESH_SECONDS"))
