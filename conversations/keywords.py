"""Opt-out, opt-in and help keywords, and plain-language revocations (FCC, April 2025)."""

import re
import unicodedata
from enum import Enum
from functools import cache
from pathlib import Path

from rapidfuzz.distance import OSA

from conversations.reactions import is_reaction

OPT_OUT_KEYWORDS = {
    "STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "UNSUB", "CANCEL", "END", "QUIT", "REVOKE",
    "OPTOUT", "OPT OUT", "REMOVE",
    # What Spanish-speaking borrowers text; carriers treat these as STOP too.
    "PARAR", "ALTO", "DETENER", "CANCELAR", "BAJA",
}  # fmt: skip
OPT_IN_KEYWORDS = {"START", "UNSTOP", "YES", "SUBSCRIBE", "OPT IN", "OPTIN"}
# Opt-in keywords that are also answers to the assistant's questions ("Are you pre-approved?").
ANSWER_KEYWORDS = {"YES"}
HELP_KEYWORDS = {"HELP", "INFO", "AYUDA"}
# Words that leave a keyword a keyword: "stop please", "please stop", "STOP STOP", "stop it".
_POLITE_WORDS = {"PLEASE", "PLS", "PLZ", "NOW", "IT", "THANKS", "THANK", "YOU", "THX", "TY", "OK", "OKAY"}
_POLITE_WORDS |= {"JUST", "POR", "FAVOR", "YA"}

