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
    ("not_a_borrower", r"\b(((i'm|i am|soy) (a |an |the )?(realtor|agent|loan officer|lender|broker|agente)\b.{0,30}"
     r"(test\w*|prob\w*|check\w*))|(just )?testing (the |your |this )?(form|system|website|site|app|number|thing|lead)|"
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
     r"(eres|es) (un |una )?(robot|bot|humano|persona real|maquina|automatico)|hablo con (un |una )?(robot|persona|maquina))"),
    ("how_got_number", r"\b(how (did|do|does|d) (you|ya|y'all|you all|your company) (get|have|got|find|obtain) (my|this|our) "
     r"(number|#|info|information|phone|cell|contact)|where did (you|ya) (get|find) (my|this)|"
     r"(como|de donde) (consiguio|consiguieron|obtuvo|obtuvieron|tienen|tiene|saco|sacaron) (mi |este |su )?(numero|telefono|informacion))"),
    ("who_is_this", r"\b(who (is|are) (this|you|you all|dis)|who'?s (this|texting)|who dis|who are you guys|"
     r"what company|which company|(is this|this is) (a )?(scam|spam|legit|real)|scam\b|"
     r"quien (es|eres|habla|son)|con quien hablo|que (compania|empresa))"),
    ("rates", r"\b((what|what's|whats|how much|how high|how low)( is| are| r)? (the |your |current |today's |todays |ur )?"
     r"(\w+ ){0,2}(rates?|apr|interest|points)|(tell|give|send|quote|show|get) (me|us) (the |your |a |an |current |today's )?"
     r"(\w+[ -]?){0,3}(rates?|apr|quote|interest rate)|rates\?|rate\?|what rate|current rates?|today'?s rates?|"
     r"(what|how much) (would|will|is) (my|the|our) (monthly )?payments?|monthly payment|closing costs|"
     r"(cual|cuales|que|cuanto) (es|son|seria|serian|esta|estan)? ?(la |las |su |sus |el )?(tasa|tasas|interes|intereses|pago mensual)|"
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
     r"waste of (my )?time|stop bugging|stop asking|enough questions|too many questions|leave me alone|mierda|carajo|chingad\w*|molest\w*|estafa\w*)\b"),
    ("confused", r"(\b(confused|confusing|i don't understand|don't get it|what do you mean|what are you talking about|"
     r"makes no sense|no entiendo|no comprendo|que quiere decir)\b|^\s*(what|huh|que|como|eh)\s*\?+\s*$|^\s*\?{2,}\s*$)"),
]  # fmt: skip

# "Not interested" ends the conversation; "not now" does unless the same text says when.
NOT_INTERESTED = re.compile(
    r"\b(not interested|no longer interested|not looking (anymore|any more)|changed (my|our) minds?|"
    r"(went|going|decided to go|go) with (another|a different) (lender|bank|company|broker)|already (closed|refinanced) "
    r"(with|on)|already got (a |my |our )?(loan|lender|mortgage)|ya no (me |nos )?interesa|no (me |nos )?interesa)\b"
)
NOT_NOW = re.compile(
    r"\b(not ready|maybe later|not (right )?now|not looking (right )?now|hold off|put (it|this|things) on hold|"
    r"no (estoy|estamos) list\w*|no por ahora|ahora no|todavia no estamos listos)\b"
)


@dataclass
class Signals:
    disqualify: str = ""
    handoff: str = ""
    not_ready: str = ""  # "declined" (not interested) or "later" (not now)
    faq: list = field(default_factory=list)
    question: bool = False  # a question we did not recognise


def _first(table, text: str) -> str:
    for name, pattern in table:
        if re.search(pattern, text):
            return name
    return ""


def detect(text: str) -> Signals:
    """Read a normalized borrower text for everything but field values."""
    faq = [name for name, pattern in FAQ if re.search(pattern, text)]
    handoff = _first(HANDOFF, text)
    if handoff == "person_requested" and "are_you_bot" in faq:
        handoff = ""  # "are you a real person?" asks about us
    return Signals(
        disqualify=_first(DISQUALIFY, text),
        handoff=handoff,
        not_ready="declined" if NOT_INTERESTED.search(text) else "later" if NOT_NOW.search(text) else "",
        faq=faq,
        question="?" in text and not faq,
    )
