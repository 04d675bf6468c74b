"""Agreement tracking's configuration, from environment variables."""
from pathlib import Path

from pydantic import Field

from services.agreement.domain.policy import DEFAULT_POLICY_PATH
from shared.settings import CommonSettings, env


class AgreementSettings(CommonSettings):
    database_url: str = Field("postgresql://agreement:agreement@127.0.0.1:15432/agreement",
                              validation_alias=env("AGREEMENT_DATABASE_URL", "DATABASE_URL"))
    http_host: str = Field("0.0.0.0", validation_alias=env("AGREEMENT_HTTP_HOST", "HTTP_HOST"))
    http_port: int = Field(8084, validation_alias=env("AGREEMENT_HTTP_PORT", "HTTP_PORT"))
    consumer_group: str = Field("agreement-tracking", validation_alias=env("AGREEMENT_CONSUMER_GROUP",
                                                                           "CONSUMER_GROUP"))
    policy_path: Path = Field(DEFAULT_POLICY_PATH, validation_alias=env("AGREEMENT_POLICY_PATH"))
    sandbox_signatures: bool = Field(False, validation_alias=env("AGREEMENT_SANDBOX_SIGNATURES"))
