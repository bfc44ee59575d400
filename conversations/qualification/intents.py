"""What a borrower's text asks of the assistant besides answering: a person, an ending, a question."""

import re
from dataclasses import dataclass, field

DISQUALIFY = [
    ("wrong_number", r"\b(wrong (number|person|#|guy|girl|lady|texts?)|you have the wrong|not the right (number|person)|"
     r"numero equivocado|equivocado de numero|se equivoc\w+|no soy (esa persona|el|ella|quien)|"
     r"this is not \w+'?s? (number|phone)|nobody (here )?(by|named) that|no one (here )?(by|named) that)\b"),
    ("did_not_ask", r"\b((i )?never (asked|applied|signed up|filled|requested|inquired|submitted|put in)|"
     r"(i )?didn't (ask|apply|sign up|fill|request|submit|put in|inquire)|i did not (ask|apply|sign up|fill|request)|"
     r"i have no idea what this is|no (pedi|solicite|aplique|llene)|nunca (pedi|solicite|llene|aplique))\b"),
    ("not_a_borrower", r"\b((just )?testing (the |your |this )?(form|system|website|site|app|number|thing|lead)|"
     r"this is (just )?a test|test (message|lead|submission)|solo (estoy )?probando)"),
    ("not_mortgage", r"\b((need|want|looking for|get|apply for|interested in|necesito|quiero|busco)( a| an| un| una)? "
     r"(car|auto|vehicle|truck|boat|personal|student|payday|business|small business|title) (loan|prestamo)|"
     r"prestamo (personal|de auto|para (un )?(carro|coche|auto|negocio))|(looking|want|need|trying) (for|to) rent|"
     r"(apartment|house|home|place) (for rent|to rent)|rent (an |a )?(apartment|house)|insurance quote|"
     r"(busco|quiero) (rentar|alquilar)|apartamento para rentar)\b"),
]  # fmt: skip

