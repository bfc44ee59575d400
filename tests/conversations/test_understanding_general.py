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
