"""Everything the scripted assistant says, in English and Spanish. Each text fits one SMS
reply of at most 320 characters, with room for a short answer before the question; plain
ASCII punctuation in English (a curly apostrophe would make the text UCS-2)."""

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
        "loan_type": "Do you have a loan type in mind: conventional, FHA, VA, USDA or jumbo? Not sure is fine too.",
        "credit": "Last one: how would you rate your credit: excellent, good, fair or poor? A rough guess is fine.",
    },
    "es": {
        "property_found": "¿Ya encontró una casa o todavía está buscando?",
        "has_agent": "¿Está trabajando con un agente de bienes raíces?",
        "preapproved": "¿Ya tiene una preaprobación para un préstamo?",
        "first_time_buyer": "¿Será su primera casa?",
        "property_state": "¿En qué estado está la propiedad?",
        "loan_type": "¿Tiene en mente un tipo de préstamo: convencional, FHA, VA, USDA o jumbo? Si no sabe, está bien.",
        "credit": "Última pregunta: ¿cómo describiría su crédito: excelente, bueno, regular o malo? Un cálculo aproximado está bien.",
    },
}
# The second (and last) time a question is asked: other words, and an example of an answer.
AGAIN = {
    "en": {
        "loan_purpose": "Just so I send you to the right person: is this to buy a home, or to refinance one you own?",
        "timeline": 'Roughly when would you like to get this done? Something like "next month" or "this summer" is perfect.',
        "property_state": "Which state is the home in? Just the name is perfect, like Texas or TX.",
        "preapproved": "Do you already have a pre-approval letter from a lender, yes or no?",
        "property_found": "Have you picked out a home yet, or are you still shopping?",
        "has_agent": "Do you have a realtor helping you, yes or no?",
        "first_time_buyer": "Is this your first home purchase, yes or no?",
        "loan_type": "Any loan in mind, like FHA, VA or conventional? If you're not sure, just say so.",
        "credit": "Roughly, is your credit excellent, good, fair or poor? A guess is fine.",
    },
    "es": {
        "loan_purpose": "Para pasarle con la persona indicada: ¿es para comprar una casa o para refinanciar la suya?",
        "timeline": 'Más o menos, ¿cuándo le gustaría hacerlo? Algo como "el próximo mes" o "este verano" está perfecto.',
        "property_state": "¿En qué estado está la casa? Solo el nombre, por ejemplo Texas o TX.",
        "preapproved": "¿Ya tiene una carta de preaprobación de un prestamista, sí o no?",
        "property_found": "¿Ya eligió una casa o sigue buscando?",
        "has_agent": "¿Tiene un agente de bienes raíces que le ayude, sí o no?",
        "first_time_buyer": "¿Es la primera casa que compra, sí o no?",
        "loan_type": "¿Tiene en mente algún préstamo, como FHA, VA o convencional? Si no sabe, no hay problema.",
        "credit": "Más o menos, ¿su crédito es excelente, bueno, regular o malo? Un cálculo está bien.",
    },
}
# The same guess, the second (and last) time.
CONFIRM_AGAIN = {
    "en": {
        "property_state": "Just to check: is the home in {value_name}, or which state is it in?",
        "loan_type": "Just to check: would a {value_name} loan be what you have in mind?",
    },
    "es": {
        "property_state": "Solo para confirmar: ¿la casa está en {value_name}, o en qué estado está?",
        "loan_type": "Solo para confirmar: ¿un préstamo {value_name} es lo que tiene en mente?",
    },
}
# A value only implied (the form's state, "I'm in Houston", "army vet"): asked, never assumed.
# The question names the field itself: "Is that what you have in mind?" alone says nothing.
CONFIRM = {
    "en": {
        "property_state": "Is the property in {value_name}? If not, which state?",
        "loan_type": "Are you thinking of a {value_name} loan?",
    },
    "es": {
        "property_state": "¿La propiedad está en {value_name}? Si no, ¿en qué estado?",
        "loan_type": "¿Está pensando en un préstamo {value_name}?",
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
        "greeting": "Hi{name}!",
        "who_is_this": "This is the automated assistant for {company} (NMLS #{nmls}), following up on your home loan inquiry.",
        "how_got_number": "You shared this number in your home loan inquiry with {company}, which is why I'm texting.",
        "how_got_number_texted": "You texted {company} at this number, so I'm following up.",
        "are_you_bot": "I'm an automated assistant for {company}. A licensed loan officer (a real person) takes over once I have a few details.",
        "rates": "I can't quote rates or payments by text: they depend on your credit, loan and home. A licensed loan officer can give you real numbers. Want me to have one reach out?",
        "rates_with_officer": "I can't quote rates or payments by text, but your loan officer will go over real numbers with you.",
        "apr_meaning": "APR is the yearly cost of a loan: the interest plus some fees. A licensed loan officer can show you real numbers.",
        "credit_needed": "It depends on the loan program: lenders look at credit, income, debts and savings. A licensed loan officer can tell you what fits, though I can't promise an outcome.",
        "down_payment": "It depends on the loan program and your situation. A licensed loan officer can go over down payment options with you.",
        "ssn": "For your security, please never text your SSN or account numbers. A licensed loan officer will collect what's needed securely.",
        "ssn_hidden": "For your security, please never text your SSN or account numbers; I've hidden it. A loan officer will collect what's needed securely.",
        "what_needed": "Just a few quick questions so the right licensed loan officer can help you.",
        "injection": "I can only help with your home loan inquiry.",
        "other": "Good question! A licensed loan officer can go over that with you.",
        "declined_offer": "No problem, we can keep it to text.",
        "rates_by_text": "I can't quote rates or payments by text: they depend on your credit, loan and home. A licensed loan officer can give you real numbers whenever you'd like.",
        "handed_off": "Thanks{name}! I'm passing your details to a licensed loan officer now, who will reach out shortly.",
        "handed_off_short": "I'm passing your details to a licensed loan officer now, who will reach out shortly.",
        "handed_off_by_text": "Thanks{name}! I'm passing your details to a licensed loan officer and letting them know you'd rather text.",
        "handed_off_by_text_short": "I'm passing your details to a licensed loan officer and letting them know you'd rather text.",
        "qualified": "Thanks{name}! That's all I need. A licensed loan officer will reach out shortly to go over your options.",
        "all_set": "Thanks, that's everything! Your loan officer will have it all.",
        "qualified_by_text": "Thanks{name}! That's all I need. I'm passing your details to a licensed loan officer and letting them know you'd rather text.",
        "not_ready": "Thanks{name}! No rush at all. I'll check in now and then, and you can text me anytime you're ready.",
        "waiting": "Thanks! A licensed loan officer has your details and will be in touch shortly.",
        "passed_along": "Thanks, I've passed that along to your loan officer.",
        "call_soon": "Of course! Your loan officer will call you shortly.",
        "talk_later": "No problem! Text me back whenever you're free.",
        "nudge": "Hi{name}, just checking in. {question}",
        "handoff_call_requested": "Of course! I'm asking a licensed loan officer to call you shortly.",
        "handoff_person_requested": "Of course! I'm connecting you with a licensed loan officer, who will reach out shortly.",
        "handoff_upset": "I'm sorry about that. I'm asking a licensed loan officer to reach out to you personally.",
        "handoff_confused": "Sorry for the confusion! I'm asking a licensed loan officer to reach out and help.",
        "handoff_rates": "Great, I'm asking a licensed loan officer to reach out with real numbers shortly.",
        "disqualified_wrong_number": "Sorry for the mix-up, and thanks for letting us know! We won't text this number again.",
        "disqualified_did_not_ask": "Sorry to bother you, and thanks for letting us know! We won't text this number again.",
        "disqualified_not_a_borrower": "Thanks for letting us know! We'll close this out and won't text again.",
        "disqualified_not_mortgage": "Sorry, {company} only helps with home loans, so we can't help with that. We won't text again. Take care!",
        "disqualified_third_party_realtor": "Thanks for reaching out! I'll let our team know so the right person can follow up with you. We'll close this inquiry here.",
        "disqualified_third_party": "Thanks for letting us know! This line is for borrowers, so I'll pass your note to our team and close this out here.",
        "disqualified_other_lender": "Congrats on finding a lender, and best of luck with your home! We won't text again.",
        "safe": "Thanks for your message! A licensed loan officer will follow up with you shortly.",
    },
    "es": {
        "intro": "¡Hola! Le escribe el asistente de {company}, con gusto le ayudo con su préstamo hipotecario.",
        "greeting": "¡Hola{name}!",
        "who_is_this": "Le escribe el asistente automático de {company} (NMLS #{nmls}), sobre su consulta de préstamo hipotecario.",
        "how_got_number": "Usted nos dio este número en su consulta de préstamo hipotecario con {company}, por eso le escribo.",
        "how_got_number_texted": "Usted le escribió a {company} a este número, por eso le respondo.",
        "are_you_bot": "Soy el asistente automático de {company}. Un oficial de préstamos con licencia (una persona real) continúa cuando tenga algunos datos.",
        "rates": "No puedo dar tasas ni pagos por mensaje: dependen de su crédito, préstamo y propiedad. Un oficial de préstamos con licencia le puede dar cifras reales. ¿Quiere que uno le contacte?",
        "rates_with_officer": "No puedo dar tasas ni pagos por mensaje, pero su oficial de préstamos le dará cifras reales.",
        "apr_meaning": "La APR es el costo anual de un préstamo: el interés más algunos cargos. Un oficial de préstamos con licencia le puede mostrar cifras reales.",
        "credit_needed": "Depende del programa: los prestamistas miran el crédito, los ingresos, las deudas y los ahorros. Un oficial con licencia le dirá qué opciones tiene, aunque no puedo prometer un resultado.",
        "down_payment": "Depende del programa y de su situación. Un oficial de préstamos con licencia puede revisar las opciones de enganche con usted.",
        "ssn": "Por su seguridad, nunca envíe su número de seguro social ni de cuentas por mensaje. Un oficial de préstamos los pedirá de forma segura.",
        "ssn_hidden": "Por su seguridad, nunca envíe su número de seguro social ni de cuentas por mensaje; ya lo ocultamos. Un oficial los pedirá de forma segura.",
        "what_needed": "Solo unas preguntas rápidas para que el oficial de préstamos indicado le ayude.",
        "injection": "Solo puedo ayudarle con su consulta de préstamo hipotecario.",
        "other": "¡Buena pregunta! Un oficial de préstamos con licencia se la puede responder.",
        "declined_offer": "Claro, seguimos por mensaje.",
        "rates_by_text": "No puedo dar tasas ni pagos por mensaje: dependen de su crédito, préstamo y propiedad. Un oficial de préstamos con licencia le puede dar cifras reales cuando usted quiera.",
        "handed_off": "¡Gracias{name}! Le paso sus datos a un oficial de préstamos con licencia, que le contactará pronto.",
        "handed_off_short": "Le paso sus datos a un oficial de préstamos con licencia, que le contactará pronto.",
        "handed_off_by_text": "¡Gracias{name}! Le paso sus datos a un oficial de préstamos con licencia y le aviso que prefiere mensajes.",
        "handed_off_by_text_short": "Le paso sus datos a un oficial de préstamos con licencia y le aviso que prefiere mensajes.",
        "qualified": "¡Gracias{name}! Es todo lo que necesito. Un oficial de préstamos con licencia le contactará pronto para ver sus opciones.",
        "all_set": "¡Gracias, es todo! Su oficial de préstamos tendrá todos sus datos.",
        "qualified_by_text": "¡Gracias{name}! Es todo lo que necesito. Le paso sus datos a un oficial de préstamos con licencia y le aviso que prefiere mensajes.",
        "not_ready": "¡Gracias{name}! Sin prisa. Le escribiré de vez en cuando, y puede escribirme cuando esté listo.",
        "waiting": "¡Gracias! Un oficial de préstamos con licencia tiene sus datos y le contactará pronto.",
        "passed_along": "Gracias, ya se lo pasé a su oficial de préstamos.",
        "call_soon": "¡Claro! Su oficial de préstamos le llamará pronto.",
        "talk_later": "¡No hay problema! Escríbame cuando tenga un momento.",
        "nudge": "Hola{name}, solo para dar seguimiento. {question}",
        "handoff_call_requested": "¡Claro! Le pido a un oficial de préstamos con licencia que le llame pronto.",
        "handoff_person_requested": "¡Claro! Le comunico con un oficial de préstamos con licencia, que le contactará pronto.",
        "handoff_upset": "Lo siento mucho. Le pido a un oficial de préstamos con licencia que le contacte personalmente.",
        "handoff_confused": "¡Disculpe la confusión! Le pido a un oficial de préstamos con licencia que le contacte para ayudarle.",
        "handoff_rates": "Muy bien, le pido a un oficial de préstamos con licencia que le contacte pronto con cifras reales.",
        "disqualified_wrong_number": "Disculpe la confusión, ¡y gracias por avisarnos! No volveremos a escribir a este número.",
        "disqualified_did_not_ask": "Disculpe la molestia, ¡y gracias por avisarnos! No volveremos a escribir a este número.",
        "disqualified_not_a_borrower": "¡Gracias por avisarnos! Cerramos esta consulta y no volveremos a escribir.",
        "disqualified_not_mortgage": "Lo sentimos, {company} solo ayuda con préstamos hipotecarios. No volveremos a escribir. ¡Que le vaya bien!",
        "disqualified_third_party_realtor": "¡Gracias por escribirnos! Le aviso a nuestro equipo para que la persona indicada le contacte. Cerramos esta consulta aquí.",
        "disqualified_third_party": "¡Gracias por avisarnos! Esta línea es para clientes, así que le paso su mensaje a nuestro equipo y cerramos aquí.",
        "disqualified_other_lender": "¡Felicidades por encontrar un prestamista, y mucha suerte con su casa! No volveremos a escribir.",
        "safe": "¡Gracias por su mensaje! Un oficial de préstamos con licencia le contactará pronto.",
    },
}
# Short words for a value, to say back what the borrower told us ("Texas, got it, not Oklahoma").
LABELS = {
    "en": {
        "loan_purpose": {"purchase": "buying", "refinance": "a refinance", "cash_out_refinance": "a cash-out refinance",
                         "heloc": "a home equity line", "other": "that kind of loan"},
        "timeline": {"0_30_days": "within 30 days", "1_3_months": "in 1-3 months", "3_6_months": "in 3-6 months",
                     "6_plus_months": "6+ months out", "unsure": "no set date"},
        "preapproved": {True: "pre-approved already", False: "not pre-approved yet"},
        "property_found": {True: "home found", False: "still looking"},
        "has_agent": {True: "working with an agent", False: "no agent yet"},
        "first_time_buyer": {True: "first home", False: "owned before"},
        "loan_type": {"conventional": "conventional", "fha": "FHA", "va": "VA", "usda": "USDA", "jumbo": "jumbo",
                      "unsure": "loan type open"},
        "credit": {"excellent": "excellent credit", "good": "good credit", "fair": "fair credit",
                   "poor": "credit to work on", "unsure": "credit not checked"},
    },
    "es": {
        "loan_purpose": {"purchase": "comprar", "refinance": "refinanciar", "cash_out_refinance": "refinanciar con efectivo",
                         "heloc": "una línea de crédito sobre su casa", "other": "ese tipo de préstamo"},
        "timeline": {"0_30_days": "en 30 días", "1_3_months": "en 1-3 meses", "3_6_months": "en 3-6 meses",
                     "6_plus_months": "en más de 6 meses", "unsure": "sin fecha fija"},
        "preapproved": {True: "ya tiene preaprobación", False: "sin preaprobación todavía"},
        "property_found": {True: "ya encontró casa", False: "sigue buscando"},
        "has_agent": {True: "con agente", False: "sin agente todavía"},
        "first_time_buyer": {True: "su primera casa", False: "ya ha tenido casa"},
        "loan_type": {"conventional": "convencional", "fha": "FHA", "va": "VA", "usda": "USDA", "jumbo": "jumbo",
                      "unsure": "tipo de préstamo abierto"},
        "credit": {"excellent": "crédito excelente", "good": "buen crédito", "fair": "crédito regular",
                   "poor": "crédito por mejorar", "unsure": "crédito sin revisar"},
    },
}  # fmt: skip
ACK = {
    "en": {
        "one": "{label}, got it.",
        "many": "Got it: {labels}.",
        "corrected": "{label}, got it, not {old}.",
    },
    "es": {
        "one": "{label}, entendido.",
        "many": "Entendido: {labels}.",
        "corrected": "{label}, entendido, no {old}.",
    },
}
# Some answers deserve more than "got it".
WARM_ACKS = {
    "en": {("preapproved", True): "Pre-approved already, nice.", ("property_found", True): "A home picked out, congrats!",
           ("first_time_buyer", True): "Your first home, exciting!", ("preapproved", False): "No pre-approval yet, that's fine."},
    "es": {("preapproved", True): "Ya tiene preaprobación, excelente.", ("property_found", True): "¡Ya eligió casa, felicidades!",
           ("first_time_buyer", True): "¡Su primera casa, qué emoción!", ("preapproved", False): "Sin preaprobación todavía, no hay problema."},
}  # fmt: skip
STATE_NAMES_ES = {"TX": "Texas", "NY": "Nueva York", "NC": "Carolina del Norte", "SC": "Carolina del Sur", "NM": "Nuevo México", "NJ": "Nueva Jersey", "PA": "Pensilvania"}  # fmt: skip