# Questions the assistant answers itself; checked before the hand-off phrases so that
# "am I talking to a real person?" is a question about us, not a request for someone.
FAQ = [
    ("are_you_bot", r"\b((are|r) (you|ya) (a |an )?(bot|robot|ai|real|human|person|machine|computer|automated|"
     r"actual person|real person|chatgpt|live person)|is this (a |an )?(bot|robot|automated|ai|real person|human|machine|"
     r"auto ?text|automatic)|am i (talking|texting|chatting|speaking) (to|with) (a |an )?(bot|robot|human|person|real|machine|ai)|"
     r"(eres|es|sera|seras)( usted| tu)? (un |una )?(robot|bot|humano|persona( real)?|maquina|automatico|real)\b|"
     r"(hablo|estoy hablando|estoy escribiendo|hablando) con (un |una )?(robot|persona|maquina|humano|bot))"),
    ("how_got_number", r"\b(how (did|do|does|d) (you|ya|y'all|you all|your company) (get|have|got|find|obtain) (my|this|our) "
     r"(number|#|info|information|phone|cell|contact)|where did (you|ya) (get|find) (my|this)|"
     r"who (gave|sold) (you|ya|y'all|you all) (my|this|our) (number|#|info|information|phone|cell|contact)|"
     r"(como|de donde) (consiguio|consiguieron|obtuvo|obtuvieron|tienen|tiene|saco|sacaron) (mi |este |su )?(numero|telefono|informacion))"),
    ("ssn", r"(\[redacted|\b(do|does|will|would) (you|ya|u|y'?all) (need|want|require) (my|our|the) (social|ssn|ss|ss#|social security)|"
     r"\bshould (i|we) (send|text|give|share)( you)? (my|our|the) (social|ssn|ss|social security)|"
     r"\b(here'?s|here is|this is) my (social|ssn)|\bmy (social|ssn|ss#|social security)( number| #)? (is|es)\b|"
     r"\bnecesita\w* (mi|el) (seguro social|social|numero de seguro)|\b(mi|el) seguro social (es|se lo)|"
     r"\ble (mando|envio|doy) (mi )?(seguro social|social))"),
    ("apr_meaning", r"\b(what (does|do|is) (an |the )?apr (mean|stand for)|what'?s an apr|whats an apr|what is an apr|"
     r"what (is|does) apr( mean)?\W*$|what'?s apr\W*$|whats apr\W*$|apr vs\.? (interest )?rate|difference between (the )?(apr|rate)|"
     r"(que|cual) (es|significa) (la |el )?(apr|tae))"),
    ("credit_needed", r"\b(what (credit )?score (do|would|will) (i|we|you) need|(minimum|min|lowest) (credit|score|fico)|"
     r"can (i|we) (still )?(get|qualify|be approved)|do (i|we) qualify|will (i|we) (qualify|get approved|be approved)|"
     r"would (i|we) (qualify|get approved)|is my credit (good|high) enough|(credit|score) requirements?|credit needed|"
     r"qualify with (a |my |an )?(\d{3}|bad|low|poor|fair)|after (a |my |our )?(bankruptcy|foreclosure|bk)|"
     r"(que|cual) (puntaje|credito) (necesito|se necesita|ocupo)|califico|puedo calificar)"),
    ("down_payment", r"\b(how much (do |would |will )?(i|we) (need |have )?(to )?(put|pay) down|how much down|"
     r"down payment|need (for|as) (a )?down|enganche|pago inicial|cuanto (necesito )?de (enganche|entrada))"),
    ("what_needed", r"\b(what (do|would|will) (you|ya|u) need (from|to know)|what (info|information|details|documents|do you need)"
     r"|what now\W*$|what'?s next|next steps?|que necesita\w* (de mi|saber)|que sigue)"),
    ("options", r"(^\s*(options|choices|like what|such as|opciones|como que)\W*$|\bwhat are (my|the) (options|choices)\b)"),
    ("who_is_this", r"\b(who (is|are) (this|you|you all|dis)|who'?s (this|texting)|who dis|who are you guys|"
     r"what company|which company|(is this|this is) (a )?(scam|spam|legit|real)|scam\b|"
     r"quien (es|eres|habla|son)|con quien hablo|que (compania|empresa))"),
    ("rates", r"\b((what|what's|whats|how much|how high|how low)( is| are| r)? (the |your |current |today's |todays |ur )?"
     r"(\w+ ){0,2}(rates?|apr|interest|points)|(tell|give|send|quote|show|get) (me|us) (the |your |a |an |current |today's )?"
     r"(\w+[ -]?){0,3}(rates?|apr|quote|interest rate)|rates\?|rate\?|what rate|current rates?|today'?s rates?|"
     r"(what|how much) (would|will|is) (my|the|our) (monthly )?payments?|monthly payment|closing costs|"
     r"(cual|cuales|que|cuanto) (es|son|seria|serian|esta|estan)? ?(la |las |su |sus |el |mi |mis )?(tasa|tasas|interes|intereses|pago mensual)|"
     r"how many points|discount points|(buy|buying|pay|paying) (\w+ )?points|buy ?down|points should|"
     r"tasas?\?|cuanto (pagaria|seria el pago))"),
    ("injection", r"\b(ignore (all |any |the |your |previous |prior |above |earlier )*(instructions|prompts?|rules|directions)|"
     r"system prompt|your (instructions|prompt|rules)|developer mode|jailbreak|you are now|act as|pretend (to be|you)|"
     r"disregard|override|reveal your|ignora (las |tus )?instrucciones)"),
]  # fmt: skip

