"""Does a text reveal a debt? The check every message to a third party must pass.

Deliberately broad: a false alarm only means rewording a third-party template,
while a miss tells a neighbour or relative that someone owes money. Words that
merely name a lender ("finance", "credit", 金融, 贷) count too, since a lender's
name alone reveals what the call is about.
"""
import re

_ENGLISH = re.compile(
    r"\b(?:overdue|debt|loan|payment|pay|paid|amount|owe|owing|arrear|balance|repay|instal+ment"
    r"|collect|delinquen|credit|lend|financ|due\s+date)",
    re.IGNORECASE,
)
_CHINESE = re.compile(r"欠|逾期|还款|还钱|应还|债|催收|贷|借款|账单|金额|分期|利息|罚息|金融|信用")
_CURRENCY_FIGURE = re.compile(
    r"[¥￥$€£₹]\s*\d"
    r"|\d[\d,.]*\s*(?:元|块|圆|万|yuan|rmb|cny|usd|hkd|eur|dollar)"
    r"|\b(?:rmb|cny|usd|hkd|eur|gbp|jpy)\s*\d",
    re.IGNORECASE,
)


def mentions_debt(text: str) -> bool:
    return any(pattern.search(text) for pattern in (_ENGLISH, _CHINESE, _CURRENCY_FIGURE))
