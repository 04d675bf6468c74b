"""Rules that only a person's action or a new fact can lift: a complaint, a paid-up loan, a dispute, an agreement
in force, a stop request, third-party misuse, a bad number.

Each returns a Block without a retry time, or None when it has nothing
against the request. Waiting changes none of them, so no retry time is given.
The first four are about the case, whatever the contact (`case_id` only): they
also stop what is not a contact, a referral to legal services.
"""
from datetime import datetime

from services.outreach.domain.model import Block, ContactRequest, PersonHistory
from services.outreach.domain.rulebook import RuleBook


def complaint_open(case_id: str, person: PersonHistory, book: RuleBook) -> Block | None:
    """An open complaint pauses all collection activity for the person until it is resolved."""
    return Block("complaint.open") if person.open_complaint else None


def paid_up(case_id: str, person: PersonHistory, book: RuleBook) -> Block | None:
    """A payment cleared everything overdue on the case: nothing more about it until the day's end closes it."""
    return Block("loan.paid_up") if case_id in person.paid_up_cases else None


def dispute_open(case_id: str, person: PersonHistory, book: RuleBook) -> Block | None:
    """A purchase in dispute with the merchant: no collection of its loan until the dispute is resolved."""
    return Block("dispute.open") if case_id in person.disputed_cases else None


def agreement_in_force(case_id: str, person: PersonHistory, book: RuleBook) -> Block | None:
    """An agreement in force holds every case of its loan; by policy, also the customer's other loans."""
    if case_id in person.agreement_cases:
        return Block("agreement.in_force")
    if book.agreement.holds_other_loans and person.agreement_in_force:
        return Block("agreement.other_loan")
    return None


def stop_contact(request: ContactRequest, person: PersonHistory, book: RuleBook, now: datetime) -> Block | None:
    """A stop request covers everyone we would contact about the borrower, their contacts included."""
    return Block("preference.stop_contact") if person.preferences.stop_contact else None


def third_party_purpose(request: ContactRequest, person: PersonHistory, book: RuleBook,
                        now: datetime) -> Block | None:
    """Emergency contacts may only be asked to help locate the borrower."""
    if request.recipient == "emergency_contact" and request.purpose not in book.third_party.purposes:
        return Block("third_party.locate_only")
    return None


def third_party_unreachable(request: ContactRequest, person: PersonHistory, book: RuleBook,
                            now: datetime) -> Block | None:
    """Emergency contacts only when the borrower cannot be reached themselves."""
    if request.recipient == "emergency_contact" and not _unreachable(person, book):
        return Block("third_party.unreachable_only")
    return None


def invalid_destination(request: ContactRequest, person: PersonHistory, book: RuleBook,
                        now: datetime) -> Block | None:
    return Block("destination.invalid") if request.destination in person.invalid_destinations else None


def preferred_channel(request: ContactRequest, person: PersonHistory, book: RuleBook,
                      now: datetime) -> Block | None:
    """The borrower's named channel is the only one used to contact them (visits included)."""
    preferred = person.preferences.preferred_channel
    if request.recipient == "borrower" and preferred is not None and request.channel != preferred:
        return Block("preference.channel")
    return None


def _unreachable(person: PersonHistory, book: RuleBook) -> bool:
    # A file without numbers is more likely incomplete than proof the borrower has no phone.
    every_number_invalid = bool(person.phones) and person.phones <= person.invalid_destinations
    return every_number_invalid or person.failed_in_a_row() >= book.third_party.failed_attempts_in_a_row