HANDOFF = [
    ("call_requested", r"\b(call me|give me a call|(can|could|would|will) (someone|somebody|you|an officer|a loan officer|"
     r"anyone) (please )?(call|phone|ring)|have (someone|somebody|an officer|a person|a loan officer|them) (call|contact|reach)|"
     r"please call|call (my|this) (cell|number|phone)|(ll|llam)ame|llameme|me (pueden|puede|podria|podrian) llamar|"
     r"prefer (a )?(phone )?call|rather (talk|speak) on the phone)"),
    ("person_requested", r"\b((talk|speak|chat|text) (to|with) (a |an |the |your |my )?(real |actual |live )?"
     r"(person|human|someone|somebody|loan officer|officer|lender|rep|representative|manager|agent|loan agent|loan originator)|"
     r"(get|give|need|want|find) (me |us )?(a |an |the )?(real |actual |live )?(person|human|loan officer|officer|someone real)\b|"
     r"real person|live person|actual person|human please|representative|(hablar|comunicarme) con (alguien|una persona|"
     r"un agente|un oficial|un humano)|persona real)"),
    ("upset", r"\b(wtf|fuck\w*|f\*+k|shit|bullshit|bs|scammer|ridiculous|annoying|stupid|harass\w*|pissed|angry|"
     r"waste of (my )?time|wast(e|ing) (my|our) time|tf|stfu|stop bugging|stop asking|enough questions|too many questions|leave me alone|mierda|carajo|chingad\w*|molest\w*|estafa\w*)\b"),
    ("confused", r"(\b(confused|confusing|i don't understand|don't get it|what do you mean|what are you talking about|"
     r"makes no sense|no entiendo|no comprendo|que quiere decir)\b|^\s*(what|huh|que|como|eh)\s*\?+\s*$|^\s*\?{2,}\s*$)"),
]  # fmt: skip

# People who text about a loan that is not theirs: they end politely (a realtor may refer
# borrowers: ops hears of it). A borrower's "my realtor", "we're in escrow" is not one of these.
_ME = r"(i'?m|im|i am|this is|we'?re|we are|soy|somos|le habla|aqui)"
# "this is Jessica, Ana's realtor", "this is Brenda, loan processor at ...": a name, then the role.
_NAMED = r"((?!(my|our|mi|nuestr[oa])\b)\w+\W+){0,2}"  # "my realtor said..." is a borrower's
_WHOSE = r"(a |an |the |your |their |his |her |\w+'s )?"
THIRD_PARTY = [
    ("realtor", rf"(\b{_ME} {_NAMED}{_WHOSE}((?!(my|our)\b)\w+ )?(realtor|real estate agent|listing agent|buyer'?s agent|"
     r"buyers agent|seller'?s agent|agente de bienes raices|agente inmobiliario|corredor\w*)\b|"
     r"\b(realtor|listing agent|buyer'?s agent|buyers agent) here\b|^\W*(hi\W+)?(the )?(listing agent|buyer'?s agent|buyers agent) (for|on|with)\b|\bmy (clients?|buyers?) (is|are|filled|want|need|were|looking)|"
     r"\bi have (buyers|clients)\b|\bon behalf of my client|\bmi cliente)"),
    ("title", rf"(\b{_ME} [\w\s]{{0,25}}\b(from|with|at|de) [\w\s&]{{0,30}}\btitle\b|\btitle (company|officer|agent|rep|co)\b.{{0,30}}"
     r"\b(here|calling|regarding|about|file)\b|\b(from|with) [\w\s&]{0,30} title (regarding|about|calling|on)|"
     r"\b(compania de titulo|titulo de propiedad))"),
    ("escrow", rf"(\bescrow (officer|agent|company|assistant|rep|coordinator)\b|\b(i )?work (in|at|for) [\w\s]{{0,20}}escrow|"
     rf"\bescrow (here|calling)\b|\b{_ME} [\w\s]{{0,20}}(from|with|at) [\w\s]{{0,25}}escrow)"),
    ("processor", rf"(\b{_ME} {_NAMED}{_WHOSE}(loan )?(processor|underwriter|closer)\b|\b(loan )?processor (here|on|at|with|from|for)\b|"
     r"\bprocessing (dept|department|here))"),
    ("lender", rf"\b{_ME} {_NAMED}{_WHOSE}(loan officer|lender|mortgage broker|loan originator|mlo|oficial de prestamos)\b"),
    ("insurance", rf"(\binsurance (agent|company|rep)\b.{{0,30}}\b(here|calling|following|quote)|\b{_ME} [\w\s]{{0,25}}insurance\b)"),
    ("vendor", rf"\b{_ME} {_NAMED}{_WHOSE}(appraiser|home inspector|inspector|contractor|seller|sellers|"
     r"listing owner|vendedor\w*)\b"),
]  # fmt: skip
# A realtor or loan officer buying for themselves is a borrower: "I'm a realtor myself but this
# one is for us", "soy agente pero es para mi casa".
_OWN_BEHALF = re.compile(
    r"\b(myself|ourselves|(our|my) own (place|home|house)|(this one|this|it|it's|its) (one )?(is )?for (us|me|my family)|"
    r"(buying|buy|purchasing|refinancing|refi) (a \w+ )?for (us|me|my family|our family)|"
    r"(para|es) (mi|nuestra) (propia )?casa|para (nosotros|mi familia))\b"
)