def _table(table: dict, language: str) -> dict:
    return table.get(language, table["en"])


def phrase(key: str, language: str, **values) -> str:
    return _table(PHRASES, language)[key].format(
        company=settings.COMPANY_NAME, nmls=settings.COMPANY_NMLS_ID, **values
    )


def value_label(field: str, value, language: str) -> str:
    if field == "property_state":
        return state_name(value, language)
    return _table(LABELS, language)[field].get(value, str(value))


def state_name(code: str, language: str) -> str:
    return (STATE_NAMES_ES if language == "es" else {}).get(code) or US_STATES.get(code, code)


def question(field: str, language: str, *, style: str = "plain", value=None) -> str:
    """The question for a field: plain (the first two are the first text's own words), asked
    again in other words, a guess to confirm, or numbered options."""
    if style == "numbered":
        return _table(NUMBERED, language)[field]
    if style == "again":
        return _table(AGAIN, language)[field]
    if style in ("confirm", "confirm_again"):
        table = CONFIRM if style == "confirm" else CONFIRM_AGAIN
        return _table(table, language)[field].format(value_name=value_label(field, value, language))
    if field == "loan_purpose":
        return conversation_texts.text("question_purpose", language)
    if field == "timeline":
        return conversation_texts.text("question_timeline", language)
    return _table(QUESTIONS, language)[field]


def first_contact_questions() -> dict[str, str]:
    """{question text: field} for every language: what the first text asked."""
    found = {}
    for language in PHRASES:
        found[conversation_texts.text("question_purpose", language)] = "loan_purpose"
        found[conversation_texts.text("question_timeline", language)] = "timeline"
    return found
