"""Outreach's configuration, from environment variables."""
from pathlib import Path

from pydantic import Field

from services.outreach.domain.rulebook import DEFAULT_RULEBOOK_PATH
from services.outreach.domain.strategy import DEFAULT_STRATEGY_PATH
from shared.settings import env, service_settings

_Common = service_settings("outreach", http_port=8082, consumer_group="outreach")


class OutreachSettings(_Common):  # type: ignore[misc, valid-type]
    rulebook_path: Path = Field(DEFAULT_RULEBOOK_PATH, validation_alias=env("OUTREACH_RULEBOOK_PATH"))
    strategy_path: Path = Field(DEFAULT_STRATEGY_PATH, validation_alias=env("OUTREACH_STRATEGY_PATH"))
    callback_number: str = Field("400-820-0000", validation_alias=env("OUTREACH_CALLBACK_NUMBER"))
    promise_grace_days: int = Field(2, ge=0, validation_alias=env("OUTREACH_PROMISE_GRACE_DAYS"))
    due_cases_per_tick: int = Field(2000, ge=1, validation_alias=env("OUTREACH_DUE_CASES_PER_TICK"))
    channel_provider: str = Field("sandbox", pattern="^(sandbox|webhook)$",
                                  validation_alias=env("OUTREACH_CHANNEL_PROVIDER"))
    webhook_url: str = Field("", validation_alias=env("OUTREACH_WEBHOOK_URL"))
    webhook_token: str = Field("", validation_alias=env("OUTREACH_WEBHOOK_TOKEN"))
    webhook_timeout_seconds: float = Field(5.0, gt=0, validation_alias=env("OUTREACH_WEBHOOK_TIMEOUT_SECONDS"))
