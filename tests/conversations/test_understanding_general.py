"""Rules added from the third blind split's misses, each checked on phrasings that split does
not contain: the rule, not the sentence, is what is tested."""

import pytest

from conversations.keywords import Keyword, classify
from conversations.qualification.base import Intent
from tests.conversations.test_qualification_agent import Chat


@pytest.mark.parametrize(
    "text",
    [
        "hi, this is Dana, Mike's buyer's agent, he wanted me to ask about financing",
        "Hello this is Carla, the closer at Summit Lending, checking on a file",
        "this is Rob, loan processor with Cardinal, need an update",
        "hola soy Lupe, la agente de bienes raíces de Juan",
    ],
)
def test_someone_working_on_another_persons_loan_says_their_name_before_their_role(text):
    turn = Chat().say(text)
    assert turn.intent == Intent.DISQUALIFIED and turn.reason.startswith("third_party_")


@pytest.mark.parametrize(
    "text",
    [
        "this is Maria, my realtor told me to text you. we want to buy",
        "I'm a loan officer myself but this time it's for my family, buying a house",
        "soy agente de bienes raíces pero es para mi casa, quiero comprar",
    ],
)
def test_a_borrower_with_a_realtor_or_who_is_one_buying_for_themselves_is_a_borrower(text):
    chat = Chat()
    turn = chat.say(text)
    assert turn.intent == Intent.CONTINUE
    assert chat.known["loan_purpose"] == "purchase"


@pytest.mark.parametrize(
    "text", ["nah we're good thanks", "naw i'm all set", "We'll pass, thank you", "estoy bien gracias"]
)
def test_a_polite_no_to_everything_is_asked_about_before_anything_else(text):
    assert classify(text) == Keyword.MAYBE_OPT_OUT


@pytest.mark.parametrize(
    "text", ["we're good on credit, about 700", "i'm set on fha", "i'm fine with either"]
)
def test_good_and_set_about_something_are_answers_not_refusals(text):
    assert classify(text) is None


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("meh, missed a couple payments last year", "poor"),
        ("not great, a charge off from 2022", "poor"),
        ("could be better", "fair"),
    ],
)
def test_what_went_wrong_on_a_credit_report_says_more_than_a_mild_word(answer, expected):
    chat = Chat(loan_purpose="refinance", timeline="0_30_days", property_state="TX", loan_type="fha")
    chat.routed = True
    chat.state.update(asked="credit", ended="qualified", offered=True)
    chat.say(answer)
    assert chat.known["credit"] == expected


def test_buying_our_own_place_says_nothing_about_owning_one_before():
    chat = Chat()
    chat.say("we're buying our own place finally")
    assert chat.known["loan_purpose"] == "purchase" and chat.known["first_time_buyer"] is None
    chat = Chat()
    chat.say("buying, we already own our place in town")
    assert chat.known["first_time_buyer"] is False


def test_a_yes_reasoned_to_at_the_end_answers_the_question():
    chat = Chat(loan_purpose="purchase", timeline="0_30_days", property_state="TX", preapproved=True)
    chat.routed = True
    chat.state.update(asked="has_agent", ended="qualified", offered=True)
    chat.say("well my wife is the agent haha so yes")
    assert chat.known["has_agent"] is True


@pytest.mark.parametrize("text", ["nxt month", "la semana que viene", "el mes que viene"])
def test_next_week_or_month_in_any_spelling_is_within_30_days(text):
    chat = Chat(loan_purpose="purchase")
    chat.say(text)
    assert chat.known["timeline"] == "0_30_days"


@pytest.mark.parametrize(
    "text", ["what are rates today?", "how much is the interest rn", "¿cómo está la tasa hoy?"]
)
def test_a_rates_question_about_now_is_not_a_timeline(text):
    chat = Chat()
    turn = chat.say(text)
    assert chat.known["timeline"] is None
    assert turn.reply.endswith("?") and "got it" not in turn.reply.lower()


def test_lowering_the_rate_asap_is_still_asap():
    chat = Chat()
    chat.say("want to lower my rate asap")
    assert chat.known["loan_purpose"] == "refinance" and chat.known["timeline"] == "0_30_days"


def test_the_officer_offer_is_the_last_thing_said():
    chat = Chat()
    turn = chat.say("refi in 2 months, whats your rate?")
    assert turn.reply.endswith("reach out?")