def _third_party(text: str) -> str:
    role = _first(THIRD_PARTY, text)
    return "" if role and _OWN_BEHALF.search(text) else role


# A borrower who went with another lender: no sales push, no nurture.
OTHER_LENDER = re.compile(
    r"\b((went|going|decided to go|go|gone|sticking|stick|staying|stay|decided on|chose|picked|signed) with "
    r"(another|a different|other|someone else|them|him|her|lender|our (own )?(bank|credit union|lender)|"
    r"my (own )?(bank|credit union|lender)|(a|the|my|our) (\w+ )?(bank|credit union|lender|broker))|"
    r"already (got|have|found|locked|closed|secured|went)( \w+){0,4} (loan|lender|mortgage|financing|rate|bank|credit union)|"
    r"already (locked|closed)|locked (in )?with|already (working|going) with (a|an|another|our|my) "
    r"(\w+ )?(lender|loan officer|broker|bank|credit union)|closed (last \w+|already|yesterday|last week)? ?with (someone|another|a different)|"
    r"(closing|closed|close|closes) (\w+ ){0,2}with (our|my|a|another|the|a different) (own )?(\w+ )?(bank|credit union|lender|broker|loan officer)|"
    r"found (a )?(better|different|another) (deal|lender|rate|loan)|using (another|a different) lender|"
    r"(conseguimos|encontramos|tenemos|sacamos) (un |el |otro )?(prestamo|prestamista|credito|banco) (con|en) otr[oa]|"
    r"con otr[oa] (banco|prestamista|compania|lender))\b"
)
# Shopping around is not going with someone else: "pre-approved with my bank but comparing",
# "I have an offer from another lender, can you beat it?". Nor is a pre-approval a commitment.
SHOPPING = re.compile(
    r"\b(shop(ping)? around|shopping (for|rates|lenders)|compar(e|ing)|second opinion|better (deal|rate|offer|terms|option)|"
    r"(beat|match) (it|that|them|their|the|this)|see (what|if) (you|ya|y'?all|you all) (can|have|offer|got|could)|"
    r"other (offers|options|quotes|lenders)|open to (other )?(offers|options)|quotes|cotizando|comparando|comparar|"
    r"(do|can you do|you can do) better|what else is out there|price match|"
    r"otras opciones|mejor (oferta|tasa|opcion))\b"
)
_PREAPPROVAL = re.compile(r"\b(preapprov\w*|prequalified|preaprobad\w*|preaprobacion)\b")


def _went_with_another_lender(text: str) -> bool:
    if SHOPPING.search(text):
        return False
    return any(not _PREAPPROVAL.search(match.group(0)) for match in OTHER_LENDER.finditer(text))


