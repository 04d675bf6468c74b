"""Agreement tracking's business metrics."""
from prometheus_client import Counter, Gauge

AGREEMENTS = Counter("agreement_transitions_total", "Agreements reaching a status", ["status"])
PROPOSALS_REJECTED = Counter("agreement_proposals_rejected_total", "Proposals outside policy, by rule", ["rule"])
INSTALMENTS = Counter("agreement_instalments_total", "Agreement instalments paid or missed", ["result"])
RECOVERED = Counter("agreement_recovered_minor_units_total", "Money paid towards agreements", ["currency"])
BY_STATUS = Gauge("agreement_agreements", "Agreements by status", ["status"])