# "Any reasonable means" of revoking consent: phrases that say "stop texting me". Each one is
# anchored on an object ("me", "this number", "your list") or a texting word, so questions
# about loans ("when does PMI stop?", "can I opt out of escrow?") stay questions.
_CHANNEL = (
    r"(?:text(?:s|ing)?|txt\w*|messag(?:e|es|ing)|msg\w*|sms|contact(?:ing)?|call(?:s|ing)?|bother(?:ing)?|"
    r"spam(?:ming)?)"
)
# No comma between channels: "don't call, text me instead" asks for texts.
_CHANNELS = rf"{_CHANNEL}(?:\s*(?:/|&|\bor\b|\band\b|\bnor\b)\s*{_CHANNEL})*"
_ME = r"(?:me|us|this\s+(?:number|phone)|my\s+(?:number|phone))"
_NEGATION = r"(?:don'?t|dont|do\s+not|never)"
_ABOUT_TEXTS = r"(?:(?:this|these|the|your|all)\s+)?(?:texts?|texting|messages?|sms|list|everything|all)\b"
# "Remove me from the loan" is about the application, not about our texts.
_LOAN_PAPERS = (
    r"\s+(?:the\s+|my\s+|our\s+|this\s+)?(?:loan|application|app\b|mortgage|title|deed|file|co-?\w*)"
)
# What someone never asked for: these texts, not "this much paperwork".
_UNASKED = (
    r"(?:this|that|these|those|it|anything|any\s+of\s+(?:this|these|it)|(?:any|your|these|this)\s+(?:texts?|messages?|sms|calls?))"
    r"\b(?!\s+(?:much|many|kind|type|loan|rate|before|time|year|month|week))"
)
REVOCATION_PATTERNS = [
    r"\b(?:stop|quit|cease)\s+(?:the\s+|these\s+|your\s+|all\s+(?:the\s+)?)?(?:text(?:s|ing)?|messag(?:es|ing)|sms|spam(?:ming)?|bother(?:ing)?)\b",
    rf"\b(?:stop|quit|cease)\s+{_CHANNELS}\s+{_ME}\b",
    r"\b(?:stop|quit|cease)\s+send(?:ing)?\s+(?:me|us|these|this|those|your|any|texts?|messages?)\b",
    r"\bno\s+more\s+(?:texts?|messages?|calls?|sms|contact)\b",
    r"\b(?:stop|quit)\s+(?:hitting|blowing)\s+(?:up\s+)?(?:my|me)\b",
    rf"\b{_NEGATION}\s+(?:ever\s+)?{_CHANNELS}\s+{_ME}\b",
    rf"\b{_NEGATION}\s+(?:ever\s+)?send\s+(?:me|us)\b",
    r"\b(?:don'?t|dont|do\s+not)\s+want\s+(?:to\s+(?:get|receive)\s+)?(?:any\s*more\s+|any\s+|these\s+|your\s+|more\s+)?(?:texts?|messages?|calls?|sms)\b",
    rf"\b(?:remove|take|delete|erase)\s+(?:me|my\s+(?:number|phone|info(?:rmation)?))\s+(?:off|from)\b(?!{_LOAN_PAPERS})",
    rf"\b(?:remove|delete|erase|lose)\s+(?:my|this)\s+(?:number|phone(?:\s+number)?|info(?:rmation)?|contact\s+info)\b(?!(?:\s+(?:from|off|on))?{_LOAN_PAPERS})",
    # "who gave you my number?? lose it": the number, then what to do with it.
    r"\b(?:my|this)\s+(?:number|#|phone\s+number|info(?:rmation)?)\b.{0,40}?\b(?:lose|delete|erase)\s+it\b",
    r"\bcease\b(?:\s+and\s+desist|\s+(?:all\s+)?(?:communications?|contact|texting|texts))",
    r"\b(?:cancel|end)\s+(?:the\s+|these\s+|all\s+|your\s+|my\s+)?(?:texts?|messages?|sms|text\s+subscription)\b",
    r"\brevok\w*\s+(?:my\s+|all\s+|your\s+)?(?:consent|permission)\b",
    rf"\b(?:unsubscribe|opt\s*-?\s*out|opt\s+me\s+out)\b(?!\s+(?:of|from)\s+(?!{_ABOUT_TEXTS}))",
    r"\bleave\s+me\s+alone\b",
    r"\bi\s+(?:already\s+|just\s+)?(?:said|told\s+you|asked\s+you)\s+(?:to\s+)?stop\b(?!\s+by\b)",
    r"\b(?:do\s+not|don'?t|dont)\s+(?:ever\s+)?contact(?:\s+(?:again|anymore|any\s*more|ever))?\s*(?:[.!,;]|$)",
    r"\b(?:can|could|would|will)\s+(?:you|u|y'?all)\s+(?:please\s+|pls\s+|just\s+)?stop\W*$",
    # Someone who never wanted to hear from us: a wrong number, or a form they never filled in.
    r"\b(?:wrong\s+(?:number|#|person)|you\s+have\s+the\s+wrong\s*(?:[.!]|$)|not\s+the\s+right\s+(?:number|person))",
    r"\b(?:never|didn'?t|did\s+not)\s+(?:request(?:ed)?|opt(?:ed)?\s*-?\s*in|sign(?:ed)?\s+up|subscrib\w*)(?:\s+(?:for\s+)?(?:this|these|that|it))?\s*[.!]*\s*$",
    rf"\b(?:never|didn'?t|did\s+not)\s+(?:ask(?:ed)?|sign(?:ed)?\s+up|opt(?:ed)?\s*-?\s*in|request(?:ed)?|subscrib(?:e|ed)|agree(?:d)?|consent(?:ed)?)\s+(?:for|to)\s+{_UNASKED}",
    # Spanish: the negative imperative ("no me escriba(s)"), not the past ("no me llamaron").
    r"\bno\s+(?:me|nos)\s+(?:vuelva[sn]?\s+a\s+)?(?:escrib(?:a|as|an|ir)|mand(?:e|es|en|ar)|envi(?:e|es|en|ar)|env[ií](?:e|es|en)|contact(?:e|es|en|ar)|llam(?:e|es|en|ar)|molest(?:e|es|en|ar))\b",
    # "no molesten", "no molestes más": don't bother (me), said to whoever keeps texting.
    r"^\W*(?:ya\s+|por\s+favor\s+)?no\s+molest(?:e|es|en)\b(?:\s+m[aá]s)?(?:\s+por\s+favor)?\W*$",
    r"\b(?:deja|dejen|deje|dejar)\s+de\s+(?:escribir|mandar|enviar|contactar|llamar|molestar)\w*",
    r"\bno\s+quiero\s+(?:recibir\s+)?(?:m[aá]s\s+)?(?:mensajes|textos|llamadas)\b",
    r"\b(?:b[oó]rr|qu[ií]t|elimin|s[aá]qu)\w*\s+(?:mi\s+n[uú]mero|de\s+(?:la|su|tu|sus|esta)\s+lista)",
    r"\b(?:d[aeé]\w*|dar\w*)\s+de\s+baja\b",
    r"\bn[uú]mero\s+equivocado\b|\bequivoc\w*\s+de\s+n[uú]mero\b",
    r"\b(?:nunca|no)\s+me\s+(?:suscrib|inscrib)\w*(?:\s+a\s+nada)?\s*[.!]*\s*$",
    r"\bbasta\s+de\s+(?:mensajes|textos|llamadas)\b",
    r"\bno\s+m[aá]s\s+(?:mensajes|textos|llamadas)\b",
    r"\b(?:nunca|no)\s+(?:ped[ií]|solicit[eé]|me\s+suscrib[ií]|me\s+inscrib[ií])\s+(?:esto|eso|nada|(?:estos\s+|sus\s+)?mensajes)\b",
]  # fmt: skip
# Whole sentences (polite words aside) that can only mean "stop texting me".
REVOCATION_SENTENCES = {
    "GO AWAY", "REMOVE ME", "DNC", "DO NOT CONTACT", "DONT CONTACT", "DON T CONTACT", "BASTA", "BASTA YA", "YA BASTA",
}  # fmt: skip
# "ok stop", "wrong number stop": STOP closing a short text, unless it is a question or the
# word before makes it something else ("don't stop", "payments will stop", "bus stop").
_SHORT_TEXT_WORDS = 6
_NOT_A_STOP_AFTER = {
    "T", "NOT", "NEVER", "DONT", "WONT", "CANT", "WILL", "WOULD", "SHOULD", "CAN", "COULD", "MIGHT", "MAY",
    "DOES", "DID", "DO", "BUS", "FULL", "PIT", "TRUCK", "NEXT", "LAST", "FIRST", "ONE", "A", "THE",
}  # fmt: skip
_QUESTION_WORDS = {
    "WHEN",
    "WHERE",
    "WHY",
    "HOW",
    "WHAT",
    "WHATS",
    "WHICH",
    "WHO",
    "DOES",
    "DO",
    "DID",
    "IS",
    "IF",
}
# Typographic apostrophes, as phones type them (U+2019 in "don\u2019t"), read as "'".
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})
_REVOCATION = re.compile("|".join(REVOCATION_PATTERNS), re.IGNORECASE)
# "Don't call me, text me instead" asks for texts: a revocation about calls alone, next to
# one of these, is not a revocation of texts.
_PREFERS_TEXTS = re.compile(
    r"\b(?:text|message|sms)\s+(?:me|instead|only)\b"
    r"|\b(?:just|only|prefer|rather)\s+(?:to\s+)?(?:text|sms|message)"
    r"|\btext(?:ing|s)?\s+(?:is|are)\s+(?:fine|ok|okay|better|good|best|preferred)\b"
    r"|\bescr[ií]b[ae]n?me\b|\bm[aá]nd[ae]n?me\s+(?:un\s+)?(?:mensaje|texto)",
    re.IGNORECASE,
)
# "I gave you the wrong number for work" is about another number, not this one.
_GAVE_WRONG = re.compile(
    r"\b(?:gave|put|entered|typed|wrote|listed|used|sent)\s+(?:you\s+|in\s+|down\s+)?(?:the\s+|a\s+)?wrong\b",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.!?;,\n]+")
