"""Agreement tracking's configuration, from environment variables."""
from pathlib import Path

from pydantic import Field

from services.agreement.domain.policy import DEFAULT_POLICY_PATH
from shared.settings import env, service_settings

_Common = service_settings("agreement", http_port=8084, consumer_group="agreement-tracking")


class AgreementSettings(_Common):  # type: ignore[misc, valid-type]
    policy_path: Path = Field(DEFAULT_POLICY_PATH, validation_alias=env("AGREEMENT_POLICY_PATH"))
    sandbox_signatures: bool = Field(False, validation_alias=env("AGREEMENT_SANDBOX_SIGNATURES"))
