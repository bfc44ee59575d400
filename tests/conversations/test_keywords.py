"""Which borrower texts opt out, opt in or ask for help (README, "Opt-out and help")."""

import pytest

from conversations.keywords import Keyword, classify

OPT_OUT_KEYWORDS = ["STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE"]
OPT_OUT_KEYWORDS += ["OPTOUT", "OPT OUT"]


@pytest.mark.parametrize("keyword", OPT_OUT_KEYWORDS)
@pytest.mark.parametrize(
    "spelling", ["{}", "{lower}", "{title}", "  {}  ", "{}.", "{lower}!!", '"{}"', "{} 🛑"]
)
def test_every_opt_out_keyword_opts_out_in_any_case_and_punctuation(keyword, spelling):
    text = spelling.format(keyword, lower=keyword.lower(), title=keyword.title())

    assert classify(text) == Keyword.OPT_OUT


@pytest.mark.parametrize("text", ["Opt-out", "opt_out", "Stop  all", "stop\n"])
def test_it_reads_keywords_through_hyphens_and_odd_spacing(text):
    assert classify(text) == Keyword.OPT_OUT


@pytest.mark.parametrize(
    "text",
    [
        "please stop texting me",
        "Please stop texting me.",
        "Stop messaging me",
        "stop sending me these messages",
        "Please stop calling and texting me",
        "remove me from your list",
        "Take me off your list please",
        "Remove my number",
        "Lose my number",
        "don't text me again",
        "Do not text me anymore",
        "Don't call or text me",
        "Never contact me again",
        "No more texts please",
        "I don't want any more texts",
        "Unsubscribe me",
        "opt me out",
        "Leave me alone",
        "Please stop",
        "Stop please",
        "STOP STOP STOP",
        "Not interested. Stop.",
        "I found another lender, please stop",
        "Stop it",
        "Please remove me",
        "remove me!",
        "I said stop",
        "I SAID STOP!!",
        "I already said stop, you people",
        "do not contact",
        "Do not contact.",
        "DNC",
        "go away",
        "Go away please",
        "Just go away!",
        "wrong number stop",
        "ok stop",
        "Not interested stop",
        "Wrong number",
        "You have the wrong number.",
        "wrong person",
        "I never asked for this",
        "I never signed up for these texts",
        "I didn't sign up for this!",
        "Can you stop?",
        "Could you please stop",
    ],
)
def test_plain_english_revocations_opt_out(text):
    assert classify(text) == Keyword.OPT_OUT


@pytest.mark.parametrize(
    "text",
    [
        "Parar",
        "ALTO",
        "Baja",
        "no me escribas más",
        "No me manden mensajes",
        "No me vuelvan a escribir",
        "deja de escribirme",
        "Dejen de mandarme mensajes por favor",
        "ya no quiero mensajes",
        "No quiero recibir más mensajes",
        "bórrame de su lista",
        "Quítenme de la lista",
        "borren mi número",
        "Dame de baja",
        "Número equivocado",
        "Yo nunca pedí esto",
    ],
)
def test_spanish_revocations_opt_out(text):
    assert classify(text) == Keyword.OPT_OUT


@pytest.mark.parametrize(
    "text",
    [
        "can you stop by my house",
        "Can you stop by my house on Saturday?",
        "yes I'm pre-approved",
        "Yes, pre-approved with Chase",
        "When does PMI stop on an FHA loan?",
        "Should I stop paying my current mortgage when I refinance?",
        "Will my rate stop going up if I lock today?",
        "Is there a fee if I stop the loan process halfway?",
        "Please don't call me, text me instead",
        "Don't call me at work, just text",
        "How do I opt out of escrow?",
        "Can I cancel PMI later?",
        "I got no messages from the loan officer yet",
        "No one has texted me back about the appraisal",
        "I quit my job last month, can I still get a loan?",
        "What happens at the end of the rate lock?",
        "The seller wants to end the contract early",
        "Don't stop, I'm interested!",
        "Nadie me ha llamado todavía",
        "No me contactaron ayer",
        "Thanks!",
        "",
        "When does PMI go away?",
        "Will the mortgage insurance go away after 20% equity",
        "When does PMI stop",
        "Don't stop",
        "My payments will stop",
        "Please remove me from the loan application, my wife is buying alone",
        "Remove me as a co-borrower",
        "Don't contact my realtor yet",
        "I never applied for a mortgage before, is that ok?",
        "I didn't ask for this much paperwork on my last loan",
        "I gave you the wrong number for my work phone",
        "Whats the rate at the bus stop",
    ],
)
def test_it_does_not_mistake_a_question_about_loans_for_an_opt_out(text):
    assert classify(text) != Keyword.OPT_OUT


def full_width(text: str) -> str:
    """As some phone keyboards type it: 'STOP' in full-width letters."""
    return "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in text)


@pytest.mark.parametrize(
    "text",
    [
        full_width("STOP"),
        full_width("stop"),
        full_width("Stop texting me"),
        "Don\u2019t text me again",
        "I don\u2019t want any more texts",
    ],
)
def test_it_reads_full_width_letters_and_curly_apostrophes(text):
    assert classify(text) == Keyword.OPT_OUT


@pytest.mark.parametrize("text", ["START", "start", "Unstop", "YES", "yes.", " Start! "])
def test_start_unstop_and_yes_opt_back_in(text):
    assert classify(text) == Keyword.OPT_IN


@pytest.mark.parametrize("text", ["HELP", "help", "Help?", "INFO", "info.", "Ayuda"])
def test_help_and_info_ask_for_help(text):
    assert classify(text) == Keyword.HELP


@pytest.mark.parametrize("text", ["Help me find a loan for a condo", "More info on FHA please"])
def test_a_question_that_mentions_help_is_part_of_the_conversation(text):
    assert classify(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Liked \u201cHi Ana, it's Acme Home Loans. Reply HELP for help, STOP to opt out.\u201d",
        'Reacted \U0001f44d to "Reply STOP to opt out"',
        "Le gust\u00f3 \u201cResponda AYUDA para ayuda o STOP para salir.\u201d",
        "Liked an image",
    ],
)
def test_a_tapback_quoting_our_stop_line_is_not_a_keyword(text):
    assert classify(text) is None
