"""Message templates as types: only a message to the borrower can carry the debt.

No message to anyone but the borrower may reveal the debt. Rather than trust
every caller to leave the amount out, a third-party template can only be
filled with `ThirdPartyFields`, which hold a callback number and nothing else
(a phone number, validated, so it cannot smuggle words in); building them with
a debt field fails validation, rendering one with borrower fields is a type
error, and a third-party template whose own text mentions debt cannot be made.
"""
from dataclasses import dataclass
from datetime import date
from string import Formatter
from typing import Annotated, overload

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.outreach.domain.disclosure import mentions_debt
from services.outreach.domain.model import Recipient

PhoneNumber = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 \-]{4,19}$")]
_NO_DECIMALS = frozenset({"JPY", "KRW", "VND"})


class BorrowerFields(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    first_name: str
    amount_overdue: int = Field(ge=0)  # minor units
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    due_date: date
    loan_product: str
    callback_number: PhoneNumber

    def values(self) -> dict[str, str]:
        exponent = 0 if self.currency in _NO_DECIMALS else 2
        amount = f"{self.currency} {self.amount_overdue / 10 ** exponent:,.{exponent}f}"
        return {"first_name": self.first_name, "amount_overdue": amount, "due_date": self.due_date.isoformat(),
                "loan_product": self.loan_product, "callback_number": self.callback_number}


class ThirdPartyFields(BaseModel):
    """All a message to an emergency contact may carry: where the borrower should call back."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    callback_number: PhoneNumber


@dataclass(frozen=True)
class BorrowerTemplate:
    template_id: str
    text: str

    def __post_init__(self) -> None:
        _require_only(self, set(BorrowerFields.model_fields))


@dataclass(frozen=True)
class ThirdPartyTemplate:
    template_id: str
    text: str

    def __post_init__(self) -> None:
        _require_only(self, set(ThirdPartyFields.model_fields))
        if mentions_debt(self.text):
            raise ValueError(f"third-party template {self.template_id!r} mentions the debt")


Template = BorrowerTemplate | ThirdPartyTemplate


@overload
def render(template: BorrowerTemplate, fields: BorrowerFields) -> str: ...
@overload
def render(template: ThirdPartyTemplate, fields: ThirdPartyFields) -> str: ...
def render(template: Template, fields: BorrowerFields | ThirdPartyFields) -> str:
    if isinstance(template, ThirdPartyTemplate) and isinstance(fields, ThirdPartyFields):
        text = template.text.format(callback_number=fields.callback_number)
        if mentions_debt(text):  # unreachable by construction; kept as the last line of defence
            raise ValueError(f"third-party message from {template.template_id!r} would mention the debt")
        return text
    if isinstance(template, BorrowerTemplate) and isinstance(fields, BorrowerFields):
        return template.text.format(**fields.values())
    raise TypeError(f"{type(template).__name__} cannot be filled with {type(fields).__name__}")


def template_for(catalog: dict[str, Template], template_id: str, recipient: Recipient) -> Template:
    """The template to send to `recipient`; an emergency contact only ever gets a third-party one."""
    template = catalog[template_id]
    wanted = ThirdPartyTemplate if recipient == "emergency_contact" else BorrowerTemplate
    if not isinstance(template, wanted):
        raise TypeError(f"template {template_id!r} is not for a {recipient.replace('_', ' ')}")
    return template


def _require_only(template: Template, allowed: set[str]) -> None:
    used = {name for _, name, _, _ in Formatter().parse(template.text) if name is not None}
    if not used <= allowed:
        raise ValueError(f"template {template.template_id!r} uses unknown fields {sorted(used - allowed)}")
