"""Overdue detection's configuration, from environment variables."""
from pydantic import Field

from shared.settings import CommonSettings, env


class OverdueSettings(CommonSettings):
    database_url: str = Field(
        "postgresql://overdue:overdue@127.0.0.1:15432/overdue",
        validation_alias=env("OVERDUE_DATABASE_URL", "DATABASE_URL"),
    )
    http_host: str = Field("0.0.0.0", validation_alias=env("OVERDUE_HTTP_HOST", "HTTP_HOST"))
    http_port: int = Field(8081, validation_alias=env("OVERDUE_HTTP_PORT", "HTTP_PORT"))
    consumer_group: str = Field("overdue-detection", validation_alias=env("OVERDUE_CONSUMER_GROUP", "CONSUMER_GROUP"))
    grace_days: int = Field(0, ge=0, validation_alias=env("OVERDUE_GRACE_DAYS"))
    buckets: str = Field("1-30,31-60,61-90,91-180,181+", validation_alias=env("OVERDUE_BUCKETS"))
    portfolio_refresh_seconds: float = Field(5.0, validation_alias=env("OVERDUE_PORTFOLIO_REFRESH_SECONDS"))
