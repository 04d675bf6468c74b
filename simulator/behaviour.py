"""How each behaviour pays: the planned (business date, amount) payments of one loan."""
import random
from collections.abc import Sequence
from datetime import date, timedelta

from shared.events.loan import Instalment
from simulator.book import LATE_THEN_CURED, NEVER, ON_TIME, PARTIAL, Behaviour


def planned_payments(
    behaviour: Behaviour, schedule: Sequence[Instalment], originated_on: date, rng: random.Random,
) -> list[tuple[date, int]]:
    """Payments the borrower makes against `schedule` (the schedule in force, after any rescheduling)."""
    earliest = originated_on + timedelta(days=1)
    if behaviour.kind == ON_TIME:
        return [(_on_time(rng, instalment, earliest), instalment.amount_due) for instalment in schedule]
    if behaviour.kind == PARTIAL:
        return [
            (max(earliest, instalment.due_date + timedelta(days=rng.randint(-2, 5))),
             max(1, int(instalment.amount_due * behaviour.partial_fraction)))
            for instalment in schedule
        ]
    if behaviour.kind == NEVER:
        return [
            (_on_time(rng, instalment, earliest), instalment.amount_due)
            for instalment in schedule[: behaviour.stop_after]
        ]
    if behaviour.kind == LATE_THEN_CURED:
        return _late_then_cured(behaviour, schedule, earliest, rng)
    raise ValueError(f"unknown behaviour {behaviour.kind!r}")


def _on_time(rng: random.Random, instalment: Instalment, earliest: date) -> date:
    return max(earliest, instalment.due_date - timedelta(days=rng.randint(0, 3)))


def _late_then_cured(
    behaviour: Behaviour, schedule: Sequence[Instalment], earliest: date, rng: random.Random,
) -> list[tuple[date, int]]:
    """On time until `late_from`, then nothing for `late_days`, then one payment catching up, then on time."""
    ordered = sorted(schedule, key=lambda instalment: instalment.sequence)
    late_index = min(behaviour.late_from, len(ordered)) - 1
    cure_date = ordered[late_index].due_date + timedelta(days=behaviour.late_days)
    payments = [(_on_time(rng, instalment, earliest), instalment.amount_due) for instalment in ordered[:late_index]]
    caught_up = [instalment for instalment in ordered[late_index:] if instalment.due_date <= cure_date]
    payments.append((cure_date, sum(instalment.amount_due for instalment in caught_up)))
    rest = ordered[late_index + len(caught_up):]
    payments.extend((max(cure_date, _on_time(rng, instalment, earliest)), instalment.amount_due) for instalment in rest)
    return payments