# Misspelt keywords, texted alone ("stpo", "unsubcribe"): how far from the keyword they may be,
# and the real words just as close that mean something else.
FUZZY_KEYWORDS = {"STOP": 1, "UNSUBSCRIBE": 2, "CANCEL": 1}
_NOT_MISSPELT = {"STEP", "SHOP", "SLOP", "TOP", "ATOP", "STOW", "SWOP", "SOP", "STO", "CANCER", "CANCEL"}
# Short refusals that may or may not mean "stop texting me": the borrower is asked once.
_MAYBE_MAX_WORDS = 8
_MAYBE_REFUSAL = re.compile(
    r"^(?:(?:no|nope|nah)[,.!]?\s+)?(?:i'?m\s+|we'?re\s+|i\s+am\s+|we\s+are\s+)?not\s+interested"
    r"(?:\s+(?:anymore|any\s*more|at\s+all))?[,.!]*(?:\s+(?:thanks|thank\s+you|thx))?\s*[.!]*$"
    r"|^(?:no|nah|naw)[,.!]?\s+(?:thanks|thank\s+(?:you|u)|thx|ty)\b"
    # "I'm good", "nah im good thx", "naw we're all set tho", "I'll pass": a polite no to everything.
    r"|^(?:(?:no|nope|nah|naw)[,.!]?\s+)?(?:i'?m|we'?re|i\s+am|we\s+are)\s+(?:all\s+)?(?:good|set|fine)"
    r"(?:[,.!]?\s+(?:thanks|thank\s+(?:you|u)|thx|ty|tho|though))?\s*[.!]*$"
    r"|^(?:(?:no|nah|naw)[,.!]?\s+)?(?:i'?ll|we'?ll)\s+pass\b(?:[,.!]?\s+(?:thanks|thank\s+(?:you|u)|thx|ty))?\s*[.!]*$"
    r"|^(?:no[,.!]?\s+)?(?:estoy|estamos)\s+bien[,.!]?(?:\s+gracias)?\s*[.!]*$"
    r"|\btoo\s+many\s+(?:texts|messages|calls)\b|\byou\s+(?:text|message|call)\s+(?:me\s+)?(?:too\s+much|a\s+lot)\b"
    r"|^enough(?:\s+already)?\s*[.!]*$|^(?:please\s+)?stop\s+calling(?:\s+me)?\s*[.!]*$"
    r"|\b(?:this|that|it)\s+is\s+(?:so\s+)?annoying\b|^annoying\s*[.!]*$"
    r"|\bwhy\s+(?:do|does|are)\s+(?:you|u|y'?all)\s+(?:keep\s+)?(?:texting|messaging|calling)\b"
    r"|^no\s+me\s+interesa|^no[,.!]?\s+gracias\b|^ya\s+no\s*[.!]*$|\bdemasiados\s+(?:mensajes|textos)\b",
    re.IGNORECASE,
)


