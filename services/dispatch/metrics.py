"""Dispatch's business metrics (labels: outcomes and reason codes from code, never ids)."""
from prometheus_client import Counter, Gauge

VISITS_SCHEDULED = Counter("dispatch_visits_scheduled_total", "Visits taken from confirmed requests")
VISITS_ASSIGNED = Counter("dispatch_visits_assigned_total", "Visits assigned or re-assigned to a team", ["kind"])
VISITS_UNASSIGNABLE = Counter("dispatch_visits_unassignable_total", "Visits nobody eligible could take", ["reason"])
VISITS_CANCELLED = Counter("dispatch_visits_cancelled_total", "Visits cancelled before they happened", ["reason"])
VISITS_COMPLETED = Counter("dispatch_visits_completed_total", "Visits done, by what happened at the door",
                           ["outcome"])
VISITS_MISSED = Counter("dispatch_visits_missed_total", "Visits nobody checked in to", ["next"])
VISITS = Gauge("dispatch_visits", "Visits by status", ["status"])
COLLECTORS_ACTIVE = Gauge("dispatch_collectors_active", "Active collectors on the roster")
