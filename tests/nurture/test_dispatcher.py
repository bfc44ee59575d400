"""The dispatcher sends due steps once, inside the window, under the cap, and advances."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_q.models import Schedule

from conversations.models import ContactRule, Kind, Message
from nurture import services
from nurture.dispatch import nurture_dispatch
from nurture.models import Cadence, Enrollment
from tests.factories import CadenceFactory, CadenceStepFactory, EnrollmentFactory, LeadFactory, MessageFactory

pytestmark = pytest.mark.django_db

CENTRAL = ZoneInfo("America/Chicago")
EASTERN = ZoneInfo("America/New_York")


def central(*parts):
    return datetime(*parts, tzinfo=CENTRAL)


def dispatch_at(moment: datetime, run_tasks) -> dict:
    with time_machine.travel(moment, tick=False), run_tasks():
        return nurture_dispatch()


def enroll(lead, slug: str, at: datetime):
    with time_machine.travel(at, tick=False):
        return services.enrollment_start(lead=lead, cadence=Cadence.objects.get(slug=slug), actor="test")


def nurture_texts(lead):
    return list(Message.objects.filter(lead=lead, kind=Kind.NURTURE).order_by("created_at"))


def test_it_is_scheduled_every_minute():
    schedule = Schedule.objects.get(name="Nurture dispatcher")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == ("nurture.tasks.dispatch_due", "I", 1)


def test_it_sends_the_due_nudge_and_schedules_the_next(run_tasks):
    lead = LeadFactory(first_name="Ana", state="TX", phone="+15125550142", status="contacted")
    enroll(lead, "no_reply_yet", central(2026, 10, 6, 10))
    assert dispatch_at(central(2026, 10, 6, 10, 5), run_tasks) == {}
    assert dispatch_at(central(2026, 10, 6, 10, 10), run_tasks) == {"sent": 1}
    [text] = nurture_texts(lead)
    assert text.sender == "nurture" and text.status == "sent"
    assert text.body.startswith("Hi Ana, just making sure") and text.body.endswith("Reply STOP to opt out.")
    lead.refresh_from_db()
    assert lead.next_touch_at == central(2026, 10, 7, 10)  # one day after the first text


def test_it_never_sends_at_night_and_goes_at_the_next_opening(run_tasks):
    lead = LeadFactory(state="TX", phone="+15125550142", status="contacted")
    enroll(lead, "no_reply_yet", central(2026, 10, 6, 7, 45))
    enrollment = Enrollment.objects.get(lead=lead)
    assert enrollment.next_run_at == central(2026, 10, 6, 9)  # Texas opens at nine
    # Due at night (the window narrowed after it was scheduled): moved, not sent.
    Enrollment.objects.filter(pk=enrollment.pk).update(next_run_at=central(2026, 10, 6, 22))
    assert dispatch_at(central(2026, 10, 6, 22, 1), run_tasks) == {"deferred": 1}
    assert nurture_texts(lead) == []
    lead.refresh_from_db()
    assert lead.next_touch_at == central(2026, 10, 7, 9)
    assert dispatch_at(central(2026, 10, 7, 9), run_tasks) == {"sent": 1}


def test_it_runs_no_reply_yet_to_the_end_then_marks_the_lead_unresponsive(run_tasks):
    lead = LeadFactory(state="TX", phone="+15125550142", status="contacted")
    enroll(lead, "no_reply_yet", central(2026, 10, 6, 10))
    moment = central(2026, 10, 6, 10)
    while Enrollment.objects.filter(lead=lead, state="active").exists():
        moment = Enrollment.objects.get(lead=lead, state="active").next_run_at
        dispatch_at(moment, run_tasks)
    sent_at = [m.created_at.astimezone(CENTRAL) for m in nurture_texts(lead)]
    assert sent_at == [
        central(2026, 10, 6, 10, 10),
        central(2026, 10, 7, 10),
        central(2026, 10, 9, 10),
        central(2026, 10, 13, 10),
    ]
    lead.refresh_from_db()
    assert (lead.status, lead.nurture_cadence, lead.next_touch_at) == ("unresponsive", "", None)
    assert Enrollment.objects.get(lead=lead).state == "finished"


def test_it_defers_over_the_florida_cap_rather_than_dropping_the_text(run_tasks):
    lead = LeadFactory(state="FL", zip_code="33130", phone="+13055550142", status="nurturing")
    for hour in (9, 10, 11):
        MessageFactory(
            lead=lead, kind=Kind.INTRODUCTION, created_at=datetime(2026, 10, 6, hour, tzinfo=EASTERN)
        )
    EnrollmentFactory(lead=lead, next_run_at=datetime(2026, 10, 6, 12, tzinfo=EASTERN))
    assert dispatch_at(datetime(2026, 10, 6, 12, tzinfo=EASTERN), run_tasks) == {"deferred": 1}
    lead.refresh_from_db()
    assert lead.next_touch_at == datetime(2026, 10, 7, 9, 0, 1, tzinfo=EASTERN)
    assert dispatch_at(lead.next_touch_at, run_tasks) == {"sent": 1}


def test_it_cancels_a_nudge_when_an_officer_texted_since_it_was_scheduled(run_tasks):
    lead = LeadFactory(state="TX", phone="+15125550142", status="contacted")
    enroll(lead, "no_reply_yet", central(2026, 10, 6, 10))
    MessageFactory(lead=lead, sender="officer", kind=Kind.REPLY, created_at=central(2026, 10, 6, 10, 5))
    assert dispatch_at(central(2026, 10, 6, 10, 10), run_tasks) == {"cancelled": 1}
    assert nurture_texts(lead) == []
    assert lead.events.filter(type="nurture_step_cancelled").exists()
    assert Enrollment.objects.get(lead=lead).step.position == 2  # the cadence goes on


def test_it_skips_a_step_meant_for_another_loan_purpose(run_tasks):
    lead = LeadFactory(state="TX", phone="+15125550142", loan_purpose="purchase")
    refi_only = CadenceStepFactory(
        position=1, condition_field="loan_purpose", condition_values="refinance, heloc"
    )
    CadenceStepFactory(cadence=refi_only.cadence, position=2, body="Buying? Reply anytime, {first_name}.")
    EnrollmentFactory(lead=lead, step=refi_only, next_run_at=central(2026, 10, 6, 10))
    assert dispatch_at(central(2026, 10, 6, 10), run_tasks) == {"skipped": 1}
    assert dispatch_at(central(2026, 10, 7, 10), run_tasks) == {"sent": 1}
    assert nurture_texts(lead)[0].body.startswith("Buying?")


def test_it_holds_every_text_while_paused_and_sends_once_resumed(run_tasks):
    lead = LeadFactory(state="TX", phone="+15125550142")
    EnrollmentFactory(lead=lead, next_run_at=central(2026, 10, 6, 10))
    ContactRule.objects.filter(state="*").update(paused=True)
    assert dispatch_at(central(2026, 10, 6, 10), run_tasks) == {"deferred": 1}
    lead.refresh_from_db()
    assert lead.next_touch_at == central(2026, 10, 6, 10, 15)
    ContactRule.objects.filter(state="*").update(paused=False)
    assert dispatch_at(central(2026, 10, 6, 10, 15), run_tasks) == {"sent": 1}


def test_it_rechecks_the_lead_before_sending(run_tasks):
    claimed = LeadFactory(state="TX", status="claimed")
    replied = LeadFactory(state="TX", last_inbound_at=central(2026, 10, 6, 9))
    no_consent = LeadFactory(state="TX", sms_consent=False)
    for lead in (claimed, replied, no_consent):
        EnrollmentFactory(
            lead=lead, enrolled_at=central(2026, 10, 5, 10), next_run_at=central(2026, 10, 6, 10)
        )
    assert dispatch_at(central(2026, 10, 6, 10), run_tasks) == {"stopped": 3}
    reasons = set(Enrollment.objects.values_list("stop_reason", flat=True))
    assert reasons == {"claimed", "replied", "no_consent"}
    assert not Message.objects.exists()


def test_it_sends_a_step_once_when_dispatched_twice(run_tasks):
    lead = LeadFactory(state="TX", phone="+15125550142")
    enrollment = EnrollmentFactory(lead=lead, next_run_at=central(2026, 10, 6, 10))
    dispatch_at(central(2026, 10, 6, 10), run_tasks)
    # A stale second dispatcher that still holds the old row changes nothing.
    Enrollment.objects.filter(pk=enrollment.pk).update(
        next_run_at=central(2026, 10, 6, 10), step=enrollment.step
    )
    dispatch_at(central(2026, 10, 6, 10), run_tasks)
    assert len(nurture_texts(lead)) == 1


def test_it_repeats_the_last_step_monthly(run_tasks):
    monthly = CadenceStepFactory(
        delay_amount=1, delay_unit="months", cadence=CadenceFactory(repeat_last_step=2)
    )
    lead = LeadFactory(state="TX", phone="+15125550142")
    enrollment = EnrollmentFactory(lead=lead, step=monthly, next_run_at=central(2026, 1, 13, 10))
    for moment in (central(2026, 1, 13, 10), central(2026, 2, 13, 10), central(2026, 3, 13, 10)):
        assert dispatch_at(moment, run_tasks) == {"sent": 1}
    enrollment.refresh_from_db()
    assert enrollment.state == "finished" and enrollment.touches_sent == 3


def test_it_keeps_the_borrowers_local_hour_across_a_dst_change(run_tasks):
    lead = LeadFactory(state="TX", phone="+15125550142")
    weekly = CadenceStepFactory(delay_amount=1, delay_unit="weeks")
    CadenceStepFactory(cadence=weekly.cadence, delay_amount=1, delay_unit="weeks")
    EnrollmentFactory(lead=lead, step=weekly, next_run_at=central(2026, 3, 3, 10))
    dispatch_at(central(2026, 3, 3, 10), run_tasks)  # CST; the clocks change on March 8
    lead.refresh_from_db()
    assert lead.next_touch_at.astimezone(CENTRAL) == central(2026, 3, 10, 10)


def test_it_texts_spanish_speakers_in_spanish(run_tasks):
    lead = LeadFactory(state="TX", phone="+15125550142", first_name="Luis", language="es", status="contacted")
    enroll(lead, "no_reply_yet", central(2026, 10, 6, 10))
    dispatch_at(central(2026, 10, 6, 10, 10), run_tasks)
    body = nurture_texts(lead)[0].body
    assert body.startswith("Hola Luis") and body.endswith("Responda STOP para no recibir más mensajes.")


def test_one_broken_template_only_delays_its_own_borrower(run_tasks):
    broken = CadenceStepFactory(body="Hi {first_name.__class__}")
    EnrollmentFactory(lead=LeadFactory(state="TX"), step=broken, next_run_at=central(2026, 10, 6, 10))
    EnrollmentFactory(lead=LeadFactory(state="TX"), next_run_at=central(2026, 10, 6, 10))
    assert dispatch_at(central(2026, 10, 6, 10), run_tasks) == {"failed": 1, "sent": 1}
    failed = Enrollment.objects.get(step=broken)
    assert failed.next_run_at == central(2026, 10, 6, 11) and "Error" in failed.last_error


def test_it_takes_due_enrollments_in_batches_until_none_is_due(run_tasks):
    for _ in range(7):
        EnrollmentFactory(lead=LeadFactory(state="TX"), next_run_at=central(2026, 10, 6, 10))
    with time_machine.travel(central(2026, 10, 6, 10), tick=False), run_tasks():
        assert nurture_dispatch(batch_size=3) == {"sent": 7}
    assert Enrollment.objects.filter(state="finished", touches_sent=1).count() == 7
    assert dispatch_at(central(2026, 10, 6, 10) + timedelta(minutes=1), run_tasks) == {}
