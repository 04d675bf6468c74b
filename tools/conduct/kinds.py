"""The breach kinds the auditor reports, each with its one-line definition. The names are stable."""

KINDS: dict[str, str] = {
    # hours and frequency
    "outside_contact_hours": "an SMS, call or visit check-in outside the contact hours (08:00-21:00) on the "
                             "borrower's own clock at that moment (the zone as last updated; DST applied)",
    "outside_preferred_hours": "a contact to the borrower outside the hours they asked for",
    "daily_cap": "more SMS or calls about one person on one local calendar day than the rule book's daily cap",
    "rolling_call_cap": "a call with more than the rule book's number of calls about the person in the 7 x 24 "
                        "hours up to it",
    "call_after_conversation": "a call less than 7 x 24 hours after a completed conversation with the borrower "
                               "(reached, promise_to_pay, refused or dispute, on record before the call)",
    "unanswered_calls_per_number": "a call to a number that already had the rule book's number of unanswered "
                                   "calls that local day",
    # what the borrower asked
    "contact_after_stop": "any contact (anyone, any channel) after the borrower asked to stop all contact",
    "channel_not_preferred": "a contact to the borrower on another channel than the one they named",
    "contact_during_complaint": "any SMS, call or visit check-in while a complaint of the person is open",
    # the loan's state
    "contact_on_disputed_loan": "a contact about a loan while its purchase is in dispute",
    "contact_under_agreement": "a contact about a loan while a signed repayment agreement on it is in force, "
                               "whichever case it is about",
    "contact_after_paid_up": "a contact (a visit check-in included) about a case after a payment cleared it "
                             "(paid up, cured, settled or closed) and before the case opened again",
    "visit_not_cancelled": "a visit of a case cleared by a payment, still to come then, never cancelled",
    # visits
    "visit_outside_confirmed_window": "a visit check-in outside the window the borrower confirmed",
    "visit_unconfirmed": "a visit check-in without a window the borrower confirmed before it",
    "visit_without_decision": "an assigned or checked-in visit whose decision dispatch did not record as "
                              "allowed with a policy version (on visit_scheduled, and on visit_checked_in)",
    # third parties and numbers
    "third_party_not_locate": "a message or call to an emergency contact with a template that is not a "
                              "locate-only one (it may reveal the debt)",
    "third_party_while_reachable": "an emergency contact approached while the borrower was reachable (their "
                                   "last attempts on record had not all failed and a number of theirs was valid)",
    "number_not_on_file": "an SMS or call to a number that was not, at that moment, the borrower's own (to the "
                          "borrower) or one of their emergency contacts' (to a third party)",
    "contact_to_invalid_number": "an SMS or call to a number after a wrong_number outcome on it (and before the "
                                 "loan system named it again)",
    # the record
    "decision_incomplete": "a contact decision published without a rule id or a policy version, or with a "
                           "policy version other than the rule book's",
    "attempt_not_allowed": "a contact attempt recorded under a rule id other than 'allowed'",
    "attempt_without_decision": "an attempt that went out (outreach's table) with no published contact decision",
}
