"""Everything the scripted assistant says, in English and Spanish. Each text fits one SMS
reply of at most 320 characters, with room for a short answer before the question."""

from django.conf import settings

from conversations import texts as conversation_texts
from leads.choices import US_STATES

QUESTIONS = {
    "en": {
        "property_found": "Have you found a home yet, or are you still looking?",
        "has_agent": "Are you working with a real estate agent?",
        "preapproved": "Are you already pre-approved for a loan?",
        "first_time_buyer": "Will this be your first home?",
        "property_state": "Which state is the property in?",
        "property_state_guess": "Is the property in {state_name}? If not, which state?",
        "loan_type": "Do you have a loan type in mind: conventional, FHA, VA, USDA or jumbo? Not sure is fine too.",
        "credit": "Last one: how would you rate your credit: excellent, good, fair or poor? A rough guess is fine.",
    },
    "es": {
        "property_found": "¿Ya encontró una casa o todavía está buscando?",
        "has_agent": "¿Está trabajando con un agente de bienes raíces?",
        "preapproved": "¿Ya tiene una preaprobación para un préstamo?",
        "first_time_buyer": "¿Será su primera casa?",
        "property_state": "¿En qué estado está la propiedad?",
        "property_state_guess": "¿La propiedad está en {state_name}? Si no, ¿en qué estado?",
        "loan_type": "¿Tiene en mente un tipo de préstamo: convencional, FHA, VA, USDA o jumbo? Si no sabe, está bien.",
        "credit": "Última pregunta: ¿cómo describiría su crédito: excelente, bueno, regular o malo? Un cálculo aproximado está bien.",
    },
}
NUMBERED = {
    "en": {
        "loan_purpose": "Reply 1 to buy a home, 2 to refinance, 3 for a cash-out refinance, 4 for a home equity line (HELOC), 5 for something else.",
        "timeline": "Reply 1 for within 30 days, 2 for 1-3 months, 3 for 3-6 months, 4 for 6+ months, 5 if not sure.",
        "property_found": "Reply 1 if you have found a home, 2 if you are still looking.",
        "has_agent": "Reply 1 if you have a real estate agent, 2 if not.",
        "preapproved": "Reply 1 if you have a pre-approval, 2 if not yet.",
        "first_time_buyer": "Reply 1 if this is your first home, 2 if you have owned one before.",
        "property_state": "Please reply with the state the property is in, for example Texas or TX.",
        "loan_type": "Reply 1 conventional, 2 FHA, 3 VA, 4 USDA, 5 jumbo, 6 not sure.",
        "credit": "Reply 1 excellent, 2 good, 3 fair, 4 poor, 5 not sure.",
    },
    "es": {
        "loan_purpose": "Responda 1 para comprar casa, 2 para refinanciar, 3 refinanciar y sacar efectivo, 4 línea de crédito sobre su casa (HELOC), 5 otra cosa.",
        "timeline": "Responda 1 en 30 días, 2 en 1-3 meses, 3 en 3-6 meses, 4 en más de 6 meses, 5 si no sabe.",
        "property_found": "Responda 1 si ya encontró casa, 2 si sigue buscando.",
        "has_agent": "Responda 1 si tiene agente de bienes raíces, 2 si no.",
        "preapproved": "Responda 1 si ya tiene preaprobación, 2 si todavía no.",
        "first_time_buyer": "Responda 1 si es su primera casa, 2 si ya ha tenido una.",
        "property_state": "Por favor responda con el estado de la propiedad, por ejemplo Texas o TX.",
        "loan_type": "Responda 1 convencional, 2 FHA, 3 VA, 4 USDA, 5 jumbo, 6 no sé.",
        "credit": "Responda 1 excelente, 2 bueno, 3 regular, 4 malo, 5 no sé.",
    },
}
PHRASES = {
    "en": {
        "intro": "Hi! This is the {company} assistant, happy to help with your home loan.",
        "sorry": "Sorry, I didn't catch that.",
        "acks": ["Got it!", "Great, thanks.", "Perfect.", "Thanks!"],
        "who_is_this": "This is the automated assistant for {company} (NMLS #{nmls}), following up on your home loan inquiry.",
        "how_got_number": "You shared this number in your home loan inquiry with {company}, which is why I'm texting.",
        "how_got_number_texted": "You texted {company} at this number, so I'm following up.",
        "are_you_bot": "I'm {company}'s automated assistant. A licensed loan officer (a real person) takes over once I have a few details.",
        "rates": "I can't quote rates or payments by text: they depend on your credit, loan and home. A licensed loan officer can give you real numbers. Want me to have one reach out?",
        "injection": "I can only help with your home loan inquiry.",
        "off_topic": "Good question! A licensed loan officer can go over that with you.",
        "security": "For your security, please don't text ID or bank numbers; I've hidden it.",
        "qualified": "Thanks{name}! That's all I need. A licensed loan officer will reach out shortly to go over your options.",
        "not_ready": "Thanks{name}! No rush at all. I'll check in now and then, and you can text me anytime you're ready.",
        "waiting": "Thanks! A licensed loan officer has your details and will be in touch shortly.",
        "handoff_call_requested": "Of course! I'm asking a licensed loan officer to call you shortly.",
        "handoff_person_requested": "Of course! I'm connecting you with a licensed loan officer, who will reach out shortly.",
        "handoff_upset": "I'm sorry about that. I'm asking a licensed loan officer to reach out to you personally.",
        "handoff_confused": "Sorry for the confusion! I'm asking a licensed loan officer to reach out and help.",
        "handoff_rates": "Great, I'm asking a licensed loan officer to reach out with real numbers shortly.",
        "no_officer_then": "No problem.",
        "disqualified_wrong_number": "Sorry for the mix-up, and thanks for letting us know! We won't text this number again.",
        "disqualified_did_not_ask": "Sorry to bother you, and thanks for letting us know! We won't text this number again.",
        "disqualified_not_a_borrower": "Thanks for letting us know! We'll close this out and won't text again.",
        "disqualified_not_mortgage": "Sorry, {company} only helps with home loans, so we can't help with that. We won't text again. Take care!",
        "safe": "Thanks for your message! A licensed loan officer will follow up with you shortly.",
    },
    "es": {
        "intro": "¡Hola! Le escribe el asistente de {company}, con gusto le ayudo con su préstamo hipotecario.",
        "sorry": "Disculpe, no le entendí.",
        "acks": ["¡Entendido!", "Muy bien, gracias.", "Perfecto.", "¡Gracias!"],
        "who_is_this": "Le escribe el asistente automático de {company} (NMLS #{nmls}), sobre su consulta de préstamo hipotecario.",
        "how_got_number": "Usted nos dio este número en su consulta de préstamo hipotecario con {company}, por eso le escribo.",
        "how_got_number_texted": "Usted le escribió a {company} a este número, por eso le respondo.",
        "are_you_bot": "Soy el asistente automático de {company}. Un oficial de préstamos con licencia (una persona real) continúa cuando tenga algunos datos.",
        "rates": "No puedo dar tasas ni pagos por mensaje: dependen de su crédito, préstamo y propiedad. Un oficial de préstamos con licencia le puede dar cifras reales. ¿Quiere que uno le contacte?",
        "injection": "Solo puedo ayudarle con su consulta de préstamo hipotecario.",
        "off_topic": "¡Buena pregunta! Un oficial de préstamos con licencia se la puede responder.",
        "security": "Por su seguridad, no envíe números de identificación ni bancarios por mensaje; ya lo ocultamos.",
        "qualified": "¡Gracias{name}! Es todo lo que necesito. Un oficial de préstamos con licencia le contactará pronto para ver sus opciones.",
        "not_ready": "¡Gracias{name}! Sin prisa. Le escribiré de vez en cuando, y puede escribirme cuando esté listo.",
        "waiting": "¡Gracias! Un oficial de préstamos con licencia tiene sus datos y le contactará pronto.",
        "handoff_call_requested": "¡Claro! Le pido a un oficial de préstamos con licencia que le llame pronto.",
        "handoff_person_requested": "¡Claro! Le comunico con un oficial de préstamos con licencia, que le contactará pronto.",
        "handoff_upset": "Lo siento mucho. Le pido a un oficial de préstamos con licencia que le contacte personalmente.",
        "handoff_confused": "¡Disculpe la confusión! Le pido a un oficial de préstamos con licencia que le contacte para ayudarle.",
        "handoff_rates": "Muy bien, le pido a un oficial de préstamos con licencia que le contacte pronto con cifras reales.",
        "no_officer_then": "Muy bien.",
        "disqualified_wrong_number": "Disculpe la confusión, ¡y gracias por avisarnos! No volveremos a escribir a este número.",
        "disqualified_did_not_ask": "Disculpe la molestia, ¡y gracias por avisarnos! No volveremos a escribir a este número.",
        "disqualified_not_a_borrower": "¡Gracias por avisarnos! Cerramos esta consulta y no volveremos a escribir.",
        "disqualified_not_mortgage": "Lo sentimos, {company} solo ayuda con préstamos hipotecarios. No volveremos a escribir. ¡Que le vaya bien!",
        "safe": "¡Gracias por su mensaje! Un oficial de préstamos con licencia le contactará pronto.",
    },
}
STATE_NAMES_ES = {"TX": "Texas", "NY": "Nueva York", "NC": "Carolina del Norte", "SC": "Carolina del Sur", "NM": "Nuevo México", "NJ": "Nueva Jersey", "PA": "Pensilvania"}  # fmt: skip


