"""The one table from CloudEvents type to data model."""
from pydantic import BaseModel

from shared.events import agreement, clock, delinquency, dispatch, loan, outreach

EVENT_TYPES: dict[str, type[BaseModel]] = {
    "loan.originated": loan.LoanOriginated,
    "loan.payment_received": loan.PaymentReceived,
    "loan.payment_reversed": loan.PaymentReversed,
    "loan.rescheduled": loan.LoanRescheduled,
    "loan.closed": loan.LoanClosed,
    "customer.contact_updated": loan.CustomerContactUpdated,
    "clock.ticked": clock.ClockTicked,
    "delinquency.loan_became_overdue": delinquency.LoanBecameOverdue,
    "delinquency.loan_bucket_changed": delinquency.LoanBucketChanged,
    "delinquency.loan_cured": delinquency.LoanCured,
    "delinquency.loan_settled": delinquency.LoanSettled,
    "delinquency.loan_closed": delinquency.LoanClosedOut,
    "outreach.contact_attempted": outreach.ContactAttempted,
    "outreach.contact_blocked": outreach.ContactBlocked,
    "outreach.contact_outcome_recorded": outreach.ContactOutcomeRecorded,
    "outreach.promise_made": outreach.PromiseMade,
    "outreach.promise_kept": outreach.PromiseKept,
    "outreach.promise_broken": outreach.PromiseBroken,
    "outreach.visit_requested": outreach.VisitRequested,
    "outreach.legal_referral_made": outreach.LegalReferralMade,
    "outreach.complaint_opened": outreach.ComplaintOpened,
    "outreach.complaint_resolved": outreach.ComplaintResolved,
    "dispatch.visit_scheduled": dispatch.VisitScheduled,
    "dispatch.visit_assigned": dispatch.VisitAssigned,
    "dispatch.visit_reassigned": dispatch.VisitReassigned,
    "dispatch.visit_cancelled": dispatch.VisitCancelled,
    "dispatch.visit_unassignable": dispatch.VisitUnassignable,
    "dispatch.visit_checked_in": dispatch.VisitCheckedIn,
    "dispatch.visit_missed": dispatch.VisitMissed,
    "dispatch.visit_completed": dispatch.VisitCompleted,
    "agreement.proposed": agreement.AgreementProposed,
    "agreement.approved": agreement.AgreementApproved,
    "agreement.signed": agreement.AgreementSigned,
    "agreement.instalment_paid": agreement.AgreementInstalmentPaid,
    "agreement.instalment_missed": agreement.AgreementInstalmentMissed,
    "agreement.broken": agreement.AgreementBroken,
    "agreement.fulfilled": agreement.AgreementFulfilled,
    "agreement.ended": agreement.AgreementEnded,
}

TYPE_OF_MODEL: dict[type[BaseModel], str] = {model: name for name, model in EVENT_TYPES.items()}
