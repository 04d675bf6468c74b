"""Rules of the loan's state and of visits: no contact about a loan in dispute, under an agreement in
force, or about a case a payment cleared; a visit only inside the window the borrower confirmed before."""
from collections.abc import Iterator

from tools.conduct.facts import Facts
from tools.conduct.model import Breach, first_covering


def loan_states(facts: Facts, book: object) -> Iterator[Breach]:
    for contact in facts.contacts():
        if contact.loan_id is None:
            facts.gaps["loan state: the contact's loan is not known (no case, or a case never announced)"] += 1
            continue
        if span := first_covering(facts.disputes.get(contact.loan_id, []), contact.at):
            yield Breach("contact_on_disputed_loan", contact.person, contact.loan_id, contact.at,
                         f"{contact.channel} {contact.ref} while dispute {span.label} (opened {span.start}) is open")
        if span := first_covering(facts.agreements.get(contact.loan_id, []), contact.at):
            yield Breach("contact_under_agreement", contact.person, contact.loan_id, contact.at,
                         f"{contact.channel} {contact.ref} (case {contact.case_id}) while agreement {span.label} "
                         f"(signed {span.start}) is in force")
        if contact.case_id and (span := first_covering(facts.cleared.get(contact.case_id, []), contact.at)):
            yield Breach("contact_after_paid_up", contact.person, contact.loan_id, contact.at,
                         f"{contact.channel} {contact.ref} about case {contact.case_id}, cleared by a payment at "
                         f"{span.start}")


def visits(facts: Facts, book: object) -> Iterator[Breach]:
    for visit in facts.visits.values():
        if visit.checked_in_at is None:
            continue
        request = facts.requests.get(visit.request_id or "")
        if request is None or request.confirmed_at >= visit.checked_in_at:
            why = "no confirmed window" if request is None else f"window confirmed only at {request.confirmed_at}"
            yield Breach("visit_unconfirmed", visit.person, visit.loan_id, visit.checked_in_at,
                         f"visit {visit.visit_id} checked in with {why}")
        elif not request.window[0] <= visit.checked_in_at < request.window[1]:
            yield Breach("visit_outside_confirmed_window", visit.person, visit.loan_id, visit.checked_in_at,
                         f"visit {visit.visit_id} checked in outside the confirmed {request.window[0]} - "
                         f"{request.window[1]}")


def visits_cancelled_after_payment(facts: Facts, book: object) -> Iterator[Breach]:
    """A visit still to come when a payment cleared its case must be cancelled (not left to be missed)."""
    for visit in facts.visits.values():
        request = facts.requests.get(visit.request_id or "")
        window = visit.window or (request.window if request else None)
        if window is None or visit.checked_in_at is not None or visit.cancelled_at is not None:
            continue  # begun (a check-in after the payment is contact_after_paid_up), or cancelled
        for span in facts.cleared.get(visit.case_id, []):
            still_to_come = window[1] > span.start and (visit.over_at is None or visit.over_at > span.start)
            if still_to_come and (span.end is None or span.end > window[0]):
                yield Breach("visit_not_cancelled", visit.person, visit.loan_id, span.start,
                             f"visit {visit.visit_id} ({window[0]} - {window[1]}) not cancelled after case "
                             f"{visit.case_id} was cleared")
                break
