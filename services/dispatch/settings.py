"""Visit dispatch's configuration, from environment variables."""
from pydantic import Field

from shared.settings import CommonSettings, env


class DispatchSettings(CommonSettings):
    database_url: str = Field("postgresql://dispatch:dispatch@127.0.0.1:15432/dispatch",
                              validation_alias=env("DISPATCH_DATABASE_URL", "DATABASE_URL"))
    http_host: str = Field("0.0.0.0", validation_alias=env("DISPATCH_HTTP_HOST", "HTTP_HOST"))
    http_port: int = Field(8083, validation_alias=env("DISPATCH_HTTP_PORT", "HTTP_PORT"))
    consumer_group: str = Field("visit-dispatch", validation_alias=env("DISPATCH_CONSUMER_GROUP", "CONSUMER_GROUP"))
    collectors_per_visit: int = Field(2, ge=1, le=4, validation_alias=env("DISPATCH_COLLECTORS_PER_VISIT"))
    load_weight_km: float = Field(5.0, ge=0, validation_alias=env("DISPATCH_LOAD_WEIGHT_KM"))
    sandbox_field_team: bool = Field(False, validation_alias=env("DISPATCH_SANDBOX_FIELD_TEAM"))
    travel_speed_kmh: float = Field(25.0, gt=0, validation_alias=env("DISPATCH_TRAVEL_SPEED_KMH"))
