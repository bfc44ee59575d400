"""Is the borrower writing in Spanish? Counted on words only Spanish uses, so Spanglish counts."""

import re

from conversations.qualification.normalize import strip_accents

SPANISH = {
    "hola", "quiero", "queremos", "comprar", "casa", "gracias", "si", "tengo", "tenemos", "estoy",
    "estamos", "necesito", "meses", "mes", "semanas", "pronto", "todavia", "aun", "buscando",
    "credito", "bueno", "buena", "malo", "mala", "agente", "soy", "somos", "vamos", "para", "pero",
    "porque", "como", "cuando", "donde", "quien", "que", "una", "el", "los", "las", "del", "con",
    "mi", "mis", "su", "nuestro", "nuestra", "es", "son", "esta", "esto", "eso", "muy", "mas",
    "tambien", "nada", "nunca", "primera", "vez", "hipoteca", "prestamo", "vivienda", "ano", "anos",
    "dias", "puedo", "puede", "usted", "ustedes", "entiendo", "llamar", "llameme", "llamame",
    "numero", "equivocado", "claro", "listo", "buenas", "buenos", "tardes", "noches", "ya", "hacer",
    "estado", "hemos", "encontramos", "encontre", "refinanciar", "preaprobado", "preaprobada",
    "sabemos", "creo", "verdad", "ahorita", "ahora", "despues", "mucho", "poco", "algo", "nosotros",
    "yo", "esposo", "esposa", "ingles", "espanol", "favor", "por", "sobre", "tasa", "pago", "se",
    "parar", "detener", "mensajes", "escriba", "escriban", "escribir", "molesten", "llamen", "mande",
}  # fmt: skip
ENGLISH = {
    "the", "i", "i'm", "is", "are", "to", "and", "my", "we", "you", "yes", "not", "have", "looking",
    "buy", "home", "house", "want", "need", "on", "for", "with", "it", "of", "this", "that", "what",
    "when", "how", "who", "just", "yet", "already", "months", "good", "credit", "thanks", "yeah",
    "sure", "our", "buying", "will", "be", "would", "can", "do", "don't", "about", "like", "got",
}  # fmt: skip
# Words that are Spanish beyond doubt: one of them alone in a short text is enough.
STRONG_SPANISH = {
    "hola",
    "gracias",
    "quiero",
    "tengo",
    "estoy",
    "necesito",
    "si",
    "se",
    "meses",
    "todavia",
    "claro",
    "buenas",
    "parar",
    "mensajes",
    "escriba",
}


def detect(text: str) -> str | None:
    """'es' or 'en' when the text says so clearly; None when it cannot tell ("ok", "2", "tx")."""
    words = re.findall(r"[a-z']+", strip_accents(text.lower()))
    spanish = sum(word in SPANISH for word in words) + 2 * bool(re.search(r"[¿¡ñ]", text))
    english = sum(word in ENGLISH for word in words)
    if spanish >= 2 and spanish > english:
        return "es"
    if spanish == 1 and english == 0 and any(word in STRONG_SPANISH for word in words):
        return "es"
    if english >= 1 and english > spanish:
        return "en"
    return None


def language_for(text: str, current: str) -> str:
    """Spanish from the first text written in it on; English texts do not switch it back,
    since Spanish speakers often answer "ok", "yes" or "fha" in English."""
    return "es" if current == "es" or detect(text) == "es" else current
