"""Rules every reply obeys, whoever wrote it (README, "Qualification over SMS"). A reply that breaks
one is not sent: the caller answers with the scripted agent or a fixed safe text instead.

Measured, not hoped: `manage.py check_guardrails` prints precision and recall on the corpus in
tests/data/guardrail_corpus.jsonl (replies that must be blocked and replies that must pass),
and a test keeps both at 100%."""

import re

from conversations.qualification.base import MAX_REPLY_CHARS
from conversations.qualification.normalize import strip_accents

_UNITS = r"one|two|three|four|five|six|seven|eight|nine"
_TEENS = r"ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_SPANISH = r"uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce"
# Numbers as words, for "six point five percent" and "seis punto cinco".
_NUMBER_WORDS = rf"(?:zero|{_UNITS}|{_TEENS}|{_TENS}|{_SPANISH})"
# Near a rate word, "one" is a pronoun ("a fixed rate or one that adjusts"), not 1 %.
_NUMBER = rf"(?:\d|\b(?!one\b|uno\b){_NUMBER_WORDS}\b)"
# "in the sixes", "the high fives": plural numbers are rates (a score is "the 700s").
_PLURAL_NUMBER = r"\b(?:ones|twos|threes|fours|fives|sixes|sevens|eights|nines|\d{1,2}'?s)\b"
_FRACTION = r"(?:half|quarter|eighth|eighths|tenth|medio|cuarto|octavo)"
# Words that make a nearby number a price of money ("rate my credit" is a verb, not a rate).
_RATE_WORDS = (
    r"\b(?:rates?(?!\s+(?:your|my|it|them|yourself)\b)|interest|apr|apy|fixed|arms?|pricing|priced|"
    r"tasas?|interes|fija)\b"
)
_PRICE_VERBS = (
    r"\b(?:going for|running|sitting|hovering|lock(?:ed|ing)? (?:in|at)|land(?:ing)?|seeing|around|near)\b"
)
_MOVE_VERBS = (
    r"\b(?:drop\w*|fell|fall\w*|went|go(?:ne|ing)?|came|come|jump\w*|rose|rise|rising|tick\w*|move\w*|up|"
    r"down|lower\w*|higher|climb\w*|bajaron|bajo|subieron|subio|cayeron)\b"
)
_PAYMENT_WORDS = r"\b(?:payments?|monthly|installments?|pagos?|mensualidad(?:es)?|mensual(?:es)?)\b"
_PER_MONTH = r"(?:/|\b(?:a|per|each|every|al|por|x)\s*)\s*(?:months?|mo|mes)\b"
_MONEY_WORD = r"(?:hundred|thousand|grand|mil\b|k\b)"
# "mil ochocientos": a thousand in Spanish, unless it is "mil gracias".
_SPANISH_THOUSAND = r"\bmil\b(?!\s+gracias)"
# A loan's term or an ARM's name is a product, not a quote: "a 30-year fixed", "a 5/1 ARM".
# (3/4, 1/2 and 7/8 stay fractions: "5 and 3/4" is a rate.)
_LOAN_TERMS = re.compile(
    r"\b\d{1,2}\s*-?\s*(?:years?|yrs?|anos?)\b|\b\d{1,2}/(?![248]\b)\d{1,2}\b", re.IGNORECASE
)

