"""Customers changing phone, address or time zone after their last loan was originated."""
import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from shared.events.loan import Borrower, CustomerContactUpdated
from simulator.dates import random_instant
from simulator.people import SHANGHAI, URUMQI, address_in, city_named, mobile_number
from simulator.timeline import Occurrence


def contact_update(
    borrower: Borrower, last_origination: date, rate: float, zone: ZoneInfo, seed: int,
) -> Occurrence | None:
    """At most one update per customer, some days after their last origination (so every
    origination carries the borrower as the loan system knew them then)."""
    rng = random.Random(f"contact:{seed}:{borrower.customer_id}")
    if rng.random() >= rate:
        return None
    day = last_origination + timedelta(days=rng.randint(1, 60))
    change = rng.choice(("phone", "address", "phone_and_address", "time_zone"))
    update: dict = {}
    if change in ("phone", "phone_and_address"):
        update["phones"] = [mobile_number(rng)] + borrower.phones[:1] * rng.randint(0, 1)
    if change in ("address", "phone_and_address"):
        update["address"] = address_in(rng, city_named(borrower.address.city))
    if change == "time_zone":
        if borrower.address.city != "乌鲁木齐":
            update["phones"] = [mobile_number(rng)]
        else:
            update["time_zone"] = SHANGHAI if borrower.time_zone == URUMQI else URUMQI
    model = CustomerContactUpdated(customer_id=borrower.customer_id, **update)
    key = borrower.customer_id
    return Occurrence(random_instant(rng, day, zone, "08:00", "22:00"), model, f"contact/{key}/1", key)
