"""What dispatch's handlers and views need, built once at start-up and passed in."""
from dataclasses import dataclass

from services.dispatch.domain.policy import DispatchPolicy


@dataclass(frozen=True)
class Dispatch:
    policy: DispatchPolicy
    topic: str  # dispatch-events
    collectors_per_visit: int
    sandbox_field_team: bool = False  # make run: a simulated team checks in and reports at the door