class Keyword(Enum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    # A refusal that may or may not mean "stop texting me": asked about once, before the assistant.
    MAYBE_OPT_OUT = "maybe_opt_out"


CORPORA = Path(__file__).parent / "corpora"


@cache
def load_corpus(name: str) -> list[str]:
    """A corpus in conversations/corpora/: one message a line, # comments."""
    lines = (CORPORA / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def canonical(text: str) -> str:
    """NFKC (full-width letters are plain letters) with plain apostrophes."""
    return unicodedata.normalize("NFKC", text or "").translate(_APOSTROPHES)


def normalize(text: str) -> str:
    """Upper case, punctuation dropped, runs of spaces folded: ' stop! ' -> 'STOP'."""
    return " ".join(re.sub(r"[\W_]+", " ", canonical(text)).upper().split())


def classify(text: str) -> Keyword | None:
    """What a whole message asks of us, if it is a keyword or a revocation."""
    if is_reaction(text):
        return None  # a tapback quotes our words ("...STOP to opt out"), not the borrower's
    text = canonical(text)
    word = normalize(text)
    if word in OPT_OUT_KEYWORDS:
        return Keyword.OPT_OUT
    if word in OPT_IN_KEYWORDS:
        return Keyword.OPT_IN
    if word in HELP_KEYWORDS:
        return Keyword.HELP
    if is_revocation(text or "") or is_misspelt_keyword(word):
        return Keyword.OPT_OUT
    if len(word.split()) <= _MAYBE_MAX_WORDS and _MAYBE_REFUSAL.search(text.strip()):
        return Keyword.MAYBE_OPT_OUT
    return None


def is_misspelt_keyword(word: str) -> bool:
    """A lone word a typo away from STOP, UNSUBSCRIBE or CANCEL ("stpo", "unsubcribe")."""
    words = [w for w in word.split() if w not in _POLITE_WORDS]
    if len(words) != 1 or words[0] in _NOT_MISSPELT:
        return False
    return any(OSA.distance(words[0], keyword) <= limit for keyword, limit in FUZZY_KEYWORDS.items())


def is_answer(text: str) -> bool:
    """An opt-in keyword that, from a borrower who never opted out, answers a question."""
    return normalize(text) in ANSWER_KEYWORDS


def is_revocation(text: str) -> bool:
    """A sentence that is an opt-out keyword ("Not interested. Stop."), or a phrase that
    says "stop texting me" in so many words."""
    text = canonical(text)
    if any(_is_opt_out_sentence(sentence) for sentence in _SENTENCE_BREAK.split(text)):
        return True
    if _ends_with_stop(text):
        return True
    phrases = [match.group(0).lower() for match in _REVOCATION.finditer(text)]
    if _GAVE_WRONG.search(text):
        phrases = [p for p in phrases if "wrong" not in p]
    if not phrases:
        return False
    return not (all(_about_calls_only(p) for p in phrases) and _PREFERS_TEXTS.search(text))


def _is_opt_out_sentence(sentence: str) -> bool:
    words = [w for w in normalize(sentence).split() if w not in _POLITE_WORDS]
    if not words:
        return False
    phrase = " ".join(words)
    return (
        phrase in OPT_OUT_KEYWORDS
        or phrase in REVOCATION_SENTENCES
        or all(w in OPT_OUT_KEYWORDS for w in words)
    )


def _ends_with_stop(text: str) -> bool:
    words = normalize(text).split()
    if not 1 < len(words) <= _SHORT_TEXT_WORDS or words[-1] != "STOP" or "?" in text:
        return False
    return words[-2] not in _NOT_A_STOP_AFTER and words[0] not in _QUESTION_WORDS


def _about_calls_only(phrase: str) -> bool:
    about_texts = ("text", "messag", "sms", "contact", "escrib", "mand", "envi", "mensaj", "list")
    return ("call" in phrase or "llam" in phrase) and not any(word in phrase for word in about_texts)
