"""The fixed texts the product sends, in English and Spanish."""

from string import Formatter

from django.conf import settings

OPT_OUT_LINE = {"en": "Reply STOP to opt out.", "es": "Responda STOP para no recibir más mensajes."}

TEXTS = {
    "en": {
        # Carriers (CTIA) expect the brand, what the texts are about, "Msg frequency varies",
        # "Msg & data rates may apply", HELP and STOP in the first text; state advertising rules
        # the NMLS ID. The question comes last so the borrower knows what to answer.
        "first_contact": (
            "Hi {first_name}, it's {company} (NMLS #{nmls}) about your {topic} inquiry. Msg frequency "
            "varies; msg & data rates may apply. Reply HELP for help, STOP to opt out. {question}"
        ),
        "first_contact_again": (
            "Hi {first_name}, {company} (NMLS #{nmls}) here again: we got your new inquiry, thanks! "
            "Reply STOP to opt out. {question}"
        ),
        "opt_out_confirmation": (
            "{company}: You are unsubscribed and will get no more texts. Reply START to resubscribe."
        ),
        "opt_in_confirmation": (
            "{company}: You are subscribed again. Msg & data rates may apply. Reply STOP to opt out."
        ),
        "help": (
            "{company} (NMLS #{nmls}): texts about your home loan inquiry. Msg frequency varies. "
            "Msg & data rates may apply. Help: {support}. Reply STOP to opt out."
        ),
        "topic_default": "home loan",
        "question_purpose": "Are you looking to buy a home or to refinance?",
        "question_timeline": "When are you hoping to move forward: within 30 days, 1-3 months, or later?",
    },
    "es": {
        "first_contact": (
            "Hola {first_name}, le escribe {company} (NMLS #{nmls}) sobre su consulta de {topic}. "
            "Frecuencia de mensajes variable; pueden aplicar tarifas de mensajes y datos. Responda "
            "AYUDA para ayuda o STOP para salir. {question}"
        ),
        "first_contact_again": (
            "Hola {first_name}, de nuevo {company} (NMLS #{nmls}): recibimos su nueva consulta, "
            "¡gracias! Responda STOP para salir. {question}"
        ),
        "opt_out_confirmation": (
            "{company}: Se ha dado de baja y no recibirá más mensajes. Responda START para volver."
        ),
        "opt_in_confirmation": (
            "{company}: Está suscrito de nuevo. Pueden aplicar tarifas. Responda STOP para salir."
        ),
        "help": (
            "{company} (NMLS #{nmls}): mensajes sobre su consulta de préstamo hipotecario. "
            "Frecuencia variable. Pueden aplicar tarifas de mensajes y datos. Ayuda: {support}. "
            "Responda STOP para salir."
        ),
        "topic_default": "un préstamo hipotecario",
        "question_purpose": "¿Busca comprar una casa o refinanciar?",
        "question_timeline": "¿Cuándo piensa avanzar: en 30 días, en 1-3 meses o más adelante?",
    },
}
TOPICS = {
    "en": {
        "purchase": "home purchase",
        "refinance": "refinance",
        "cash_out_refinance": "cash-out refinance",
        "heloc": "home equity",
    },
    "es": {
        "purchase": "compra de vivienda",
        "refinance": "refinanciamiento",
        "cash_out_refinance": "refinanciamiento con retiro de efectivo",
        "heloc": "línea de crédito sobre el valor líquido",
    },
}


def text(name: str, language: str = "en", **values) -> str:
    table = TEXTS.get(language, TEXTS["en"])
    return table[name].format(
        company=settings.COMPANY_NAME,
        nmls=settings.COMPANY_NMLS_ID,
        support=settings.SUPPORT_CONTACT,
        **values,
    )


# What an A/B variant of the first text may use (str.format placeholders, nothing else).
FIRST_TEXT_PLACEHOLDERS = {
    "first_name": "the borrower's first name ('there' when unknown)",
    "company": "the company name",
    "company_nmls": "the company's NMLS ID",
    "loan_topic": "'home purchase', 'refinance'... ('home loan' when unknown)",
    "question": "the assistant's first question (buy or refinance; or when, once that is known)",
}


def first_contact_values(lead) -> dict:
    language = lead.language
    topic = TOPICS.get(language, TOPICS["en"]).get(lead.loan_purpose or "") or text("topic_default", language)
    return {
        "first_name": lead.first_name or ("there" if language == "en" else ""),
        "company": settings.COMPANY_NAME,
        "company_nmls": settings.COMPANY_NMLS_ID,
        "loan_topic": topic,
        "question": text("question_timeline" if lead.loan_purpose else "question_purpose", language),
    }


def first_contact_text(lead, *, again: bool = False, template: str = "") -> str:
    """The greeting: first name, company, what happens next and the first question. `template`
    (an A/B variant) replaces the standard wording, with the same placeholders filled in."""
    values = first_contact_values(lead)
    if template:
        # A missing name leaves "Hola , ..." behind.
        return " ".join(template.format_map(values).split()).replace(" ,", ",")
    return " ".join(
        text(
            "first_contact_again" if again else "first_contact",
            lead.language,
            first_name=values["first_name"],
            topic=values["loan_topic"],
            question=values["question"],
        ).split()
    )


def first_text_template_errors(template: str) -> str | None:
    """What is wrong with a first-text template's placeholders, in words an admin can act on."""
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as error:
        return f"A brace is not closed ({error}). Write {{first_name}}; a literal brace is {{{{ or }}}}."
    bad = [
        name
        for _, name, spec, conversion in parsed
        if name is not None and (name not in FIRST_TEXT_PLACEHOLDERS or spec or conversion)
    ]
    if bad:
        allowed = ", ".join("{" + p + "}" for p in FIRST_TEXT_PLACEHOLDERS)
        return f"Unknown placeholder(s): {', '.join('{' + b + '}' for b in bad)}. Use: {allowed}"
    return _first_text_check_errors(template)


def _first_text_check_errors(template: str) -> str | None:
    """The automated-text checker on the text a sample borrower would get: no Reg Z trigger terms
    or rate figures, the company and its NMLS ID named, at most three segments."""
    from conversations import template_check  # imports the guardrails, which import this module
    from leads.models import Lead

    sample = Lead(first_name="Maria", loan_purpose="purchase")
    report = template_check.check_text(
        first_contact_text(sample, template=template),
        opt_out_line=OPT_OUT_LINE["en"],
        needs_identity=True,
        company=settings.COMPANY_NAME,
    )
    return " ".join(report.errors) or None