# --- from the fourth blind split's misses ---------------------------------------------------


@pytest.mark.parametrize("text", ["we're under agreement on a condo", "in contract since monday"])
def test_a_home_in_contract_is_a_home_found(text):
    chat = Chat(loan_purpose="purchase", timeline="0_30_days", property_state="TX", preapproved=True)
    chat.routed = True
    chat.state.update(asked="property_found", ended="qualified", offered=True)
    chat.say(text)
    assert chat.known["property_found"] is True


@pytest.mark.parametrize(
    "text, expected",
    [
        ("fha... wait no, conventional", "conventional"),
        ("va, sorry i mean usda", "usda"),
        ("FHA or VA, whatever is best", "unsure"),
        ("conventional. my parents did fha", "conventional"),
    ],
)
def test_the_loan_type_is_the_one_the_borrower_ends_on_and_theirs(text, expected):
    chat = Chat(loan_purpose="refinance", timeline="0_30_days", property_state="TX")
    chat.routed = True
    chat.state.update(asked="loan_type", ended="qualified", offered=True)
    chat.say(text)
    assert chat.known["loan_type"] == expected


def test_someone_elses_loan_is_not_the_borrowers_loan_type():
    chat = Chat()
    chat.say("we want to buy, our friends got a va loan last year")
    assert chat.known["loan_purpose"] == "purchase" and chat.known["loan_type"] is None


@pytest.mark.parametrize("text, expected", [("yeah, well no, not really", False), ("no hmm yes we do", True)])
def test_a_yes_or_no_taken_back_ends_on_the_last(text, expected):
    chat = Chat(loan_purpose="purchase", timeline="0_30_days", property_state="TX", preapproved=True)
    chat.routed = True
    chat.state.update(asked="has_agent", ended="qualified", offered=True)
    chat.say(text)
    assert chat.known["has_agent"] is expected


@pytest.mark.parametrize("text", ["✅ yes", "yes!! 🙌🏽", "😬 no"])
def test_an_emoji_beside_a_yes_or_no_does_not_hide_it(text):
    chat = Chat(loan_purpose="purchase", timeline="0_30_days", property_state="TX")
    chat.state.update(asked="preapproved")
    chat.say(text)
    assert chat.known["preapproved"] is (not text.endswith("no"))


@pytest.mark.parametrize(
    "text", ["¿estoy hablando con un robot?", "eres humano?", "¿será usted una máquina?"]
)
def test_a_spanish_are_you_a_bot_is_answered_honestly_not_handed_off(text):
    turn = Chat(language="es").say(text)
    assert turn.intent == Intent.CONTINUE and "asistente automático" in turn.reply


@pytest.mark.parametrize(
    "text, reason",
    [
        ("hi, we're the sellers on Elm St, is the buyer's loan on track?", "third_party_vendor"),
        ("closing with our own bank next month, thanks anyway", "other_lender"),
    ],
)
def test_sellers_and_borrowers_closing_elsewhere_end_politely(text, reason):
    turn = Chat().say(text)
    assert turn.intent == Intent.DISQUALIFIED and turn.reason == reason


def test_wasting_my_time_is_upset_and_goes_to_a_person():
    turn = Chat().say("you're wasting my time with these questions")
    assert turn.intent == Intent.HANDOFF


@pytest.mark.parametrize("text", ["unsub", "no molesten", "no nos escriban"])
def test_short_and_spanish_ways_of_saying_stop_opt_out(text):
    assert classify(text) == Keyword.OPT_OUT


@pytest.mark.parametrize("text", ["no tenemos agente", "no tengo agente todavía"])
def test_no_agent_in_spanish_is_no(text):
    chat = Chat(
        language="es", loan_purpose="purchase", timeline="0_30_days", property_state="TX", preapproved=True
    )
    chat.routed = True
    chat.state.update(asked="has_agent", ended="qualified", offered=True)
    chat.say(text)
    assert chat.known["has_agent"] is False


# --- from a probe of the things the assistant must never do -----------------------------------


@pytest.mark.parametrize(
    "text", ["how many points should i buy?", "should we pay for points to buy down the rate?"]
)
def test_points_are_rate_talk_not_a_home_purchase(text):
    chat = Chat()
    turn = chat.say(text)
    assert chat.known["loan_purpose"] is None
    assert turn.reply.startswith("I can't quote rates or payments by text")


