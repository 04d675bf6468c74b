"""Outreach's business metrics. Labels: channels, rules, outcomes, variants: all bounded by code or config."""
from prometheus_client import Counter, Gauge

CONTACT_ATTEMPTS = Counter("outreach_contact_attempts_total", "Contacts allowed and attempted",
                           ["channel", "recipient", "variant"])
CONTACTS_BLOCKED = Counter("outreach_contacts_blocked_total", "Contacts the rule book blocked, by rule",
                           ["channel", "rule"])
OUTCOMES = Counter("outreach_contact_outcomes_total", "Outcomes reported by gateways and dialers",
                   ["channel", "outcome", "variant"])
PROMISES = Counter("outreach_promises_total", "Promises to pay by what became of them", ["status", "variant"])
VISITS_REQUESTED = Counter("outreach_visit_requests_total", "Field visits requested at a confirmed time",
                           ["variant"])
LEGAL_REFERRALS = Counter("outreach_legal_referrals_total", "Cases referred to legal services", ["variant"])
CASES_OPENED = Counter("outreach_cases_opened_total", "Delinquency cases taken up", ["variant"])
CASES_CLOSED = Counter("outreach_cases_closed_total", "Cases closed (cured, settled, loan closed)", ["reason"])
CASES_OPEN = Gauge("outreach_cases_open", "Open cases", ["variant"])
COMPLAINTS_OPEN = Gauge("outreach_complaints_open", "Complaints not yet resolved")