def _table(table: dict, language: str) -> dict:
    return table.get(language, table["en"])


def phrase(key: str, language: str, **values) -> str:
    return _table(PHRASES, language)[key].format(
        company=settings.COMPANY_NAME, nmls=settings.COMPANY_NMLS_ID, **values
    )


def ack(language: str, turn_number: int) -> str:
    acks = _table(PHRASES, language)["acks"]
    return acks[turn_number % len(acks)]


def question(field: str, language: str, *, numbered: bool = False, state_guess: str = "") -> str:
    """The question for a field; the first two are the very words of the first text."""
    if numbered:
        return _table(NUMBERED, language)[field]
    if field == "loan_purpose":
        return conversation_texts.text("question_purpose", language)
    if field == "timeline":
        return conversation_texts.text("question_timeline", language)
    if field == "property_state" and state_guess:
        name = (STATE_NAMES_ES if language == "es" else {}).get(state_guess) or US_STATES[state_guess]
        return _table(QUESTIONS, language)["property_state_guess"].format(state_name=name)
    return _table(QUESTIONS, language)[field]


def first_contact_questions() -> dict[str, str]:
    """{question text: field} for every language: what the first text asked."""
    found = {}
    for language in PHRASES:
        found[conversation_texts.text("question_purpose", language)] = "loan_purpose"
        found[conversation_texts.text("question_timeline", language)] = "timeline"
    return found