def test_a_question_beside_a_fact_is_answered_without_a_promise_then_the_next_question():
    chat = Chat()
    turn = chat.say("we have green cards, not citizens yet. can we still buy a house?")
    assert chat.known["loan_purpose"] == "purchase"
    assert turn.reply.startswith("Good question! A licensed loan officer can go over that with you.")
    assert turn.reply.endswith("within 30 days, 1-3 months, or later?")
    assert "citizen" not in turn.reply.lower()


@pytest.mark.parametrize("text", ["hello?", "?", "refi?"])
def test_a_question_mark_alone_asks_nothing_to_answer(text):
    assert "Good question" not in Chat().say(text).reply


def test_text_me_tomorrow_is_left_alone_for_now():
    turn = Chat().say("driving, hit me up tomorrow")
    assert turn.reply == "No problem! Text me back whenever you're free."


@pytest.mark.parametrize("text", ["let me think it over", "lo vamos a pensar"])
def test_thinking_it_over_rests_the_borrower_in_nurture(text):
    turn = Chat(language="es" if "pensar" in text else "en").say(text)
    assert turn.intent == Intent.NOT_READY


# --- from a probe of single answers to each question -------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("st. pete", "FL"),
        ("the bay area", "CA"),
        ("columbus", "OH"),
        ("wichita", "KS"),
        ("nola", "LA"),
        ("kc", "MO"),
    ],
)
def test_a_city_or_its_nickname_answers_which_state(text, expected):
    chat = Chat(lead_state="", loan_purpose="refinance", timeline="0_30_days")
    chat.state.update(asked="property_state")
    chat.say(text)
    assert chat.known["property_state"] == expected


@pytest.mark.parametrize(
    "text, expected",
    [("by memorial day", "3_6_months"), ("after labor day", "6_plus_months"), ("by valentines", "0_30_days")],
)
def test_holidays_are_dates(text, expected):
    chat = Chat(loan_purpose="purchase")
    chat.state.update(asked="timeline")
    chat.say(text)
    assert chat.known["timeline"] == expected


@pytest.mark.parametrize(
    "text", ["we need to upgrade to a bigger place", "queremos una casa", "ready to downsize"]
)
def test_moving_to_another_home_is_a_purchase(text):
    chat = Chat(language="es" if "casa" in text else "en")
    chat.say(text)
    assert chat.known["loan_purpose"] == "purchase"


@pytest.mark.parametrize(
    "field, text, expected",
    [
        ("property_found", "we're looking at a few", False),
        ("property_found", "we've got one in mind", True),
        ("first_time_buyer", "second time for us", False),
    ],
)
def test_more_ways_to_answer_the_purchase_questions(field, text, expected):
    chat = Chat(loan_purpose="purchase", timeline="0_30_days", property_state="TX", preapproved=True)
    chat.routed = True
    chat.state.update(asked=field, ended="qualified", offered=True)
    chat.say(text)
    assert chat.known[field] is expected


@pytest.mark.parametrize(
    ("first", "fact", "value"),
    [
        (
            "we're pre-approved and want to close in about a month, the house is in Austin",
            "preapproved",
            True,
        ),
        ("ya tenemos agente de bienes raíces, queremos cerrar pronto", "has_agent", True),
        ("we have a realtor already, and we're preapproved too", "preapproved", True),
    ],
)
def test_a_buyers_fact_given_before_the_purpose_is_kept_and_not_asked_for_again(first, fact, value):
    chat = Chat()
    chat.say(first)
    assert chat.state["asked"] == "loan_purpose"  # buying or refinancing is still to be told
    chat.say("comprar" if chat.language == "es" else "buying")
    assert chat.known["loan_purpose"] == "purchase" and chat.known[fact] is value
    asked_since = [chat.state["asked"]] + [turn.state["asked"] for turn in chat.turns]
    assert fact not in asked_since


def test_a_buyers_fact_given_before_the_purpose_is_dropped_for_a_refinance():
    chat = Chat()
    chat.say("we're pre-approved, want to get it done in a month")
    chat.say("refinance")
    chat.say("Texas")
    assert chat.known["loan_purpose"] == "refinance" and chat.known["preapproved"] is None
    assert "pre-approved" not in " ".join(turn.reply for turn in chat.turns[1:])
