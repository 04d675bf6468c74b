"""Rules of what the person said and who may be contacted: a complaint, a stop request or a named
channel, third parties only to locate an unreachable borrower, and only numbers on file that are not
known to be wrong."""
from collections.abc import Iterator
from datetime import datetime

from tools.conduct.facts import Facts
from tools.conduct.model import Breach, Contact, first_covering
from tools.conduct.rulebook import FAILURES, Book


def complaints(facts: Facts, book: Book) -> Iterator[Breach]:
    for contact in facts.contacts():
        if span := first_covering(facts.complaints.get(contact.person, []), contact.at):
            yield Breach("contact_during_complaint", contact.person, contact.about, contact.at,
                         f"{contact.channel} {contact.ref} while complaint {span.label} (opened {span.start}) is open")


def stated_preferences(facts: Facts, book: Book) -> Iterator[Breach]:
    for contact in facts.contacts():
        stated = facts.preferences_at(contact.person, contact.at)
        if not stated:
            continue
        if stated["stop_contact"]:
            yield Breach("contact_after_stop", contact.person, contact.about, contact.at,
                         f"{contact.channel} {contact.ref} to the {contact.recipient} after the stop request of "
                         f"{stated['changed_at']}")
        elif contact.recipient == "borrower" and stated.get("preferred_channel") not in (None, contact.channel):
            yield Breach("channel_not_preferred", contact.person, contact.about, contact.at,
                         f"{contact.channel} {contact.ref}, asked for {stated['preferred_channel']} only on "
                         f"{stated['changed_at']}")


def third_parties(facts: Facts, book: Book) -> Iterator[Breach]:
    for contact in facts.contacts():
        if contact.recipient != "emergency_contact":
            continue
        if not book.locate_only(contact.template_id):
            yield Breach("third_party_not_locate", contact.person, contact.about, contact.at,
                         f"{contact.channel} {contact.ref} to an emergency contact with template {contact.template_id}")
        if (why := _reachable(facts, book, contact)) is not None:
            yield Breach("third_party_while_reachable", contact.person, contact.about, contact.at,
                         f"{contact.channel} {contact.ref} to an emergency contact: {why}")


def numbers(facts: Facts, book: Book) -> Iterator[Breach]:
    for contact in facts.contacts():
        if contact.channel == "visit":
            continue
        if contact.number is None:
            facts.gaps["numbers: the number an attempt went to is not known (no outreach table)"] += 1
            continue
        on_file = facts.numbers_at(contact.person, contact.at)
        if on_file is None:
            facts.gaps["numbers: the person's numbers are not known (no loan events)"] += 1
        elif contact.number not in on_file[0 if contact.recipient == "borrower" else 1]:
            yield Breach("number_not_on_file", contact.person, contact.number, contact.at,
                         f"{contact.channel} {contact.ref} to the {contact.recipient} at a number not theirs then")
        if contact.number in (invalid_numbers(facts, contact.person, contact.at) or ()):
            yield Breach("contact_to_invalid_number", contact.person, contact.number, contact.at,
                         f"{contact.channel} {contact.ref} to a number reported as a wrong number before")


def invalid_numbers(facts: Facts, person: str, at: datetime, *, inclusive: bool = False,
                    renaming_clears: bool = True) -> set[str] | None:
    """Numbers reported wrong before `at` (`inclusive`: or at that very instant) and, if `renaming_clears`,
    not named again by the loan system since; None when a wrong number was reported on an attempt whose
    number is not known."""
    invalid: set[str] = set()
    for attempt in facts.reported(person, "wrong_number"):
        reported = attempt.outcome_at or attempt.at
        if attempt.at >= at or not _by(reported, at, inclusive):
            continue
        if attempt.number is None:
            return None
        if not (renaming_clears and facts.named_since(person, attempt.number, reported, at)):
            invalid.add(attempt.number)
    return invalid


def _by(reported: datetime, at: datetime, inclusive: bool) -> bool:
    return reported <= at if inclusive else reported < at


def failed_in_a_row(facts: Facts, contact: Contact, inclusive: bool) -> int:
    """The borrower's latest attempts with an outcome on record by the contact that all failed. Attempts
    decided at one instant are read failures first: the order among them is not on record."""
    mine = facts.attempts_by_person.get(contact.person, ())
    known = sorted((a for a in mine if a.recipient == "borrower" and a.outcome is not None and a.at < contact.at
                    and _by(a.outcome_at or a.at, contact.at, inclusive)), key=lambda a: (a.at, a.outcome in FAILURES))
    failed = 0
    for attempt in reversed(known):
        if attempt.outcome not in FAILURES:
            break
        failed += 1
    return failed


def _reachable(facts: Facts, book: Book, contact: Contact) -> str | None:
    """Why the borrower counted as reachable when their emergency contact was approached; None if not.

    An outcome or a wrong number reported at the very instant of the contact may or may not have been
    known to whoever decided it: the borrower counts as unreachable if they were on either reading. A number
    once reported wrong counts as wrong here even if the loan system lists it again (the service may keep it so).
    """
    failed = max(failed_in_a_row(facts, contact, inclusive) for inclusive in (False, True))
    if failed >= book.third_party_failed_in_a_row:
        return None
    on_file = facts.numbers_at(contact.person, contact.at)
    invalid = invalid_numbers(facts, contact.person, contact.at, inclusive=True, renaming_clears=False)
    mine = facts.attempts_by_person.get(contact.person, ())
    if invalid is None or (on_file is None and any(a.outcome == "wrong_number" and a.at < contact.at for a in mine)):
        facts.gaps["third party: whether every number of the borrower was wrong is not known"] += 1
        return None
    if on_file is not None and on_file[0] and on_file[0] <= invalid:
        return None
    return f"only {failed} failed attempt(s) in a row on record and a valid number of their own"