NOT_INTERESTED = re.compile(
    r"\b(not interested|no longer interested|not looking (anymore|any more)|changed (my|our) minds?|staying put|"
    r"decided (not to|against)|not (buying|moving|refinancing) (anymore|after all)|ya no (me |nos )?interesa|"
    r"no (me |nos )?interesa)\b"
)
NOT_NOW = re.compile(
    r"\b(not ready|maybe later|not (right )?now|not (looking|buying|refinancing|moving) (right )?now|hold off|"
    r"put (it|this|things) on hold|(i'?ll|we'?ll|let me|let us|need to|gotta) think (about it|it over)|"
    r"lo (voy a|vamos a) pensar|dejeme pensarlo|dejame pensarlo|"
    r"no (estoy|estamos) list\w*|no por ahora|por ahora no|ahora no|ahorita no|todavia no estamos listos)\b"
)
CHITCHAT = [
    ("busy", r"\b(at work|driving|busy( right now| rn)?|can'?t talk|in a meeting|text (me )?later|talk later|later today|"
     r"(text|message|hit) (me )?(back |up )?(tomorrow|tonight|another time|next week|this weekend)|"
     r"escribeme (mas tarde|manana)|manana (hablamos|le escribo|te escribo)|"
     r"give me a (sec|second|minute|min)|one sec|un momento|estoy ocupad\w|manejando|en el trabajo|mas tarde te)\b"),
    ("greeting", r"^\W*(hi+|hey+|hello+|hiya|howdy|yo|good (morning|afternoon|evening)|hola|buenas|buenos dias|buen dia|"
     r"que tal|sup|what'?s up|whats up|hey there|saludos)\b|\b(yes|yeah|yep|si),? (this is|it'?s|soy) \w+|"
     r"^\W*(this is|it'?s|soy|my name is|me llamo) \w+\W*$|\bhow are you\b|\bcomo esta\w*\b"),
    ("thanks", r"\b(thanks|thank you|thx|appreciate (it|you)|gracias|muchas gracias)\b"),
    ("laugh", r"^\W*(lol|lmao|haha\w*|jaja\w*|hehe\w*)\W*$"),
    ("ok", r"^\W*(ok+|okay|k+|cool|sounds good|got it|alright|perfect|great|nice|awesome|bueno|vale|dale|perfecto|"
     r"de acuerdo|entendido|esta bien)\W*$"),
]  # fmt: skip


# A question of the borrower's own: a clause that starts with a question word and ends in "?"
# ("im not a citizen, can i still buy?"). "hello?", "refi?" or a lone "?" ask nothing to answer.
_ASKS = re.compile(
    r"(^|[.!?,;:]\s*|\b(and|but|so|or|also|pero|y|o)\s+|^\W*\w+\W+)(can|could|do|does|did|is|are|will|would|should|"
    r"what|what's|whats|how|when|why|where|which|who|am|any|puedo|puede|podemos|pueden|necesito|necesita|hay|que|"
    r"como|cuanto|cuando|donde|es|son|tienen|tengo|debo)\b[^.!?]*\?"
)


@dataclass
class Signals:
    disqualify: str = ""
    third_party: str = ""
    other_lender: bool = False
    handoff: str = ""
    not_ready: str = ""  # "declined" (not interested) or "later" (not now)
    faq: list = field(default_factory=list)
    chitchat: list = field(default_factory=list)
    question: bool = False  # a question we did not recognise


def _first(table, text: str) -> str:
    for name, pattern in table:
        if re.search(pattern, text):
            return name
    return ""


def detect(text: str) -> Signals:
    """Read a normalized borrower text for everything but field values."""
    faq = [name for name, pattern in FAQ if re.search(pattern, text)]
    if "apr_meaning" in faq and "rates" in faq:
        faq.remove("rates")  # "what does APR mean?" asks for a definition, not for figures
    handoff = _first(HANDOFF, text)
    if handoff == "person_requested" and "are_you_bot" in faq:
        handoff = ""  # "are you a real person?" asks about us
    return Signals(
        disqualify=_first(DISQUALIFY, text),
        third_party=_third_party(text),
        other_lender=_went_with_another_lender(text),
        handoff=handoff,
        not_ready="declined" if NOT_INTERESTED.search(text) else "later" if NOT_NOW.search(text) else "",
        faq=faq,
        chitchat=[name for name, pattern in CHITCHAT if re.search(pattern, text)],
        question=bool(_ASKS.search(text)) and not faq,
    )
