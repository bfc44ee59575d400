"""What routing says: the borrower's introduction, the officers' and ops' alerts."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

# How values read to a person (the choices' own labels say "Fha" and "Days 0 30").
VALUE_LABELS = {
    "0_30_days": "Within 30 days",
    "1_3_months": "1-3 months",
    "3_6_months": "3-6 months",
    "6_plus_months": "6+ months",
    "fha": "FHA",
    "va": "VA",
    "usda": "USDA",
    "heloc": "HELOC",
    "cash_out_refinance": "Cash-out refinance",
    "crm": "CRM",
    "closed_won": "Won",
    "closed_lost": "Lost",
}


def label(value) -> str:
    """A stored value as a person reads it: None is unknown, booleans are yes or no."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value)
    if text.isupper():
        return text  # a state code, an acronym
    return VALUE_LABELS.get(text, text.replace("_", " ").capitalize())


INTRODUCTION = {
    "en": (
        "Hi {first_name}, this is {officer}, a licensed loan officer (NMLS #{nmls}) with {company}. "
        "I have your details and will take it from here. Reply here anytime."
    ),
    "es": (
        "Hola {first_name}, soy {officer}, oficial de préstamos con licencia (NMLS #{nmls}) de "
        "{company}. Tengo sus datos y le atenderé desde ahora. Responda aquí cuando quiera."
    ),
}


def introduction(lead, officer) -> str:
    template = INTRODUCTION.get(lead.language, INTRODUCTION["en"])
    name = lead.first_name or ("there" if lead.language == "en" else "")
    text = template.format(
        first_name=name, officer=officer.name, nmls=officer.nmls_id, company=settings.COMPANY_NAME
    )
    return " ".join(text.split())


def lead_url(lead) -> str:
    return settings.PUBLIC_BASE_URL + reverse("officer-lead", args=[lead.pk])


def short_name(lead) -> str:
    """First name and initial: enough to recognise the borrower on a lock screen."""
    initial = f" {lead.last_name[:1]}." if lead.last_name else ""
    return f"{lead.first_name or 'A borrower'}{initial}"


def lead_summary(lead) -> str:
    """E.g. "Purchase, FHA, TX, hot"."""
    parts = [lead.loan_purpose, lead.loan_type, lead.property_state or lead.state, lead.temperature]
    return ", ".join(label(p) if i < 2 else p for i, p in enumerate(parts) if p) or "details on the page"


def minutes(offer) -> int:
    return max(1, round((offer.expires_at - offer.created_at).total_seconds() / 60))


def wants_call(lead) -> bool:
    """The borrower's latest text asks for a call: the offer says so."""
    from routing.intents import asks_for_call

    latest = lead.messages.filter(direction="inbound").order_by("-created_at").values_list("body", flat=True)
    return asks_for_call(next(iter(latest[:1]), ""))


def prefers_text(lead) -> bool:
    """The borrower said no to our offer of a call (the assistant told them we would pass that on)
    and has not asked for a person since: the offer says so."""
    latest = (
        lead.events.filter(type__in=("officer_offer_declined", "handoff"))
        .order_by("-created_at", "-id")
        .values_list("type", flat=True)
        .first()
    )
    return latest == "officer_offer_declined"


def contact_note(lead) -> str:
    if wants_call(lead):
        return " Asks for a call: claim and call from the page."
    return " Prefers text: declined a call." if prefers_text(lead) else ""


def offer_sms(offer) -> str:
    lead = offer.lead
    return (
        f"{settings.COMPANY_NAME} lead for you: {short_name(lead)}, {lead_summary(lead)}.{contact_note(lead)} "
        f"Claim within {minutes(offer)} min: {lead_url(lead)}"
    )


def offer_email(offer) -> tuple[str, str]:
    lead = offer.lead
    until = offer.expires_at.astimezone(ZoneInfo(offer.officer.time_zone))
    subject = f"New lead for you: {short_name(lead)} ({lead_summary(lead)})"
    note = contact_note(lead).strip()
    body = (
        f"Hi {offer.officer.name},\n\n"
        f"{lead.full_name or 'A borrower'} is ready to talk to a loan officer: {lead_summary(lead)}.\n"
        f"{note + chr(10) if note else ''}"
        f"The offer is yours for {minutes(offer)} minutes (until {until:%H:%M %Z}). "
        f"Claim it and see the whole conversation here:\n\n{lead_url(lead)}\n"
    )
    return subject, body


def ops_alert(request) -> tuple[str, str]:
    lead = request.lead
    url = settings.PUBLIC_BASE_URL + reverse("admin:routing_opsqueue_change", args=[request.pk])
    subject = f"No officer for {short_name(lead)} ({lead_summary(lead)})"
    body = f"Nobody could be offered this lead: {request.note}\nAssign or re-route it: {url}"
    return subject, body


# --- Reply alerts and reminders ---------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    subject: str
    sms: str
    email: str
    push: str
    url: str


def _quote(body: str, limit: int = 90) -> str:
    body = " ".join(body.split())
    return f'"{body[: limit - 1]}…"' if len(body) > limit else f'"{body}"'


def reply_alert(watch, new_texts: list[str]) -> Alert:
    """E.g. 'Maria L. texted (2 new): "Can you call me after 5?" Tap to call: <url>'."""
    lead, officer = watch.lead, watch.officer
    url = lead_url(lead)
    count = f" ({len(new_texts)} new)" if len(new_texts) > 1 else ""
    latest = _quote(new_texts[-1]) if new_texts else ""
    if watch.wants_call:
        url += "#call"
        action = f"{short_name(lead)} asks for a call. Tap to call from your page: {url}"
    else:
        action = f"Reply: {url}"
    sms = (
        f"{short_name(lead)} texted{count}: {latest} {action}"
        if not watch.wants_call
        else f"{action} {latest}"
    )
    body = "\n\n".join(f"> {text}" for text in new_texts)
    email = (
        f"Hi {officer.name},\n\n{lead.full_name or 'Your borrower'} ({lead_summary(lead)}) texted you:\n\n"
        f"{body}\n\n{'They ask for a call. ' if watch.wants_call else ''}Answer here: {url}\n"
    )
    subject = f"{short_name(lead)} {'asks for a call' if watch.wants_call else 'texted you'}"
    return Alert(subject=subject, sms=" ".join(sms.split()), email=email, push=latest.strip('"'), url=url)


def _waited(watch, now) -> str:
    minutes_waited = max(1, round((now - watch.waiting_since).total_seconds() / 60))
    return f"{minutes_waited} min" if minutes_waited < 120 else f"{minutes_waited // 60} h"


def waiting_reminder(watch, now) -> Alert:
    lead = watch.lead
    url = lead_url(lead)
    text = f"Reminder: {short_name(lead)} has waited {_waited(watch, now)} for your answer. {url}"
    return Alert(
        subject=f"{short_name(lead)} is waiting for your answer",
        sms=text,
        email=f"Hi {watch.officer.name},\n\n{text}\n",
        push=f"Waiting {_waited(watch, now)}",
        url=url,
    )


def unanswered_ops_alert(watch, now) -> tuple[str, str]:
    lead = watch.lead
    subject = f"{short_name(lead)} unanswered for {_waited(watch, now)} ({watch.officer.name})"
    url = settings.PUBLIC_BASE_URL + reverse("admin:leads_lead_change", args=[lead.pk])
    body = (
        f"{lead.full_name or 'A borrower'} texted {watch.officer.name}'s lead and has had no answer "
        f"for {_waited(watch, now)}. Reassign or call: {url}"
    )
    return subject, body
