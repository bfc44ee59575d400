"""A no to "Want a loan officer to reach out?" declines the call, not the conversation: the
expected question decides how a short no is read (docs/conversation.md, items 8 and 13)."""

import pytest

from conversations.qualification import flow
from conversations.qualification.base import Intent
from conversations.qualification.understanding import declines_officer_offer
from tests.conversations.test_qualification_agent import Chat

OFFERED = {**flow.new_state(), "pending": {"field": "offer_officer"}}


@pytest.mark.parametrize(
    "text",
    [
        "no thx", "nope, we're fine", "nah I'm ok", "no need", "we'll pass", "text works fine",
        "I'd rather just text", "prefiero por mensaje", "no, todavía no", "nah, texting is better for me",
    ],
)  # fmt: skip
def test_a_polite_no_or_a_wish_to_keep_to_text_answers_the_offer(text):
    assert declines_officer_offer(text, OFFERED)


@pytest.mark.parametrize(
    "text",
    ["not interested", "no, no me interesa", "nah, wrong number", "no, this is annoying af, leave me alone",
     "nope, went with another lender"],
)  # fmt: skip
def test_a_refusal_of_everything_is_not_an_answer_to_the_offer(text):
    assert not declines_officer_offer(text, OFFERED)


def test_the_same_words_after_any_other_question_are_not_read_as_declining_an_offer():
    asked_preapproval = {**flow.new_state(asked="preapproved")}
    assert not declines_officer_offer("no thanks", asked_preapproval)
    assert not declines_officer_offer("no thanks", {})


def test_a_polite_no_means_nothing_to_a_question_that_is_not_an_offer():
    chat = Chat(loan_purpose="purchase", timeline="3_6_months", property_state="TX")
    chat.state["asked"] = "preapproved"
    chat.say("I'm good")
    assert chat.known["preapproved"] is None


def _offered(**known):
    chat = Chat(**known)
    turn = chat.say("what are rates at these days?")
    assert turn.reply.endswith("Want me to have one reach out?")
    return chat


def test_declining_goes_on_with_the_open_question_and_is_never_offered_again():
    chat = _offered(loan_purpose="purchase")
    turn = chat.say("just texting is fine")
    assert turn.intent == Intent.CONTINUE and turn.declined_offer
    assert turn.reply.startswith("No problem, we can keep it to text.")
    assert turn.asks == "timeline"
    again = chat.say("ok but roughly what rate would I get?")
    assert again.reply.startswith("I can't quote rates or payments by text")
    assert "reach out" not in again.reply and again.asks is not None  # an open question, no offer


def test_not_right_now_to_the_offer_is_about_the_call_not_the_loan():
    chat = _offered(loan_purpose="refinance")
    turn = chat.say("no, not right now")
    assert turn.intent == Intent.CONTINUE and turn.asks == "timeline"


def test_not_interested_to_the_offer_still_ends_not_ready():
    chat = _offered(loan_purpose="refinance")
    turn = chat.say("no, not interested")
    assert turn.intent == Intent.NOT_READY and not turn.declined_offer
    assert "keep it to text" not in turn.reply


BY_TEXT = "I'm passing your details to a licensed loan officer and letting them know you'd rather text."
WARM = dict(loan_purpose="refinance", timeline="3_6_months", property_state="TX", loan_type="fha")


def test_a_warm_decliner_who_answers_the_last_question_is_qualified_without_a_call_promised():
    chat = _offered(**WARM)
    assert chat.say("no thanks").asks == "credit"
    turn = chat.say("good, around 700")
    assert turn.intent == Intent.QUALIFIED  # routed like any qualified lead: no dead end
    assert turn.reply.endswith("That's all I need. " + BY_TEXT)
    assert "reach out" not in turn.reply


def test_a_hot_decliner_is_routed_through_the_same_step_with_the_same_promise():
    chat = _offered(loan_purpose="refinance", property_state="TX")
    chat.say("nah")
    turn = chat.say("asap, within 30 days")
    assert turn.intent == Intent.QUALIFIED and BY_TEXT in turn.reply and "reach out" not in turn.reply


def test_declining_with_nothing_left_to_ask_qualifies_at_once():
    chat = _offered(**WARM, credit="good")
    turn = chat.say("nah")
    assert (turn.intent, turn.asks) == (Intent.QUALIFIED, None)
    assert turn.reply == "No problem, we can keep it to text. Thanks Ana! That's all I need. " + BY_TEXT


def test_a_spanish_warm_decliner_hears_it_in_spanish():
    chat = Chat(language="es", **WARM)
    chat.say("¿cuáles son las tasas?")
    chat.say("no gracias")
    turn = chat.say("buen crédito")
    assert turn.intent == Intent.QUALIFIED
    assert turn.reply.endswith(
        "Le paso sus datos a un oficial de préstamos con licencia y le aviso que prefiere mensajes."
    )


def test_asking_for_a_person_after_declining_hands_off():
    chat = _offered(loan_purpose="purchase")
    chat.say("no thanks")
    assert chat.say("actually can someone call me?").intent == Intent.HANDOFF


def test_spanish_declines_are_answered_in_spanish():
    chat = Chat(language="es", loan_purpose="purchase")
    chat.say("¿cuáles son las tasas?")
    turn = chat.say("no gracias, por mensaje está bien")
    assert turn.reply.startswith("Claro, seguimos por mensaje.")
