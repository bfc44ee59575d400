"""The scripted understanding: many ways borrowers text each answer, in English and Spanish,
read as the policy records them (a bare "yes" answers what we asked)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conversations.qualification import flow
from conversations.qualification.base import AgentInput
from conversations.qualification.scripted import ScriptedAgent

# "next spring" and "by june" are read against this day.
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=ZoneInfo("America/Chicago"))


def recorded(text, *, asked=None, numbered=False, state_guess="", purpose="purchase") -> dict:
    """What one text records, after we asked `asked` (a purchase unless the purpose is asked)."""
    state = {**flow.new_state(asked=asked), "numbered": numbered}
    if state_guess:
        state["pending"] = {"field": "property_state", "value": state_guess}
    known = {"loan_purpose": purpose} if purpose else {}
    agent_input = AgentInput(message=text, known=known, state=state, lead_state=state_guess, now=NOW)
    return ScriptedAgent().take_turn(agent_input).updates


def field_of(text, field, *, asked=None, numbered=False, state_guess=""):
    purpose = None if field == "loan_purpose" else "purchase"
    return recorded(text, asked=asked, numbered=numbered, state_guess=state_guess, purpose=purpose).get(field)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("buying", "purchase"), ("looking to buy a house", "purchase"), ("purchse", "purchase"),
        ("first time home buyer here!", "purchase"), ("we're relocating for work", "purchase"),
        ("quiero comprar una casa", "purchase"), ("Hola! sí queremos comprar", "purchase"),
        ("refi", "refinance"), ("Refinance please", "refinance"), ("refinanse", "refinance"),
        ("want to lower my rate", "refinance"), ("drop my pmi", "refinance"), ("re-fi", "refinance"),
        ("quiero refinanciar mi casa", "refinance"), ("quiero hacer un refi", "refinance"),
        ("cash out refi", "cash_out_refinance"), ("refi and pull some cash out", "cash_out_refinance"),
        ("take equity out to pay off debt", "cash_out_refinance"),
        ("quiero sacar dinero de mi casa", "cash_out_refinance"), ("heloc", "heloc"),
        ("HELOC for a kitchen remodel", "heloc"), ("home equity line of credit", "heloc"),
        ("quiero una linea de credito", "heloc"), ("construction loan", "other"),
        ("reverse mortgage", "other"), ("not refinancing, buying", "purchase"),
        ("were looking to by a house", "purchase"), ("first time buyers, need to close in 3 weeks", "purchase"),
        ("refinance and pull like 50k out for a pool", "cash_out_refinance"),
        ("take $30,000 cash out", "cash_out_refinance"),
    ],
)  # fmt: skip
def test_it_reads_the_loan_purpose(text, expected):
    assert field_of(text, "loan_purpose", asked="loan_purpose") == expected


@pytest.mark.parametrize(
    "text, expected", [("1", "purchase"), ("2", "refinance"), ("#3", "cash_out_refinance")]
)
def test_it_reads_a_numbered_option_only_after_a_numbered_question(text, expected):
    assert field_of(text, "loan_purpose", asked="loan_purpose", numbered=True) == expected
    assert field_of(text, "loan_purpose", asked="loan_purpose") is None


@pytest.mark.parametrize(
    "text, expected, asked",
    [
        ("fha loan", "fha", None), ("FHA", "fha", None), ("f.h.a.", "fha", None),
        ("I'm a vet", None, None), ("VA", "va", None), ("va", "va", "loan_type"),
        ("its a va loan", "va", None), ("soy veterano", None, None), ("my husband is military", None, None),
        ("va streamline refi", "va", None), ("usda", "usda", None), ("jumbo", "jumbo", None),
        ("conventional", "conventional", None), ("conventinal", "conventional", None),
        ("convencional", "conventional", None), ("not sure", "unsure", "loan_type"),
        ("whatever is best", "unsure", "loan_type"), ("no se", "unsure", "loan_type"),
        ("fha or conventional?", "unsure", None), ("moving to VA", None, None),
        ("not a veteran", None, None), ("i work at the VA hospital lol, no idea what type", "unsure", "loan_type"),
        ("my VA appointment is today", None, None),
    ],
)  # fmt: skip
def test_it_reads_the_loan_type(text, expected, asked):
    assert field_of(text, "loan_type", asked=asked) == expected


def test_a_veteran_is_asked_whether_they_want_a_va_loan_not_assumed_to():
    state = flow.new_state(asked="loan_type")
    known = {"loan_purpose": "refinance", "timeline": "3_6_months", "property_state": "TX"}
    agent_input = AgentInput(message="I'm a vet, army", known=known, state=state, now=NOW)
    turn = ScriptedAgent().take_turn(agent_input)
    assert "loan_type" not in turn.updates
    assert "a VA loan" in turn.reply and turn.asks == "loan_type"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("asap", "0_30_days"), ("ASAP", "0_30_days"), ("right away", "0_30_days"),
        ("as soon as we can", "0_30_days"), ("within 30 days", "0_30_days"), ("next month", "0_30_days"),
        ("in 2 weeks", "0_30_days"), ("closing in 3 weeks", "0_30_days"), ("we're under contract", "0_30_days"),
        ("in 2-3 months", "1_3_months"), ("60 days", "1_3_months"), ("30-60 days", "1_3_months"),
        ("a month or two", "1_3_months"), ("next spring", "1_3_months"), ("soon", "1_3_months"),
        ("6-8 weeks", "1_3_months"), ("by end of march", "1_3_months"), ("3-4 mos", "3_6_months"),
        ("by june", "3_6_months"), ("this summer", "3_6_months"), ("half a year", "3_6_months"),
        ("idk maybe 5 or 6 months", "3_6_months"), ("6+ months", "6_plus_months"),
        ("6 months to a year", "6_plus_months"), ("in like a year", "6_plus_months"),
        ("probably next year sometime", "6_plus_months"), ("not for a while", "6_plus_months"),
        ("just browsing", "6_plus_months"), ("lo antes posible", "0_30_days"),
        ("en 2 o 3 meses", "1_3_months"), ("en unos meses", "1_3_months"), ("como en 4 meses", "3_6_months"),
        ("en un año", "6_plus_months"), ("solo estoy viendo", "6_plus_months"),
        ("pretty soon, next few weeks", "0_30_days"), ("buying in Q2", "3_6_months"),
    ],
)  # fmt: skip
def test_it_reads_the_timeline(text, expected):
    assert field_of(text, "timeline") == expected


@pytest.mark.parametrize(
    "text",
    ["30 yr fixed", "we lived here 10 years", "bought it 5 years ago", "i have a 2 year old", "$350,000"],
)
def test_it_does_not_take_other_durations_for_a_timeline(text):
    assert field_of(text, "timeline") is None


@pytest.mark.parametrize("text, asked", [("not sure", "timeline"), ("depends on when we sell", "timeline")])
def test_it_records_an_unsure_timeline_only_as_the_answer_to_our_question(text, asked):
    assert field_of(text, "timeline", asked=asked) == "unsure"
    assert field_of(text, "timeline") is None


@pytest.mark.parametrize(
    "text, expected, asked",
    [
        ("already pre approved", True, None), ("pre-approved", True, None), ("preaproved", True, None),
        ("we have a preapproval letter", True, None), ("got prequalified last week", True, None),
        ("ya estoy preaprobado", True, None), ("yes", True, "preapproved"), ("yep", True, "preapproved"),
        ("not yet", False, "preapproved"), ("nope", False, "preapproved"), ("no", False, "preapproved"),
        ("not preapproved yet", False, None), ("need to get preapproved", False, None),
        ("We are not pre-approved yet.", False, None), ("haven't been approved", False, None),
        ("no tengo preaprobación", False, None), ("todavia no", False, "preapproved"),
        ("just prequalified not fully approved", False, "preapproved"),
        ("no. wait yes we got it last week sorry", True, "preapproved"),
        ("yes. sorry, no, not yet", False, "preapproved"),
    ],
)  # fmt: skip
def test_it_reads_the_preapproval(text, expected, asked):
    assert field_of(text, "preapproved", asked=asked) is expected


@pytest.mark.parametrize(
    "text, expected, asked",
    [
        ("no realtor yet", False, None), ("No, we do not have an agent.", False, None),
        ("need a realtor", False, None), ("can you recommend an agent?", False, None),
        ("we will need one", False, "has_agent"), ("no tengo agente", False, None), ("nah", False, "has_agent"),
        ("have a realtor", True, None), ("my agent is Sue", True, None), ("relator is Jen", True, None),
        ("yes our agent is great", True, "has_agent"), ("tengo un agente", True, None),
        ("si tenemos realtor", True, "has_agent"), ("ya we have one", True, "has_agent"),
    ],
)  # fmt: skip
def test_it_reads_whether_they_have_an_agent(text, expected, asked):
    assert field_of(text, "has_agent", asked=asked) is expected


@pytest.mark.parametrize(
    "text, expected, asked",
    [
        ("still looking", False, None), ("looking still", False, None), ("havent found one yet", False, None),
        ("We have not started looking yet.", False, None), ("todavia estoy buscando", False, None),
        ("just looking", False, "property_found"), ("not yet", False, "property_found"),
        ("found a house", True, None), ("we're under contract", True, None), ("offer accepted!", True, None),
        ("in escrow", True, None), ("ya encontramos una casa", True, None), ("yes found one", True, None),
    ],
)  # fmt: skip
def test_it_reads_whether_they_found_a_home(text, expected, asked):
    assert field_of(text, "property_found", asked=asked) is expected


@pytest.mark.parametrize(
    "text, expected, asked",
    [
        ("TX", "TX", "property_state"), ("tx", "TX", "property_state"), ("in texas", "TX", None),
        ("buying, 2 months, tx", "TX", None), ("refi in nj", "NJ", None), ("moving from CA to TX", "TX", None),
        ("relocating from california to texas", "TX", None), ("Houston", "TX", None), ("near tampa", "FL", None),
        ("flordia", "FL", "property_state"), ("Tejas", "TX", None), ("Nueva York", "NY", None),
        ("west virginia", "WV", None), ("OK", "OK", "property_state"), ("yes", "TX", "property_state"),
        ("sí", "TX", "property_state"), ("ok thanks", None, None), ("I need a VA loan", None, None),
        ("im in", None, None), ("me", None, "property_state"),
        ("ga", "GA", "property_state"), ("its pa", "PA", "property_state"), ("va", "VA", "property_state"),
        ("hi", None, "property_state"),
    ],
)  # fmt: skip
def test_it_reads_the_property_state(text, expected, asked):
    assert field_of(text, "property_state", asked=asked, state_guess="TX") == expected


@pytest.mark.parametrize(
    "text, expected, asked",
    [
        ("720 credit", "good", None), ("my score is around 680", "good", None), ("excellent 780", "excellent", "credit"),
        ("800+", "excellent", "credit"), ("like 700", "good", "credit"), ("score is like 640", "fair", None),
        ("around 550", "poor", "credit"), ("credit is ok", "fair", None), ("my credit is bad honestly", "poor", None),
        ("good", "good", "credit"), ("pretty good", "good", "credit"), ("not great", "fair", "credit"),
        ("not bad", "good", "credit"), ("very good", "excellent", "credit"), ("great credit", "excellent", None),
        ("mas o menos", "fair", "credit"), ("mi credito es bueno", "good", None), ("tengo 700 de credito", "good", None),
        ("haven't checked in a while", "unsure", "credit"), ("idk", "unsure", "credit"),
        ("good", None, None), ("house is 350,000", None, None), ("great, thanks", None, "timeline"),
        ("high 600s", "good", "credit"), ("low 700s", "good", "credit"), ("mid 600s", "fair", "credit"),
        ("upper 500s", "poor", "credit"), ("mid-700s", "excellent", "credit"), ("720ish", "good", "credit"),
        ("650 - actually it went up to 680 last month", "good", "credit"), ("like 580, no wait 620 now", "fair", "credit"),
        ("both around 750", "excellent", "credit"), ("👌 760", "excellent", "credit"),
        ("six fifty", "fair", "credit"), ("my score is seven forty", "excellent", None),
        ("7 hundred something", "good", "credit"), ("we have six kids", None, "credit"),
    ],
)  # fmt: skip
def test_it_reads_the_credit(text, expected, asked):
    assert field_of(text, "credit", asked=asked) == expected


@pytest.mark.parametrize(
    "text, expected, asked",
    [
        ("first time buyer", True, None), ("frist time buyer", True, None), ("never owned a home", True, None),
        ("es mi primera casa", True, None), ("yes", True, "first_time_buyer"), ("si primera vez", True, None),
        ("We have owned homes before.", False, None), ("not my first home", False, None),
        ("no we sold our house", False, None), ("buying an investment property", False, None),
        ("no", False, "first_time_buyer"),
    ],
)  # fmt: skip
def test_it_reads_whether_it_is_their_first_home(text, expected, asked):
    assert field_of(text, "first_time_buyer", asked=asked) is expected


def test_it_reads_several_facts_in_one_text():
    found = recorded(
        "looking to buy in the next 30 days, already pre approved and have a realtor, tx", purpose=None
    )
    assert found == {
        "loan_purpose": "purchase",
        "timeline": "0_30_days",
        "preapproved": True,
        "has_agent": True,
        "property_state": "TX",
    }


def test_it_keeps_a_negation_inside_its_own_clause():
    found = recorded("no realtor yet but preapproved")
    assert found == {"has_agent": False, "preapproved": True}


def test_it_reads_a_spanglish_text():
    found = recorded("estoy preapproved y tengo un realtor, en like 2 meses")
    assert found == {"preapproved": True, "has_agent": True, "timeline": "1_3_months"}


@pytest.mark.parametrize(
    "text, asked, expected",
    [
        ("we got married in june so we need a bigger place", "timeline", {}),
        ("my daughter's birthday is in may", None, {}),
        ("preapproved with Veterans United already", None, {"preapproved": True}),
        ("refi my navy federal loan", "loan_purpose", {"loan_purpose": "refinance"}),
        ("loan_purpose=heloc timeline=0_30_days", "loan_purpose", {}),
        ("this is maria from houston", "loan_purpose", {}),
        ("hi, yes this is Virginia", "loan_purpose", {}),
        ("we decided to go with Texas Capital Bank", None, {}),
    ],
)
def test_a_value_comes_only_from_words_about_its_field(text, asked, expected):
    purpose = None if asked == "loan_purpose" else "purchase"
    assert recorded(text, asked=asked, purpose=purpose) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("by the end of next month", "1_3_months"), ("in a few weeks", "0_30_days"), ("6 mo", "3_6_months"),
        ("after school lets out", "3_6_months"), ("before thanksgiving", "6_plus_months"), ("feb", "0_30_days"),
        ("when my lease is up in april", "1_3_months"), ("not 30 days, more like 2-3 months", "1_3_months"),
        ("in 2 months, sorry i meant 2 weeks", "0_30_days"), ("maybe 2027", "6_plus_months"),
        ("para el verano", "3_6_months"), ("en unas semanas", "0_30_days"),
        ("probably Q2", "3_6_months"), ("q1", "1_3_months"), ("segundo trimestre", "3_6_months"),
        ("when school lets out in june", "3_6_months"),
    ],
)  # fmt: skip
def test_it_turns_relative_and_named_dates_into_a_timeline_against_today(text, expected):
    assert field_of(text, "timeline", asked="timeline") == expected


@pytest.mark.parametrize(
    "text, asked, expected",
    [
        (
            "not buying til next year",
            "loan_purpose",
            {"loan_purpose": "purchase", "timeline": "6_plus_months"},
        ),
        ("not refinancing right now", "loan_purpose", {"loan_purpose": "refinance"}),
        ("not refinancing, buying", "loan_purpose", {"loan_purpose": "purchase"}),
    ],
)
def test_a_negation_about_timing_keeps_the_purpose(text, asked, expected):
    assert recorded(text, asked=asked, purpose=None) == expected


@pytest.mark.parametrize(
    "text, expected", [("👍", True), ("👍🏽", True), ("✅", True), ("👎", False), ("👎🏻", False)]
)
def test_thumbs_answer_a_yes_or_no_question(text, expected):
    assert field_of(text, "preapproved", asked="preapproved") is expected


@pytest.mark.parametrize(
    "text",
    ['Liked “Are you already pre-approved for a loan?”', 'Loved "Thanks!"', "Emphasized “Which state?”",
     'Le gustó “¿Ya tiene una preaprobación?”', 'Disliked “Are you already pre-approved for a loan?”'],
)  # fmt: skip
def test_a_tapback_is_not_an_answer_and_gets_no_reply(text):
    state = flow.new_state(asked="preapproved")
    turn = ScriptedAgent().take_turn(
        AgentInput(message=text, known={"loan_purpose": "purchase"}, state=state, now=NOW)
    )
    assert (turn.updates, turn.silent, turn.reply) == ({}, True, "")
    assert turn.state["asked"] == "preapproved"


@pytest.mark.parametrize("text", ["sorry no, we're not preapproved", "actually no", "oops I meant no"])
def test_a_correction_turns_a_recorded_yes_around(text):
    state = {**flow.new_state(asked="property_found"), "last_answered": "preapproved"}
    known = {"loan_purpose": "purchase", "preapproved": True}
    turn = ScriptedAgent().take_turn(AgentInput(message=text, known=known, state=state, now=NOW))
    assert turn.updates == {"preapproved": False}
