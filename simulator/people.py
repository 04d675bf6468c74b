"""Borrowers: Chinese names, mainland mobile numbers, addresses in real cities."""
import random

from shared.events.loan import Address, Borrower, EmergencyContact
from simulator.places import (
    CITIES,
    FAMILY_NAMES,
    GIVEN_NAME_CHARACTERS,
    MOBILE_PREFIXES,
    RELATIONS,
    STREETS,
    City,
)

SHANGHAI = "Asia/Shanghai"
URUMQI = "Asia/Urumqi"
COORDINATE_JITTER_DEGREES = 0.08


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN_NAME_CHARACTERS) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(FAMILY_NAMES) + given


def mobile_number(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def pick_city(rng: random.Random) -> City:
    return rng.choices(CITIES, weights=[city.weight for city in CITIES])[0]


def address_in(rng: random.Random, city: City) -> Address:
    district_index = rng.randrange(len(city.districts))
    line = (
        f"{city.districts[district_index]}{rng.choice(STREETS)}{rng.randint(1, 999)}号"
        f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
    )
    return Address(
        line=line,
        city=city.name,
        district=city.districts[district_index],
        postal_code=f"{city.postal_prefix}{district_index + 1:03d}",
        latitude=round(city.latitude + rng.uniform(-COORDINATE_JITTER_DEGREES, COORDINATE_JITTER_DEGREES), 6),
        longitude=round(city.longitude + rng.uniform(-COORDINATE_JITTER_DEGREES, COORDINATE_JITTER_DEGREES), 6),
    )


def time_zone_for(rng: random.Random, city: City) -> str:
    return URUMQI if rng.random() < city.urumqi_zone_share else SHANGHAI


def emergency_contacts(rng: random.Random) -> list[EmergencyContact]:
    count = rng.choices((0, 1, 2), weights=(3, 5, 2))[0]
    return [
        EmergencyContact(name=person_name(rng), phone=mobile_number(rng), relation=rng.choice(RELATIONS))
        for _ in range(count)
    ]


def make_borrower(rng: random.Random, customer_id: str) -> Borrower:
    city = pick_city(rng)
    phones = [mobile_number(rng) for _ in range(rng.choices((1, 2), weights=(4, 1))[0])]
    return Borrower(
        customer_id=customer_id,
        name=person_name(rng),
        phones=phones,
        address=address_in(rng, city),
        time_zone=time_zone_for(rng, city),
        emergency_contacts=emergency_contacts(rng),
    )


def city_named(name: str) -> City:
    return next(city for city in CITIES if city.name == name)
