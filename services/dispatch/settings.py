"""Visit dispatch's configuration, from environment variables."""
from pydantic import Field

from shared.settings import env, service_settings

_Common = service_settings("dispatch", http_port=8083, consumer_group="visit-dispatch")


class DispatchSettings(_Common):  # type: ignore[misc, valid-type]
    collectors_per_visit: int = Field(2, ge=1, le=4, validation_alias=env("DISPATCH_COLLECTORS_PER_VISIT"))
    load_weight_km: float = Field(5.0, ge=0, validation_alias=env("DISPATCH_LOAD_WEIGHT_KM"))
    sandbox_field_team: bool = Field(False, validation_alias=env("DISPATCH_SANDBOX_FIELD_TEAM"))
    travel_speed_kmh: float = Field(25.0, gt=0, validation_alias=env("DISPATCH_TRAVEL_SPEED_KMH"))