_RATE_QUOTE = [
    r"\d\s*(%|percent|por ciento)",
    r"\b(apr|tae)\b\s*:?\s*(of|is|at|de|es|around|about)?\s*\d",
    r"\$\s?\d",  # no reply of ours names a sum of money
    r"\b\d{1,2}\.\d{1,3}\b",  # 6.125, 5.875: no text of ours carries a decimal number
    rf"{_RATE_WORDS}[^.?!]{{0,30}}{_NUMBER}",
    rf"\d[^.?!\d]{{0,20}}{_RATE_WORDS}",
    rf"{_PRICE_VERBS}[^.?!\d]{{0,25}}(\bjust )?(under|over|below|above)?\s*{_NUMBER}(?!\s*-?\s*\d*\s*(months?|days?|weeks?|hours?|states?))",
    _PLURAL_NUMBER,
    rf"{_PAYMENT_WORDS}[^.?!]{{0,40}}(\d|\b{_NUMBER_WORDS}\b)",
    rf"\d[\d,.]*\s*k?\s*(dollars|bucks|usd|dolares)?\s*{_PER_MONTH}",
    rf"(\d|\b{_NUMBER_WORDS})[\s-]*{_MONEY_WORD}",
    _SPANISH_THOUSAND,
    rf"\b{_NUMBER_WORDS}\s+((point|punto)\s+{_NUMBER_WORDS}|and (a )?{_FRACTION}|y (un )?{_FRACTION})\b",
    rf"\d\s+(and (a )?|y (un )?){_FRACTION}|\d\s+\d/\d\b|(\d|\b{_NUMBER_WORDS})\s+and (change|\d/\d|a bit)\b",
    rf"\b{_NUMBER_WORDS}\b[\w\s-]{{0,25}}\b(percent|per cent|pct|por ciento)\b",
    # "in the low 6s", but not "a score in the high 700s".
    rf"\b(low|mid|high|upper|lower|bajo|medio|alto)s?\s*-?\s*(\d{{1,2}}(?!\d)|\b{_NUMBER_WORDS}(e?s)?\b)",
    # Rate moves: "rates dropped half a point", "las tasas bajaron medio punto".
    rf"{_RATE_WORDS}[^.?!]{{0,40}}{_MOVE_VERBS}[^.?!]{{0,30}}\b({_FRACTION}|points?|pts?|bps|basis|punto|{_NUMBER_WORDS}|\d)",
    # Points: "two discount points", "half a point", "a quarter point buydown", "un punto".
    rf"(?<!at )\b({_NUMBER_WORDS}|a|an|{_FRACTION}|full|\d+)\s+(a\s+)?(discount\s+)?(points?|pts?|puntos?)\b",
    r"\b(a|one) point and a half\b|\bpuntos? de descuento\b|\bun punto\b|\bbuy\s*-?\s*downs?\b",
    rf"\b(lower|raise|drop|cut|reduce|bring)s?\w*\b[^.?!]{{0,15}}\bby (a |an )?({_FRACTION}|\d|points?)",
    rf"\b(origination|closing costs?|down payment|put down|down)\b[^.?!]{{0,30}}(\d|\b{_NUMBER_WORDS}\b)",
    rf"(\d|\b{_NUMBER_WORDS}\b)[^.?!]{{0,15}}\b(down|closing costs?)\b",
]
_APPROVAL = [
    r"\b(you|u)('re| are| r|'ll be| will be| would be|'d be| should be|'re going to be| are going to be)\s+"
    r"(\w+ ){0,2}(pre-?)?(approved|qualified|eligible|a shoo-?in|good to go|all set for)",
    r"\bguarantee\w*|\bgarantiz\w*|\bconsider yourself\b|\bshoo-?in\b|\bsure thing\b|\bformality\b",
    r"\b(we|i)('ll| will| can| could)? (get|have) (you|u) (pre-?)?approved|\bapprove (you|u)\b",
    r"\byou('ll| will|'re| are)( (definitely|certainly|surely|totally|likely|probably|sure to|going to|gonna|bound to))*"
    r" (get|be) (pre-?)?approved|\bin the bag\b",
    r"\byou('ll| will| definitely| certainly| surely| totally| should| would)* qualify\b",
    r"\b(no|without|not be an?|won'?t be an?) (problem|issue|trouble|way)\b[^.?!]{0,30}\b(approv\w*|denied|qualify\w*)",
    r"\b(approv\w*|qualify\w*)\b[^.?!]{0,30}\b(won'?t be an? (issue|problem)|no (problem|issue)|basically done|done deal)",
    r"\b(denial|denied|declined?)\b[^.?!]{0,30}\b(unlikely|no way|won'?t|not going to|never|impossible)",
    r"\bno way (you'?d|you would|you'?ll|you will)? ?(get )?(denied|declined)",
    r"\bthe loan is yours\b|\byou'?ll get the loan\b|\byou will get the loan\b|\bsail through\b",
    r"\byou'?re in\s*([.!,]|$)|\byou meet (all )?the requirements\b|\bapproved pending\b|\byour (loan|approval) is\b",
    r"\b(esta|estara|sera|queda) (usted )?(pre)?aprobad\w*|\b(usted |seguro que |si )califica\b",
    r"\ble (aprueban|aprobamos|aprobaran|van a aprobar)\b|\bes un hecho\b",
]
# "With a 620 you qualify": a credit score tied to an outcome.
_SCORE_PROMISE = [
    r"\b(score|credit|fico|credito|\d{3})\b[^.?!]{0,40}\b(qualif\w*|approv\w*|eligible|enough|all you need|"
    r"get the loan|gets? you (a |an |the )?(\w+ )?loan|califica\w*|aprob\w*)",
    r"\b(over|above|at least) \d{3}\b[^.?!]{0,30}\b(approv\w*|qualif\w*)",
    r"\benough to (get )?(pre-?)?(approved|qualify)",
]
_SENSITIVE = [
    r"\b(ssn|itin|social security|social sec|ss ?#|your social\b|tax id|seguro social)",
    r"\b(date of birth|d\.?o\.?b\b|birth ?date|birth ?year|birthday|year of birth|fecha de nacimiento|cumpleanos)",
    r"\b(what|which) year (were you|was you|you were) born|\bwhen were you born|\bano (en que )?naci",
    r"\b(account|acct|loan|routing|card|member) (number|#|no\b)|\baccount #|\bbank account|\bnumero de cuenta",
    r"\blast (4|four)( digits)? of your\b|\btarjeta de credito\b",
]
# A reply may warn the borrower never to text these: "please don't send your SSN".
_WARNING = re.compile(
    r"\b(don'?t|do not|never|no need to|please avoid|avoid|no|nunca|jamas)(\s+\w+)?\s+(text|send|share|give|provide|post|type|"
    r"include|ask\w*|need|want|request|require|envie|mande|comparta|escriba|proporcione|necesita)\b"
)
_PROTECTED = [
    r"\b(race|racial|ethnic\w*|religio\w*|church|national origin|nationality|citizen\w*|green card|"
    r"permanent resident|immigra\w*|visa status|where are you from|what country|where were you born|"
    r"first language|native language|sex|gender|married|marital|spouse|husband|wife|widow\w*|separated|"
    r"single or|divorc\w*|pregnan\w*|expecting|children|kids|how old|your age|age\b|over (5|6)\d\b|"
    r"disabilit\w*|disabled|raza|religion|nacionalidad|origen|ciudadan\w*|de que pais|casad[oa]|"
    r"estado civil|esposo|esposa|viud\w*|divorci\w*|embaraz\w*|hijos|edad|discapacidad)\b",
]
# A reply that carries the system prompt's own words has been talked into leaking it.
_PROMPT_LEAK = [
    r"record_turn|system prompt|<borrower_message>|guardrail|tool_choice|instrucciones del sistema"
]

