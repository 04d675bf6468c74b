"""Small helpers over database rows shared by the services' use cases."""
from collections.abc import Mapping
from typing import Any

REFERENCE_FIELDS = ("case_id", "loan_id", "customer_id")


def reference(row: Mapping[str, Any], id_field: str) -> dict[str, Any]:
    """The ids an event about this row carries: its own id (`visit_id`, `agreement_id`…) and the
    case, loan and customer it belongs to."""
    return {field: row[field] for field in (id_field, *REFERENCE_FIELDS)}
