"""Free-text answers -> qualification field values, in English, Spanish and a mix of both.

Every field has a parser that reads the whole message, so that one text can answer several
questions ("refi, 2 months, already preapproved"). What the assistant just asked adds
context: a bare "yes", "2", "tx" or "good" means something only as an answer to it."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from conversations.qualification.normalize import clauses, normalize
from conversations.qualification.states import parse_state
from conversations.qualification.timeparse import parse_timeline_in_context
from leads.choices import Credit, LoanPurpose, LoanType, Timeline

BOOLEAN_FIELDS = ("preapproved", "has_agent", "property_found", "first_time_buyer")
# What "1", "2"... mean after a question asked with numbered options.
OPTIONS = {
    "loan_purpose": [
        LoanPurpose.PURCHASE, LoanPurpose.REFINANCE, LoanPurpose.CASH_OUT_REFINANCE,
        LoanPurpose.HELOC, LoanPurpose.OTHER,
    ],
    "timeline": [
        Timeline.DAYS_0_30, Timeline.MONTHS_1_3, Timeline.MONTHS_3_6, Timeline.MONTHS_6_PLUS,
        Timeline.UNSURE,
    ],
    "loan_type": [
        LoanType.CONVENTIONAL, LoanType.FHA, LoanType.VA, LoanType.USDA, LoanType.JUMBO,
        LoanType.UNSURE,
    ],
    "credit": [Credit.EXCELLENT, Credit.GOOD, Credit.FAIR, Credit.POOR, Credit.UNSURE],
    **{name: [True, False] for name in BOOLEAN_FIELDS},
}  # fmt: skip
UNSURE_VALUES = {"loan_type": LoanType.UNSURE, "timeline": Timeline.UNSURE, "credit": Credit.UNSURE}


def _compile(table):
    return [(value, re.compile(pattern)) for value, pattern in table]


# A mention preceded by one of these is denied: "not refinancing", "no fha".
_NEGATION_BEFORE = re.compile(
    r"\b(not|no|don't|never|ni|nunca|isn't|aren't|without|instead of)\b(\s+\w+){0,2}\s*$"
)

PURPOSE = _compile([
    (LoanPurpose.OTHER, r"\b(reverse mortgage|hipoteca inversa|construction loan|build(ing)? (a|our|my) (house|home)|"
     r"land loan|buy(ing)? (a )?(lot|land)|lot loan|bridge loan|renovation loan|rehab loan|construir)\b"),
    (LoanPurpose.HELOC, r"\b(heloc|home equity line|equity line|line of credit|linea de credito|home equity loan|"
     r"second mortgage|segunda hipoteca|equity loan|home equity)\b"),
    (LoanPurpose.CASH_OUT_REFINANCE, r"\b(cashout|(take|pull|get|taking|pulling|sacar|tap|access)( out)?( some| the| my| our)?"
     r" (cash|money|equity|dinero|efectivo)|"
     r"(take|pull|get|taking|pulling|getting|sacar)( out)?( like| about| around| maybe| roughly| unos| como)? \$?\d[\d,.]*"
     r" ?(k|grand|thousand|mil)?( dollars| dolares)? (out|in cash|cash|en efectivo)|tap (into )?(my|our|the) equity|retiro de efectivo|"
     r"consolidat\w+ (my )?(debt|bills)|pay off (my |some )?(debt|bills|credit cards)|debt consolidation|pagar (mis )?deudas)\b"),
    (LoanPurpose.REFINANCE, r"\b(refi|refis|refinanc\w*|refinanciar\w*|refinanciamiento|lower (my|our|the) (interest )?(rate|payment|interest)|"
     r"better rate|(remove|drop|get rid of) (the |my |our )?pmi|rate and term|bajar (mi|la) (tasa|mensualidad|pago)|"
     r"streamline|irrrl)\b"),
    (LoanPurpose.PURCHASE, r"\b(buy(?! ?down)|buying|purchas\w*|purch|comprar|compra|compro|new home|new house|first home|"
     r"home shopping|house hunting|looking (for|at) (a )?(houses?|homes?|places?|condos?|listings)|"
     r"(get|getting|find|finding) (a |our |my )?(first )?(house|home|place|condo|townhouse)|under contract|found a (house|home|place)|"
     r"make an offer|moving to|relocat\w*|(to|gonna|wanna|ready to) bye? (a |an |our |my |the |another )?(new )?(house|home|condo|place|property|townhouse)|mudarme|mudarnos|casa nueva|primera casa|adquirir|(want|wanna|need|needs|looking|trying|planning|hoping|ready) to (move|upgrade|downsize|relocate|size up)|(a |into a )?(bigger|smaller|larger|new|another) (house|home|place|condo)|(quiero|queremos|buscamos|busco|necesitamos|necesito) (una |un |nuestra |mi )?(casa|hogar|vivienda|departamento|condo)|home ?buyers?|first time (home )?buyers?)\b"),
])  # fmt: skip

LOAN_TYPE = _compile([
    (LoanType.FHA, r"\bfha\b"),
    # A veteran may want one; only words about the loan say so ("I'm a vet" is confirmed first).
    (LoanType.VA, r"\b(va (loan|mortgage|home loan|eligible|benefits?|entitlement|streamline|irrrl|refi\w*|purchase)|"
     r"prestamo va|credito va)\b"),
    (LoanType.USDA, r"\b(usda|rural (development|housing|loan))\b"),
    (LoanType.JUMBO, r"\bjumbo\b"),
    (LoanType.CONVENTIONAL, r"\b(conventional|conv|convencional|regular loan|normal loan|traditional loan|fannie|freddie)\b"),
])  # fmt: skip

CREDIT_WORDS = _compile([
    (Credit.GOOD, r"\b(not bad|not too bad|pretty decent)\b"),
    (Credit.POOR, r"\b(not good|not very good|bad|poor|terrible|awful|horrible|low|sucks|trash|garbage|shot|needs work|"
     r"rough|damaged|rebuilding|bankruptcy|bk|foreclosure|collections|500s|malo|mala|muy mal|bajo|baja|"
     # What went wrong on the report says more than a mild "not great": "not great, some late payments".
     r"(late|missed|behind on)( \w+){0,2} (payments?|pays)|charge ?offs?|charged off|repo|repossession|judgments?|"
     r"pagos atrasados|"
     r"no (es )?(muy )?buen[oa])\b"),
    (Credit.FAIR, r"\b(fair|ok|okay|average|mid|not great|not the best|not amazing|so ?so|meh|could be better|regular|"
     r"mas o menos|medium|alright|600s|in the 600s|promedio)\b"),
    (Credit.EXCELLENT, r"\b(excellent|great|amazing|perfect|very good|really good|awesome|stellar|exceptional|"
     r"outstanding|top notch|800s|high 700s|muy buen[oa]|excelente|super good|really high|very high)\b"),
    (Credit.GOOD, r"\b(good|pretty good|decent|solid|fine|buen[oa]?|700s|high|alto|alta)\b"),
])  # fmt: skip
_CREDIT_CONTEXT = re.compile(r"\b(credit|score|scores|fico|credito|puntaje|puntos|beacon)\b")
_SCORE = re.compile(r"(?<![\d$.,])([3-8]\d{2})(?![\d%]|,\d|k\b|'?s\b| ?(dollars|sq|square|k\b))")
# "high 600s", "low 700s", "mid 500's": a score range, read at its low, middle or high end.
_SCORE_RANGE = re.compile(r"\b(low|lower|mid|middle|high|upper)?[\s-]*([5-8])00'?s\b")
_RANGE_OFFSET = {"low": 25, "lower": 25, "mid": 50, "middle": 50, "high": 75, "upper": 75}
# "650, actually it went up to 680": the score after a correction is the score.
_CORRECTED = re.compile(
    r"\b(actually|wait|sorry|i meant|i mean|correction|now|no|make that|perdon|mejor dicho)\b"
)

BOOLEANS = {
    "preapproved": _compile([
        (False, r"\b(not (yet )?(been )?(fully |officially |really |technically |quite )?(preapproved|prequalified|approved)|haven't (been |gotten |got |applied |even )*"
         r"(preapproved|prequalified|approved|a preapproval)|no (preapproval|preapproved|prequal\w*|approval|letter)|"
         r"need (to get )?(a )?(preapproval|preapproved|prequalified)|applied (but|and) (still )?(waiting|pending)|"
         r"(still )?waiting (on|for) (the |our |my )?(approval|preapproval|letter|lender|bank)|(want|wanna|looking|hoping|trying|like|need|planning) "
         r"to (get )?(preapproved|prequalified)|get (me |us )?(preapproved|prequalified)|not approved|"
         r"no (estoy|estamos) (preaprobad\w*|aprobad\w*)|no tengo (la |una )?(preaprobacion|carta|aprobacion)|"
         r"todavia no (estoy |estamos )?(preaprobad\w*)|necesito (la |una )?preaprobacion)\b"),
        (True, r"\b(preapproved|prequalified|(have|got) (a |my |our |the )?(preapproval|approval letter|letter)|"
         r"got (a |my )?approval|preapproval letter|approval letter|already approved|been approved|i'm approved|we're approved|preaprobad\w*|"
         r"tengo (la |mi )?(preaprobacion|carta de aprobacion|carta)|ya (estoy|estamos) aprobad\w*)\b"),
    ]),
    "has_agent": _compile([
        (False, r"\b(no (realtor|agent|real estate agent|rea|agente)|don't have (a |an |any )?(realtor|agent|real estate agent)|"
         r"not (working )?with (a |an |any )?(realtor|agent)|without (a |an )?(realtor|agent)|"
         r"need (a |an )?(realtor|agent|real estate agent)|looking for (a |an )?(realtor|agent)|"
         r"(recommend|refer) (me )?(a |an )?(realtor|agent)|no (tengo|tenemos) (un |una )?(agente|realtor)|sin (agente|realtor)|"
         r"necesito (un |una )?(agente|realtor)|by owner|fsbo|haven't (found|picked|chosen|gotten) (a |an )?(realtor|agent))\b"),
        (True, r"\b((have|got|has|found|working with|work with|using|go with|going with|signed with|tenemos|tengo) (a |an |my |our |the |un |una |mi )?"
         r"(great |good )?(realtor|agent|agente|real estate agent|buyer'?s agent)|(my|our) (realtor|agent|real estate agent)|"
         r"(realtor|agent) is|(realtor|agent)\b.{0,25}\bhelping (us|me)|tengo (un |una |mi )?(agente|realtor)|mi (agente|realtor)|"
         r"trabaj\w+ con (un |una |mi )?(agente|realtor)|(i'm|i am|my (wife|husband|brother|sister|mom|dad) is) (a |an |the |our )?(realtor|agent))\b"),
    ]),
    "property_found": _compile([
        (False, r"\b(still (looking|searching|shopping|house hunting|browsing)|(looking|searching) still|haven't (found|picked|chosen|started|decided)|"
         r"not yet found|no (house|home|property|place) yet|(just )?(started|starting|beginning) (to look|looking|the search)|"
         r"house hunting|home hunting|looking at (houses|homes|places|listings)|still deciding|seguimos buscando|"
         r"sigo buscando|todavia (estoy |estamos )?buscando|looking at (a few|some|several|options|a couple)|aun (estoy |estamos )?buscando|no (he|hemos) encontrado|"
         r"estamos buscando|estoy buscando|nothing yet|no luck yet|not (found|picked) (one|a house|a home|anything))\b"),
        (True, r"\b(found (a |the |our |my |a great |the perfect |the one|a nice )?(house|home|place|property|condo|townhouse|one|it)|"
         r"(under|in) (contract|agreement)|in escrow|made an offer|offer (was |got |has been )?accepted|(we|we're|we are|i'm|i) clos(e|ing) (in|on|next|this)|closing date|put (in )?an offer|"
         r"(have|got) (a |an )?(house|home|place|property) (in mind|picked|under contract)|picked (out )?(a |the )?(house|home|place)|"
         r"ya encontr\w+|encontr\w+ (una |la )?casa|bajo contrato|hicimos una oferta|"
         r"(tenemos|tengo) (una )?casa (en mente|elegida)|(have|got) (one|a place|something|a house|a home) (in mind|picked out))\b"),
    ]),
    "first_time_buyer": _compile([
        # "our own place" is the one they buy; "own a home", "already own our place" is one they have.
        (False, r"\b(not (my|our|a) first|((?<!\bour )(?<!\bmy )(?<!\btheir )own|owned|already own) (a |my |our )?(homes?|houses?|property|condo|place)|homeowners?|"
         r"home owner|sold (my|our)|selling (my|our)|(my|our) current (home|house)|second home|investment property|"
         r"rental property|another (home|house)|upgrad(e|ing)|downsiz\w*|(bought|owned|purchased|had) (a |one |my |our )?(house |home |place |property )?before|"
         r"owned before|second time|segunda (vez|casa)|no es (mi|nuestra) primera|ya tengo (una )?casa|tengo casa propia|vendiendo (mi|nuestra) casa)\b"),
        (True, r"\b(first (time|home|house|property|place|purchase|one)|first-time|never (owned|bought|had)|primera (vez|casa|vivienda)|"
         r"(our|my) first\b(?! (home |house )?(was|is))|first timers?|"
         r"nunca (he|hemos) (tenido|comprado)|primer hogar|ftb|first timers?|primeriz\w*)\b"),
    ]),
}  # fmt: skip

_YES = re.compile(
    r"^(yes|yeah|yea|yep|yup|ya|yah|ye|yess+|y|sure|correct|right|absolutely|definitely|of course|affirmative|"
    r"si|claro|correcto|asi es|por supuesto|i am|i do|we are|we do|i have|we have|i did|we did|already|"
    r"totally|for sure|indeed|yes we are|that's right|ok yes)\b"
)
_NO = re.compile(
    r"^(no|nope|nah|nay|n|not yet|not really|negative|never|none|not at all|todavia no|aun no|ya no|tampoco|"
    r"i'm not|i am not|we're not|we are not|i don't|we don't|i haven't|we haven't|haven't|not|no yet|nada)\b"
)
_UNSURE = re.compile(
    r"\b(not sure|unsure|don't know|no idea|no clue|not certain|depends|it depends|no se|no estoy segur\w*|"
    r"ni idea|quien sabe|whatever|whichever|doesn't matter|no preference|you tell me|what do you recommend|"
    r"best option|open to|cualquiera|lo que sea|haven't checked|never checked|lo que recomiende|hard to say|tbd|"
    r"ain'?t sure|whenever|depends|cuando (encontremos|se pueda)|no sabemos)\b"
)
_OPTION = re.compile(r"^\s*(?:#|option|opcion|number|numero|no\.?)?\s*([1-9])\s*(?:[.)!:\-]|$|\s)")
_NEED_ONE = re.compile(r"\b(need|needs|gonna need|looking for|find|get|getting) (to (find|get) )?one\b")
_BROWSING = re.compile(r"\bjust (looking|checking|seeing|exploring)\b")


# "not buying til next year", "not refinancing right now": the negation is about the timing.
_ABOUT_TIMING_AFTER = re.compile(
    r"^\W*(\w+\W+){0,3}?(til|till|until|unless|before|yet|right now|for now|now|this year|any ?time soon|"
    r"for a while|for (a|another|one|two|\d+) (year|month)s?|hasta|todavia|aun|ahora|ahorita|por ahora)\b"
)


def _mentions(table, text: str) -> list[tuple[int, object]]:
    """(position, value) of every mention in `text` that is not negated."""
    found = []
    for value, pattern in table:
        for match in pattern.finditer(text):
            negated = _NEGATION_BEFORE.search(text[: match.start()])
            if not negated or _ABOUT_TIMING_AFTER.match(text[match.end() :]):
                found.append((match.start(), value))
    return found


# "how many points should I buy?", "buy down the rate": buying something that is not a home.
_NOT_A_HOME = re.compile(r"\b(points?|buy ?downs?|buy (it |the rate )?down)\b")


def parse_purpose(text: str) -> str | None:
    # The table is in priority order: "refi and take cash out" is a cash-out refinance.
    text = " , ".join(c for c in clauses(text) if not _NOT_A_HOME.search(c))
    for value, pattern in PURPOSE:
        if _mentions([(value, pattern)], text):
            return value
    return None


# The VA as a place or an employer, not a loan: "I work at the VA hospital", "my VA appointment".
_VA_ELSEWHERE = re.compile(
    r"\b(in|to|from)\s+VA\b|\bVA\s+(hospital|clinic|medical|center|office|appointment|doctor|disability|job)\b|"
    r"\b(at|for)\s+the\s+VA\b",
    re.IGNORECASE,
)


def _says_va(text: str, raw: str, *, asked: bool) -> bool:
    """ "VA" in capitals (not "in VA", the state, nor the VA hospital), or a bare "va" answering our question."""
    if re.search(r"(?<![\w'])(VA|V\.A\.?)(?![\w'])", raw) and not _VA_ELSEWHERE.search(raw):
        return True
    return asked and bool(re.match(r"\W*(a |the |un )?va\b(?!\s+a\b)", text))


# "my sister went fha", "our friends got a va loan": someone else's loan says nothing of theirs.
_SOMEONE_ELSE = re.compile(
    r"\b(my|our|his|her) (sister|brother|mom|mother|dad|father|parents|friends?|cousins?|coworkers?|co-workers?|"
    r"neighbou?rs?|son|daughter|aunt|uncle|in-?laws?|boss|buddy|roommate)\b|\b(he|she|they) (got|went|used|had|did)\b|"
    r"\bmi (hermana|hermano|mama|papa|amig[oa]|prim[oa]|vecin[oa]|cunad[oa])\b"
)


def parse_loan_type(text: str, raw: str, *, asked: bool) -> str | None:
    mine = [c for c in clauses(text) if not _SOMEONE_ELSE.search(c)]
    mentions = sorted(m for clause in mine for m in _mentions(LOAN_TYPE, clause))
    values = {value for _, value in mentions}
    if _says_va(text, raw, asked=asked) and len(mine) == len(clauses(text)):
        values.add(LoanType.VA)
    if len(values) > 1 and _CORRECTED_TYPE.search(text):
        return _last_loan_type(text)  # "conventional... actually it's an fha loan": the one it ends on
    if len(values) > 1:
        return LoanType.UNSURE  # "fha or conventional?": the officer will advise
    return values.pop() if values else None


_CORRECTED_TYPE = re.compile(
    r"\b(actually|wait|sorry|i meant|i mean|scratch that|correction|make that|no,? (it'?s|its)|perdon|mejor dicho)\b"
)


def _last_loan_type(text: str) -> str:
    after = text[list(_CORRECTED_TYPE.finditer(text))[-1].end() :]
    found = sorted(_mentions(LOAN_TYPE, after))
    return found[0][1] if found else LoanType.UNSURE


def _score_level(score: int) -> str:
    if score >= 740:
        return Credit.EXCELLENT
    if score >= 670:
        return Credit.GOOD
    if score >= 580:
        return Credit.FAIR
    return Credit.POOR


# A score said in words, as voice-to-text writes it: "six fifty", "seven hundred something".
_HUNDREDS = {"five": 500, "six": 600, "seven": 700, "eight": 800, "5": 500, "6": 600, "7": 700, "8": 800}
_TENS = {"ten": 10, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}  # fmt: skip
_SPOKEN_SCORE = re.compile(
    r"\b(five|six|seven|eight|[5-8])(?: hundred)?(?: and)? (ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
    r"ninety|something|ish)\b|\b(five|six|seven|eight|[5-8]) hundred\b"
)


def _spoken_scores(text: str) -> list[tuple[int, int]]:
    found = []
    for match in _SPOKEN_SCORE.finditer(text):
        hundreds, rest, alone = match.groups()
        base = _HUNDREDS[hundreds or alone]
        found.append((match.start(), base + _TENS.get(rest, 0)))  # "7 hundred something": the 700s
    return found


def _scores(text: str) -> list[tuple[int, int]]:
    """(position, score) of every score or score range named."""
    exact = [(m.start(), int(m.group(1))) for m in _SCORE.finditer(text) if 300 <= int(m.group(1)) <= 850]
    exact += _spoken_scores(text)
    ranges = [
        (m.start(), int(m.group(2)) * 100 + _RANGE_OFFSET[m.group(1)])
        for m in _SCORE_RANGE.finditer(text)
        if m.group(1)
    ]
    return sorted(exact + ranges)


def _credit_in(text: str) -> str | None:
    scores = _scores(text)
    if len(scores) > 1 and _CORRECTED.search(text, scores[0][0], scores[-1][0]):
        return _score_level(scores[-1][1])
    if scores:
        return _score_level(sum(score for _, score in scores) // len(scores))  # a couple's two: the middle
    for value, pattern in CREDIT_WORDS:
        if pattern.search(text):
            return value
    return None


def parse_credit(text: str, *, asked: bool) -> str | None:
    """Words and scores count only next to "credit"/"score", or as the answer to our question."""
    if asked:
        return _credit_in(text)
    for clause in clauses(text):
        if _CREDIT_CONTEXT.search(clause):
            found = _credit_in(clause)
            if found:
                return found
    return None


# "never owned a home": the word right before a yes/no phrase can turn it around.
_DENIED_BEFORE = re.compile(r"\b(never|nunca|not)\s*$")


# "yes preapproved. wait no, not yet": what the borrower ends on is the answer.
_SELF_CORRECTION = re.compile(
    r"\b(actually|wait|sorry|i meant|i mean|scratch that|correction|my bad|oops|make that|perdon|quise decir|"
    r"mejor dicho)\b"
)


def parse_boolean(field: str, text: str) -> bool | None:
    parts = clauses(text)
    for clause in reversed(parts) if _SELF_CORRECTION.search(text) else parts:
        for value, pattern in BOOLEANS[field]:
            if any(not _DENIED_BEFORE.search(clause[: m.start()]) for m in pattern.finditer(clause)):
                return value
    return None


def yes_or_no(text: str) -> bool | None:
    text = text.strip(" .!,")
    if _NO.match(text):
        return False
    if _YES.match(text):
        return True
    return None


def numbered_option(field: str, text: str):
    match = _OPTION.match(text)
    options = OPTIONS.get(field, [])
    if match and 1 <= int(match.group(1)) <= len(options):
        return options[int(match.group(1)) - 1]
    return None


def is_unsure(text: str) -> bool:
    return bool(_UNSURE.search(text))


@dataclass(frozen=True)
class Found:
    value: object
    words: str  # the clause the value was read from
    implied: bool = False  # only implied ("I'm in Houston"): to confirm, not to record


def extract(
    raw: str, *, asked: str | None = None, numbered: bool = False, now: datetime | None = None
) -> dict:
    """{field: Found} for every field value the text gives, the one we asked about included.

    A value counts only from words about its field: what the assistant just asked gives a bare
    "2", "tx" or "good" its meaning."""
    text = normalize(raw)
    now = now or timezone.localtime()
    found = {}
    for field, value in _field_values(raw, text, asked=asked, now=now).items():
        if value is not None:
            found[field] = Found(value, _words_for(field, text, raw, asked, now) or text)
    state = parse_state(raw, text, asked=asked == "property_state")
    if state:
        found["property_state"] = Found(state[0], text, implied=state[1])
    if _BROWSING.search(text) and "timeline" not in found and asked in (None, "loan_purpose", "timeline"):
        found["timeline"] = Found(Timeline.MONTHS_6_PLUS, text)  # "just looking" at this point: browsing
    if asked and asked not in found:
        answer = _answer_to(asked, text, numbered=numbered)
        if answer is not None:
            found[asked] = Found(answer, text)
    return found


def _field_values(raw: str, text: str, *, asked: str | None, now: datetime) -> dict:
    return {
        "loan_purpose": parse_purpose(text),
        "loan_type": parse_loan_type(text, raw, asked=asked == "loan_type"),
        "timeline": parse_timeline_in_context(text, now, asked=asked == "timeline"),
        "credit": parse_credit(text, asked=asked == "credit"),
        **{name: parse_boolean(name, text) for name in BOOLEAN_FIELDS},
    }


def _words_for(field: str, text: str, raw: str, asked: str | None, now: datetime) -> str:
    """The clause that gave the value: what the model and the officer see as its source."""
    for clause in clauses(text):
        if _field_values(clause, clause, asked=asked, now=now).get(field) is not None:
            return clause
    return ""


def _answer_to(asked: str, text: str, *, numbered: bool):
    """What a short reply means as the answer to the question we asked."""
    if numbered:
        option = numbered_option(asked, text)
        if option is not None:
            return option
    if asked == "property_found" and _BROWSING.search(text):
        return False
    if asked in ("has_agent", "preapproved") and _NEED_ONE.search(text):
        return False  # "we will need one": not yet
    if asked in UNSURE_VALUES and is_unsure(text):
        return UNSURE_VALUES[asked]
    return None