RULES = [
    ("rate_quote", _RATE_QUOTE, None),
    ("approval_promise", _APPROVAL, None),
    ("credit_score_promise", _SCORE_PROMISE, None),
    ("sensitive_number", _SENSITIVE, _WARNING),
    ("protected_characteristic", _PROTECTED, None),
    ("prompt_leak", _PROMPT_LEAK, None),
]
_RULES = [
    (name, re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE), unless)
    for name, patterns, unless in RULES
]
_SENTENCES = re.compile(r"(?<=[.?!;])\s+|\n+")


def violation(reply: str) -> str | None:
    """The first rule the reply breaks, or None when it may be sent."""
    if not reply or not reply.strip():
        return "empty"
    if len(reply) > MAX_REPLY_CHARS:
        return "too_long"
    return content_violation(reply)


def content_violation(text: str) -> str | None:
    """The first content rule (rates, promises, sensitive numbers...) the text breaks, whatever
    its length: the automated-text template checker applies these too."""
    text = _LOAN_TERMS.sub("TERM", strip_accents(text)).lower()
    for sentence in _SENTENCES.split(text):
        for name, pattern, unless in _RULES:
            if _breaks(sentence, pattern, unless):
                return name
    return None


def _breaks(sentence: str, pattern: re.Pattern, unless: re.Pattern | None) -> bool:
    for match in pattern.finditer(sentence):
        if unless is None or not unless.search(sentence[: match.start()]):
            return True
    return False
