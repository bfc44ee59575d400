"""Borrower texts made comparable: lower case, no accents, common spellings and typos fixed."""

import difflib
import re
import unicodedata

# Words the parsers look for. A misspelt word (five letters or more, same first letter)
# close to one of them is read as it: "refinence", "preaproved", "relator", "conventinal".
KEYWORDS = {
    "purchase", "purchasing", "refinance", "refinancing", "refinanced", "refinanciar",
    "refinanciamiento", "conventional", "convencional", "approved", "preapproved", "preapproval",
    "prequalified", "aprobado", "aprobada", "preaprobado", "preaprobada", "preaprobados",
    "excellent", "excelente", "realtor", "realtors", "agent", "agents", "mortgage", "months",
    "month", "weeks", "contract", "veteran", "veterans", "veterano", "military", "credit",
    "credito", "looking", "buying", "house", "interested", "equity", "browsing", "someday",
    "immediately", "already", "escrow", "accepted", "approval", "average", "terrible",
    "horrible", "decent", "score", "jumbo", "qualified", "property", "homeowner", "searching",
    "construction", "reverse", "payment", "summer", "spring", "winter", "autumn", "january",
    "february", "march", "april", "june", "july", "august", "september", "october",
    "november", "december", "primavera", "verano", "invierno", "septiembre", "octubre",
    "noviembre", "diciembre", "agosto", "enero", "febrero", "marzo", "abril", "junio", "julio",
    "semanas", "meses", "todavia", "buscando", "encontre", "encontramos", "comprar", "hipoteca",
    "prestamo", "vivienda", "first", "right", "wrong", "number", "person", "human",
    "officer", "agente", "thinking", "seriously", "probably",
}  # fmt: skip
_KEYWORD_LIST = sorted(KEYWORDS)
# Ordinary words that sit close to a keyword and must stay themselves.
NOT_TYPOS = {
    "funds", "horse", "mouth", "mount", "agents", "urgent", "months", "front", "force",
    "pretty", "prefer", "approve", "proof", "score", "store", "share", "scare", "think",
    "things", "thanks", "person", "reason", "season", "wright", "write", "words", "world",
    "numbers", "first", "firstly", "mother", "father", "brother", "credits", "agency",
    "aprobar", "comprado", "compras", "compra", "buscar", "busco", "encontrar", "searched",
    "offer", "offers", "hours", "primera", "primer", "primero", "primeras", "realty", "reality", "verano", "mouths",
    "forms", "march", "match", "merci", "ninety", "seventy", "eighty", "twenty", "thirty", "forty",
    "fifty", "sixty", "semana", "credible", "agenda", "hello", "horas", "meter", "mismo",
    # Spanish words close to an English keyword.
    "numero", "numeros", "nuestra", "nuestro", "tenemos", "queremos", "estamos", "buscamos",
    "compramos", "comprando", "agentes", "creditos", "prestamos", "semanas", "ahorita", "primavera",
    "cuenta", "cuando", "mandar", "llamar", "persona", "personas", "oficial", "ofertas",
    "oferta", "contrato", "aprobada", "aprobado", "aprobacion", "preaprobacion", "viendo", "buenos",
    "interest", "perdon", "perdona", "disculpa", "quise", "mejor", "social", "socials", "humano", "humana",
}  # fmt: skip

# Spellings that mean the same thing, made one (applied after accents and typos are fixed).
CANONICAL = [
    (r"\b(do|does|did|have|has|had|was|were|would|could|should) not\b", r"\1n't"),
    (r"\bcannot\b|\bcan not\b", "can't"),
    (r"\bwill not\b", "won't"),
    (r"\bi am\b", "i'm"),
    (r"\bpre[\s\-]*(?:q|k)ual\w*", "prequalified"),
    (r"\bpre[\s\-]*approv", "preapprov"),
    (r"\bpre[\s\-]*aprob", "preaprob"),
    (r"\bre[\s\-]?fi\b|\brefy\b", "refi"),
    (r"\bre[\s\-]+financ", "refinanc"),
    (r"\bcash[\s\-]*out\b", "cashout"),
    (r"\bh\.?e\.?l\.?o\.?c\.?(?!\w)", "heloc"),
    (r"\bf\.h\.a\.?|\bf h a\b", "fha"),
    (r"\bv\.a\.?(?=\s|$|[,!?])", "va"),
    (r"\bu\.s\.d\.a\.?", "usda"),
    (r"\b1st\b", "first"),
    (r"\bnxt\b|\bnex\b", "next"),
    (r"\brite\b", "right"),
    (r"\bw/o\b", "without"),
    (r"\bw/", "with "),
    (r"\bu\b", "you"),
    (r"\bur\b", "your"),
    (r"\by'?all\b", "you all"),
    (r"\bim\b", "i'm"),
    (r"\bive\b", "i've"),
    (r"\bthx\b|\bty\b", "thanks"),
    (r"\bpls\b|\bplz\b", "please"),
    (r"\bidk\b|\bidek\b", "i don't know"),
    (r"\bdunno\b", "don't know"),
    (r"\byrs?\b", "years"),
    (r"\bmos?\b(?=\W*$|\s+(?:or|and|out|from|away|max|tops)\b)", "months"),
    (r"\bmnths?\b|\bmths?\b", "months"),
    (r"\bwks?\b", "weeks"),
    (r"\bxq\b|\bpq\b", "porque"),
    (r"\bq\b", "que"),
    (r"\btmb\b", "tambien"),
]
_CONTRACTION = re.compile(r"\b(do|does|did|have|has|is|are|ca|wo|would|should)nt\b")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fix_typo(match: re.Match) -> str:
    word = match.group(0)
    if word in KEYWORDS or word in NOT_TYPOS:
        return word
    cutoff = 0.8 if len(word) <= 6 else 0.84
    for candidate in difflib.get_close_matches(word, _KEYWORD_LIST, n=3, cutoff=cutoff):
        if candidate[0] == word[0] and abs(len(candidate) - len(word)) <= 2:
            return candidate
    return word


def normalize(text: str) -> str:
    """Lower case, accents and apostrophe variants folded, typos and abbreviations fixed."""
    text = re.sub("[\u2019\u2018`\u00b4]", "'", text or "")
    text = strip_accents(text).lower()
    text = _CONTRACTION.sub(lambda m: m.group(1) + "n't", text)
    text = re.sub(r"[a-z]{5,}", _fix_typo, text)
    for pattern, replacement in CANONICAL:
        text = re.sub(pattern, replacement, text)
    # Lines stay lines: the texts of a burst are read one by one.
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


# Split where one fact ends and the next begins, so that "no realtor but preapproved" is
# read as two facts and a negation stays inside its own clause.
_CLAUSE_BREAK = re.compile(r"[.;!?\n]+|,|\s+-\s+|\b(?:but|pero|also|tambien|plus|although|though|and|y)\b")


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_BREAK.split(text) if c and c.strip()]
