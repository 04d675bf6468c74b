"""The message templates the service ships, by id; requests name one of these."""
from services.outreach.domain.templates import BorrowerTemplate, Template, ThirdPartyTemplate

_TEMPLATES: tuple[Template, ...] = (
    BorrowerTemplate("sms.reminder.en", "Hi {first_name}, your {loan_product} instalment of {amount_overdue} "
                     "was due on {due_date}. Please pay or call us on {callback_number}."),
    BorrowerTemplate("sms.reminder.zh", "{first_name}您好，您的{loan_product}分期{amount_overdue}已于{due_date}到期，"
                     "请尽快还款，如有疑问请致电{callback_number}。"),
    BorrowerTemplate("sms.collection.zh", "{first_name}您好，您的{loan_product}已逾期，逾期金额{amount_overdue}"
                     "（到期日{due_date}）。请致电{callback_number}商量还款安排。"),
    BorrowerTemplate("sms.visit_confirmation.zh", "{first_name}您好，关于您的{loan_product}，我们希望上门拜访，"
                     "请回复或致电{callback_number}选择方便的时间。"),
    ThirdPartyTemplate("third_party.locate.en", "Hello, we are trying to reach a person who gave this number "
                       "as a contact. Could you ask them to call us back on {callback_number}? Thank you."),
    ThirdPartyTemplate("third_party.locate.zh", "您好，有位朋友留下了您的电话作为联系方式，"
                       "麻烦您转告其回电{callback_number}，谢谢。"),
)

TEMPLATES: dict[str, Template] = {template.template_id: template for template in _TEMPLATES}
