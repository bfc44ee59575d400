"""A refusal that may or may not mean "stop texting me" ("not interested", "no thanks", "too
many texts"): before the assistant answers, the borrower is asked once whether to stop, and a
yes to that question opts them out with their own words. Both assistant backends get this,
because it runs where inbound texts are classified."""

from django.conf import settings

from conversations import keywords
from conversations.models import AgentTurn, Kind, Message, Sender, TurnOutcome
from conversations.qualification.understanding import declines_officer_offer
from conversations.services.outbox import send_sms
from leads import services as lead_services
from leads.models import Lead

ASKED = "opt_out_asked"
QUESTION = {
    "en": "{company}: Would you like us to stop texting you? Reply YES to stop, or just tell us what you need.",
    "es": "{company}: ¿Quiere que dejemos de escribirle? Responda SI para no recibir más mensajes, o díganos qué necesita.",
}
YES = {"YES", "Y", "YEAH", "YEP", "YUP", "YES PLEASE", "PLEASE", "SURE", "OK", "OKAY", "CORRECT", "SI", "SÍ",
       "SI POR FAVOR", "SÍ POR FAVOR", "CLARO"}  # fmt: skip


def refusal_ask(*, lead: Lead, message: Message) -> bool:
    """Ask whether to stop, once per lead; False when it was asked before (the conversation
    goes on, and the borrower can still say STOP)."""
    if lead.events.filter(type=ASKED).exists():
        return False
    question = QUESTION.get(lead.language, QUESTION["en"]).format(company=settings.COMPANY_NAME)
    result = send_sms(
        lead=lead,
        body=question,
        kind=Kind.COMPLIANCE,
        sender=Sender.SYSTEM,
        dedupe_key=f"{ASKED}:{message.pk}",
    )
    lead_services.lead_event_record(
        lead=lead,
        type=ASKED,
        description=f"Asked whether to stop texting, after: {message.body!r}",
        data={
            "words": message.body,
            "message_id": str(message.pk),
            "question_id": str(result.message.pk) if result.queued else None,
        },
    )
    return True


def refusal_answered_yes(*, lead: Lead, message: Message) -> bool:
    """The borrower's first text after our question says yes (nothing is changed)."""
    if keywords.normalize(message.body) not in YES:
        return False
    asked = lead.events.filter(type=ASKED).order_by("-created_at").first()
    if asked is None:
        return False
    return not lead.messages.filter(
        direction="inbound", created_at__gt=asked.created_at, created_at__lt=message.created_at
    ).exists()


def refusal_confirmed(*, lead: Lead, message: Message) -> bool:
    """The borrower's first text after our question says yes: opt them out with these words."""
    if not refusal_answered_yes(lead=lead, message=message):
        return False
    asked = lead.events.filter(type=ASKED).order_by("-created_at").first()
    words = f"{asked.data.get('words', '')} / asked whether to stop: {message.body}"
    return lead_services.lead_opt_out(lead=lead, words=words, channel="sms")


def refusal_answers_offer(*, lead: Lead, message: Message) -> bool:
    """ "No thanks" to our "Want a loan officer to reach out?" declines the call, not the texts:
    the assistant takes it (the expected question decides, not the words alone). "Not
    interested" or "stop" to the same question keep their handling."""
    last = (
        AgentTurn.objects.filter(lead=lead, outcome__in=(TurnOutcome.ANSWERED, TurnOutcome.FELL_BACK))
        .exclude(message=message)
        .order_by("-number", "-created_at")
        .first()
    )
    return last is not None and declines_officer_offer(message.body, last.state)
