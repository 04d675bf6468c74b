"""What dispatch's handlers and use cases need, built once at start-up and passed in."""
from dataclasses import dataclass

from services.dispatch.domain.policy import DispatchPolicy


@dataclass(frozen=True)
class Dispatch:
    policy: DispatchPolicy
    collectors_per_visit: int
    sandbox_field_team: bool = False  # make run: a simulated team checks in and reports at the door
