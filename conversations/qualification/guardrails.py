"""Rules every reply obeys, whoever wrote it (DESIGN.md, "Qualification"). A reply that breaks
one is not sent: the caller answers with the scripted agent or a fixed safe text instead."""

import re

from conversations.qualification.base import MAX_REPLY_CHARS
from conversations.qualification.normalize import strip_accents

# Numbers as words, for "six point five percent" and "seis punto cinco".
_NUMBER_WORDS = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce)"
)
# Near a rate word, "one" is a pronoun ("a fixed rate or one that adjusts"), not 1 %.
_NUMBER = rf"(?:\d|\b(?!one\b|uno\b){_NUMBER_WORDS}\b)"
# Words that make a nearby number a price of money ("rate my credit" is a verb, not a rate).
_RATE_WORDS = (
    r"\b(?:rates?(?!\s+(?:your|my|it|them|yourself)\b)|interest|apr|apy|fixed|arms?|tasas?|interes|fija)\b"
)
_PAYMENT_WORDS = r"\b(?:payments?|monthly|installments?|pagos?|mensualidad(?:es)?|mensual(?:es)?)\b"
_PER_MONTH = r"(?:/|\b(?:a|per|each|every|al|por|x)\s*)\s*(?:months?|mo|mes)\b"
# A loan's term or an ARM's name is a product, not a quote: "a 30-year fixed", "a 5/1 ARM".
_LOAN_TERMS = re.compile(r"\b\d{1,2}\s*-?\s*(?:years?|yrs?|anos?)\b|\b\d{1,2}/\d{1,2}\b", re.IGNORECASE)

RULES = [
    # Rates, APRs, points and payments: any figure given as one, in digits or in words.
    ("rate_quote", r"\d\s*(%|percent|por ciento)|\b(apr|tae)\b\s*(of|is|at|de|es)?\s*\d|"
     r"\brates?\s+(is|are|of|at|around|about|from|start\w*|as low as)\s*(about|around|at|as low as)?\s*\d|"
     r"\$\s?\d[\d,.]*\s*(k\b)?\s*(/|a|per|each|every|al|por)?\s*(mo\b|month|mes)|"
     r"\b(payment|pago|mensualidad)s?\b[^.?!]{0,40}\$\s?\d|\b(points?|puntos)\b[^.?!]{0,20}\b\d+(\.\d+)?\b(?! ?(days|dias))|"
     # 6.125, 5.875: no text of ours carries a decimal number; a rate almost always does.
     r"\b\d{1,2}\.\d{1,3}\b|"
     rf"{_RATE_WORDS}[^.?!]{{0,30}}{_NUMBER}|\d[^.?!\d]{{0,20}}{_RATE_WORDS}|"
     rf"{_PAYMENT_WORDS}[^.?!]{{0,40}}\d|\d[\d,.]*\s*k?\s*(dollars|bucks|usd|dolares)?\s*{_PER_MONTH}|"
     rf"{_NUMBER}\s*(points?|pts|puntos)\b|"
     rf"\b{_NUMBER_WORDS}\s+((point|punto)\s+{_NUMBER_WORDS}|and a half|y medio)\b|"
     rf"\b{_NUMBER_WORDS}\b[\w\s-]{{0,25}}\b(percent|per cent|pct|por ciento)\b|"
     # "in the low 6s", but not "a score in the high 700s".
     rf"\b(low|mid|high|upper|lower|bajo|medio|alto)s?\s*-?\s*(\d{{1,2}}(?!\d)|\b{_NUMBER_WORDS}(e?s)?\b)"),
    # A promise of approval or qualification.
    ("approval_promise", r"\b(you('re| are| will be|'ll be| would be|'d be| should be)|u r) (definitely |certainly |surely |"
     r"100% |totally |likely |probably )?(pre-?)?(approved|qualified|eligible)|\bguarantee\w*|\bgarantiz\w*|"
     r"\byou( will| definitely| certainly| surely| totally)* qualify|\b(no problem|no issue) (getting|to get) (you )?approved|"
     r"\b(esta|estara|sera|queda) (usted )?(pre)?aprobad\w*|\bcalifica (usted )?seguro"),
    # Never ask for (or mention) an SSN, account number or date of birth.
    ("sensitive_number", r"\b(ssn|social security|social sec|ss ?#|your social\b|date of birth|d\.?o\.?b\b|birth ?date|"
     r"birthday|account (number|#|no)|routing (number|#)|card number|bank account|seguro social|numero de cuenta|"
     r"fecha de nacimiento|cumpleanos|tarjeta de credito)"),
    # Never ask about protected characteristics (ECOA, Fair Housing Act).
    ("protected_characteristic", r"\b(race|racial|ethnic\w*|religio\w*|church|national origin|nationality|citizenship|"
     r"immigra\w*|where are you from|sex|gender|married|marital|spouse|husband|wife|divorc\w*|pregnan\w*|"
     r"children|kids|how old|your age|age\b|disabilit\w*|disabled|raza|religion|nacionalidad|origen|ciudadan\w*|"
     r"casad[oa]|estado civil|esposo|esposa|divorci\w*|embaraz\w*|hijos|edad|discapacidad)\b"),
    # A reply that carries the system prompt's own words has been talked into leaking it.
    ("prompt_leak", r"record_turn|system prompt|<borrower_message>|guardrail|tool_choice|instrucciones del sistema"),
]  # fmt: skip
_RULES = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in RULES]


def violation(reply: str) -> str | None:
    """The first rule the reply breaks, or None when it may be sent."""
    if not reply or not reply.strip():
        return "empty"
    if len(reply) > MAX_REPLY_CHARS:
        return "too_long"
    text = _LOAN_TERMS.sub("TERM", strip_accents(reply))
    for name, pattern in _RULES:
        if pattern.search(text):
            return name
    return None
