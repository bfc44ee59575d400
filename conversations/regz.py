"""Regulation Z advertising trigger terms (12 CFR 1026.24(d)(1)), found in a text.

An advertisement for credit that states any of these must also state the down payment, the
terms of repayment and the APR (1026.24(d)(2)); a text message cannot carry all that, so our
automated texts must not state any of them. One place for the rule: the template checker
calls it for every automated text, and the assistant's guardrails may too (this module
imports nothing of ours). Rate figures are the guardrails' own rule (rate_quote).

Official commentary: "no down payment" or "pay weekly" state no term and do not trigger;
"80% financing" implies a 20% down payment and does."""

import re
import unicodedata

_MONEY = r"\$\s?\d[\d,]*(?:\.\d+)?\s*(?:k\b|thousand\b)?"
_PERCENT = r"\d+(?:\.\d+)?\s*(?:%|percent\b|por\s*ciento\b)"
_NUMBER_WORDS = r"(?:one|two|three|five|ten|fifteen|twenty|thirty|forty)"

TRIGGER_TERMS = {
    # (i) The amount or percentage of any down payment.
    "down_payment": [
        rf"\b(?:down\s*-?\s*payments?|downpayments?|down|deposit|enganche|pago\s+inicial)\b[^.?!]{{0,25}}(?:{_MONEY}|{_PERCENT})",
        rf"(?:{_MONEY}|{_PERCENT})[^.?!\d]{{0,20}}\b(?:down\b|downpayment|enganche|pago\s+inicial)",
        r"\b\d{2,3}\s*(?:%|percent)\s*(?:financing|financed|ltv|loan[-\s]to[-\s]value|financiamiento)",
    ],
    # (ii) The number of payments or period of repayment.
    "repayment_period": [
        rf"\b(?:\d{{1,3}}|{_NUMBER_WORDS})\s*-?\s*(?:years?|yrs?|yr|a[nñ]os?)\b(?!\s+(?:old|ago|of\s+experience))",
        r"\b\d{2,3}\s*(?:monthly\s+)?(?:payments|installments|months|mensualidades|pagos|meses)\b",
        r"\b\d{1,2}\s*/\s*\d{1,2}\s*arm\b",
    ],
    # (iii) The amount of any payment.
    "payment_amount": [
        rf"\b(?:payments?|pagos?|mensualidad(?:es)?|installments?)\b[^.?!]{{0,30}}{_MONEY}",
        rf"{_MONEY}\s*(?:/|\ba\b|\bper\b|\beach\b|\bal\b|\bpor\b)\s*(?:month|mo\b|mes)",
    ],
    # (iv) The amount of any finance charge (closing costs, points and fees are finance charges).
    "finance_charge": [
        rf"\b(?:finance\s+charges?|closing\s+costs?|fees?|points?|origination|costos?\s+de\s+cierre|cargos?)\b[^.?!]{{0,25}}(?:{_MONEY}|{_PERCENT})",
        rf"(?:{_MONEY}|{_PERCENT})\s*(?:in\s+)?(?:closing\s+costs?|fees?|points?|origination|finance\s+charges?)",
        r"\b(?:no|zero|\$0)\s+(?:closing\s+costs?|fees|points)\b",
    ],
}  # fmt: skip
_COMPILED = {
    name: [re.compile(p, re.IGNORECASE) for p in patterns] for name, patterns in TRIGGER_TERMS.items()
}
DESCRIPTIONS = {
    "down_payment": "a down payment amount or percentage",
    "repayment_period": "a number of payments or a repayment period (e.g. '30-year')",
    "payment_amount": "a payment amount",
    "finance_charge": "a finance charge (fees, points, closing costs)",
}


def _plain(text: str) -> str:
    # Full-width digits and odd spaces read as ASCII, so full-width "30-year" is still a term.
    return unicodedata.normalize("NFKC", text or "")


def trigger_terms(text: str) -> list[str]:
    """The Reg Z trigger-term categories the text states, in the order of 1026.24(d)(1)."""
    plain = _plain(text)
    return [name for name, patterns in _COMPILED.items() if any(p.search(plain) for p in patterns)]


def describe(terms: list[str]) -> str:
    return "; ".join(DESCRIPTIONS[term] for term in terms)
