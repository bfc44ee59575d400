"""A contact rule for every state whose statute (or, for Alabama, regulation) sets hours,
closed days or a cap for telephone solicitations, each with its citation and what could and
could not be verified on 2026-12-01. Rows ops edited since are left as they are.

Exemptions: where the text exempts a response to the consumer's own request (or covers only
"unsolicited" calls, or calls without consent), the first text after an inquiry and replies
while the borrower is texting go at any hour. Where the text read has no such carve-out, or
the operative section could not be read, both wait for the state's hours: the conservative
reading, which ops may relax in the admin once their counsel agrees."""

import datetime

from django.db import migrations

CHECKED = datetime.date(2026, 12, 1)
NOT_SEEN = "Operative text not seen here; hours from secondary sources, the stricter kept."
CARVE_OUT_SEEN = "Exempt: the text excludes a response to the consumer's request or consent."
NO_CARVE_OUT = (
    "Not exempt: no carve-out for a consumer's request was found in the text read, so the first "
    "text and live replies wait for these hours (conservative; relax with counsel's sign-off)."
)

RULES = [
    dict(
        state="AL", start_hour=8, end_hour=20, skip_sundays=True, skip_state_holidays=True,
        first_contact_exempt=False, live_reply_exempt=False,
        citation="Ala. Admin. Code r. 770-X-5-.17(1)(b) (Public Service Commission rule)",
        note="Verified: 'No solicitation calls are allowed on Sundays or holidays. On the days that "
        "calls are allowed, none will be placed prior to 8 a.m. or after 8 p.m.' Applies to "
        "automated solicitation calls; a regulation, not a statute. " + NO_CARVE_OUT,
    ),
    dict(
        state="CT", start_hour=9, end_hour=20,
        citation="Conn. Gen. Stat. § 42-288a, as amended by P.A. 23-98 (eff. 2023-10-01)",
        note="Texts are telephonic sales calls since P.A. 23-98. " + NOT_SEEN + " The amended "
        "definition excludes consumers who previously expressed interest (secondary). " + CARVE_OUT_SEEN,
    ),
    dict(
        state="DC", start_hour=8, end_hour=21, first_contact_exempt=False, live_reply_exempt=False,
        citation="D.C. Code § 22-3226.08(3)",
        note="Verified: telephone solicitation to a consumer's residence before 8:00 a.m. or after "
        "9:00 p.m. is an abusive practice. " + NO_CARVE_OUT,
    ),
    dict(
        state="FL", start_hour=8, end_hour=20, max_per_24h=3, cap_counts_calls=True,
        citation="Fla. Stat. § 501.616(6)(a)-(b) (as amended by 2021 SB 1120)",
        note="Verified: no commercial telephone solicitation call before 8 a.m. or after 8 p.m. in the "
        "called person's time zone, nor more than three from any number over 24 hours on the same "
        "subject. A 'commercial telephone solicitation' is an unsolicited call (§ 501.603). "
        + CARVE_OUT_SEEN,
    ),
    dict(
        state="KY", start_hour=10, end_hour=21, first_contact_exempt=False, live_reply_exempt=False,
        citation="KRS 367.46955 (hours); KRS 367.46951(1) (definition); KRS 367.461(2)(e)",
        note="Verified: a telephone solicitation includes texts' targets (mobile numbers) and offering "
        "a consumer loan (367.46951); automated calling only 8:00-21:00 (367.461). The 10:00-21:00 "
        "item of 367.46955 was not seen. " + NO_CARVE_OUT,
    ),
    dict(
        state="LA", start_hour=8, end_hour=20, skip_sundays=True, skip_state_holidays=True,
        first_contact_exempt=False, live_reply_exempt=False,
        citation="La. R.S. 45:811; La. R.S. 45:844.31 (states of emergency)",
        note="Verified: no calls for advertising by automated equipment or a live operator other than "
        "8:00 a.m.-8:00 p.m. Monday through Saturday, nor on state holidays or Sundays. The Governor "
        "may declare extra holidays and states of emergency (45:844.31): use this rule's pause. "
        + NO_CARVE_OUT,
    ),
    dict(
        state="MD", start_hour=8, end_hour=20, max_per_24h=3, cap_counts_calls=True,
        live_reply_exempt=False,
        citation="Md. Code, Com. Law § 14-4502 (Stop the Spam Calls Act of 2023, eff. 2024-01-01)",
        note="Verified: the subsection does not apply to 'a single telephone solicitation made to a "
        "customer or client in response to an inquiry or request', so the first text is exempt; "
        "that exemption names a single solicitation, so later replies wait for the hours. Hours "
        "8:00-20:00 and three calls or texts per 24 h on the same subject: " + NOT_SEEN,
    ),
    dict(
        state="MI", start_hour=9, end_hour=21,
        citation="MCL 445.111(m), 445.111c (Home Solicitation Sales Act, 1971 PA 227)",
        note="A telephone solicitation is a voice communication; it excludes one made with the "
        "subscriber's express invitation or permission (445.111). 9:00-21:00: " + NOT_SEEN + " "
        + CARVE_OUT_SEEN,
    ),
    dict(
        state="MN", start_hour=9, end_hour=21,
        citation="Minn. Stat. § 325E.27 (hours); § 325E.311 subd. 6 (definition)",
        note="Verified: a telephone solicitation excludes communications with the subscriber's prior "
        "express invitation or permission (325E.311). 9:00-21:00: " + NOT_SEEN + " " + CARVE_OUT_SEEN,
    ),
    dict(
        state="MS", start_hour=8, end_hour=20, skip_sundays=True,
        first_contact_exempt=False, live_reply_exempt=False,
        citation="Miss. Code Ann. § 77-3-723(1); § 77-3-603(a)",
        note="'No telephone solicitations may be made on a Sunday' (77-3-723, as quoted with the AG's "
        "confirmation, 2024); legal holidays are no longer closed since the PSC repealed its rules "
        "(2023). Unsolicited sales calls 8:00-21:00 CST Mon-Sat (77-3-603); 8:00-20:00 kept as the "
        "stricter reading. " + NO_CARVE_OUT,
    ),
    dict(
        state="NJ", start_hour=8, end_hour=21,
        citation="N.J.S.A. 56:8-128(d)",
        note="Verified: no unsolicited telemarketing sales call between 9:00 p.m. and 8:00 a.m. at the "
        "customer's location; since 2023-12-01 the section does not apply to follow-ups a customer "
        "requested through a call or the website. " + CARVE_OUT_SEEN,
    ),
    dict(
        state="NM", start_hour=9, end_hour=21, first_contact_exempt=False, live_reply_exempt=False,
        citation="NMSA 1978 § 57-12-22(B)(5)",
        note="Verified: a telephone solicitation for a purchase may not be received before 9:00 a.m. "
        "or after 9:00 p.m. " + NO_CARVE_OUT,
    ),
    dict(
        state="NV", start_hour=9, end_hour=20, first_contact_exempt=False, live_reply_exempt=False,
        citation="NRS 597.814(2)(a); NRS 228.530",
        note="Verified: automatic dialing-announcing devices not between 9 p.m. and 9 a.m. (597.814), "
        "which exempts a preexisting business relationship. The 20:00 end: " + NOT_SEEN + " "
        + NO_CARVE_OUT,
    ),
    dict(
        state="OK", start_hour=8, end_hour=20, max_per_24h=3, cap_counts_calls=True,
        first_contact_exempt=False, live_reply_exempt=False,
        citation="15 O.S. § 775C.4 (Telephone Solicitation Act of 2022, HB 3168, eff. 2022-11-01)",
        note="8:00-20:00 and three commercial telephonic sales calls per 24 h on the same subject: "
        + NOT_SEEN + " Definitions (§ 775C.2) and exemptions (§ 775C.5) were read: neither carves out "
        "a consumer's own request. " + NO_CARVE_OUT + " (The old seed cited § 775C.1, the short title.)",
    ),
    dict(
        state="RI", start_hour=9, end_hour=18, saturday_start_hour=10, saturday_end_hour=17,
        skip_sundays=True, skip_state_holidays=True,
        citation="R.I. Gen. Laws § 5-61-3.6; § 5-61-2 ('hours of operation')",
        note="Verified: unsolicited telephonic sales calls to residential or mobile numbers only Monday-"
        "Friday 9:00-18:00 and Saturday 10:00-17:00, except state or federal holidays. "
        + CARVE_OUT_SEEN + " (The Act's 'telephonic seller' covers some kinds of offers only.)",
    ),
    dict(
        state="TX", start_hour=9, end_hour=21, sunday_start_hour=12, sunday_end_hour=21,
        citation="Tex. Bus. & Com. Code § 301.051; § 302.001(7) as amended by SB 140 (eff. 2025-09-01)",
        note="Since SB 140 a text is a telephone solicitation. Mon-Sat 9:00-21:00, Sunday 12:00-21:00, "
        "recipient's local time; § 301.051 excepts a response to the consumer's express request "
        "(law-firm and carrier summaries, 2025). " + NOT_SEEN + " " + CARVE_OUT_SEEN,
    ),
    dict(
        state="VA", start_hour=8, end_hour=21,
        citation="Va. Code § 59.1-511 (hours); § 59.1-514(A) (10-year opt-out); SB 1339 (2025)",
        note="Verified: no telephone solicitation call other than 8:00-21:00 local time 'unless the "
        "telephone solicitor has obtained the prior consent of the called person'; a request not to "
        "be called is honoured for at least 10 years (ours: until the borrower texts START). SB 1339 "
        "brings texts in from 2026-01-01 (secondary). " + CARVE_OUT_SEEN,
    ),
    dict(
        state="WA", start_hour=8, end_hour=20,
        citation="RCW 19.158.040(2); RCW 80.36.390(1)(a)",
        note="Verified: commercial telephone solicitors may not place calls received before 8:00 a.m. "
        "or after 8:00 p.m. at the recipient's local time; a commercial telephone solicitation is an "
        "unsolicited call, and calls in response to a request or inquiry are not telephone "
        "solicitations. " + CARVE_OUT_SEEN,
    ),
]  # fmt: skip
ALL_STATES_NOTE = (
    "Every state: 47 CFR 64.1200(c)(1) (no telephone solicitation before 8 a.m. or after 9 p.m.), "
    "which excludes calls with the recipient's prior express invitation or permission. Blank hours "
    "follow CONTACT_WINDOW_START_HOUR / END_HOUR. Tick 'paused' to hold every scheduled text."
)
OLD_SEEDED_NOTES = {"FL": "Fla. Stat. 501.059", "OK": "15 O.S. 775C.1"}


def seed(apps, schema_editor):
    ContactRule = apps.get_model("conversations", "ContactRule")
    _release_all_states_hours(ContactRule)
    for rule in RULES:
        values = {**rule, "checked_on": CHECKED}
        existing = ContactRule.objects.filter(state=rule["state"]).first()
        if existing is None:
            ContactRule.objects.create(**values)
        elif existing.note == OLD_SEEDED_NOTES.get(rule["state"]):
            ContactRule.objects.filter(pk=existing.pk).update(**values)


def _release_all_states_hours(ContactRule):
    # The seeded 08-21 on "*" made CONTACT_WINDOW_START_HOUR / END_HOUR unable to widen anything.
    ContactRule.objects.filter(state="*", start_hour=8, end_hour=21).update(
        start_hour=None, end_hour=None, note=ALL_STATES_NOTE, citation="47 CFR 64.1200(c)(1)",
        checked_on=CHECKED,
    )


class Migration(migrations.Migration):
    dependencies = [("conversations", "0005_state_contact_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
