"""The officer's own page: notes, saved replies, send-at, loss reason, settings, passwords."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from conversations.models import Message
from leads.models import LeadEvent
from mortgage_sms.errors import ApplicationError
from routing import desk
from routing.models import LoanOfficer, SavedReply, ScheduledReply
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def jane_and_maria(make_officer):
    jane = make_officer(name="Jane Ramirez", mobile_phone="+17375550100")
    maria = LeadFactory(
        first_name="Maria", last_name="Lopez", state="TX", status="claimed", assigned_officer=jane
    )
    return jane, maria


def test_marking_lost_needs_a_reason_and_the_timeline_says_who(clock, client, jane_and_maria):
    jane, maria = jane_and_maria
    client.force_login(jane.user)
    client.post(f"/officer/leads/{maria.pk}/close/", {"outcome": "lost"})
    maria.refresh_from_db()
    assert maria.status == "claimed"
    client.post(
        f"/officer/leads/{maria.pk}/close/",
        {"outcome": "lost", "loss_reason": "rate", "detail": "Credit union"},
    )
    maria.refresh_from_db()
    event = LeadEvent.objects.filter(lead=maria, type="status_changed").last()
    assert maria.status == "closed_lost"
    assert (
        event.description
        == "Marked lost by Jane Ramirez: went with another lender on rate or fees (Credit union)."
    )
    assert event.data["loss_reason"] == "rate"


def test_marking_won_is_written_on_the_timeline(clock, client, jane_and_maria):
    jane, maria = jane_and_maria
    client.force_login(jane.user)
    client.post(f"/officer/leads/{maria.pk}/close/", {"outcome": "won"})
    assert LeadEvent.objects.filter(lead=maria, description="Marked won by Jane Ramirez.").exists()


def test_a_note_is_kept_on_the_lead_and_the_timeline(clock, client, jane_and_maria):
    jane, maria = jane_and_maria
    client.force_login(jane.user)
    client.post(f"/officer/leads/{maria.pk}/notes/", {"body": "Prefers Spanish on the phone."})
    page = client.get(f"/officer/leads/{maria.pk}/").content.decode()
    assert "Prefers Spanish on the phone." in page
    assert LeadEvent.objects.filter(lead=maria, type="note_added").exists()
    assert not Message.objects.filter(body__contains="Prefers Spanish").exists()


def test_saved_replies_fill_the_merge_fields(clock, client, jane_and_maria):
    jane, maria = jane_and_maria
    SavedReply.objects.create(
        title="Docs", body="Hi {first_name}, {officer_first_name} here: send your W-2s."
    )
    SavedReply.objects.create(title="Broken", body="Hi {firstname}")
    client.force_login(jane.user)
    page = client.get(f"/officer/leads/{maria.pk}/").content.decode()
    assert 'data-text="Hi Maria, Jane here: send your W-2s."' in page
    assert "Broken" not in page
    with pytest.raises(ApplicationError, match=r"Unknown merge field \{firstname\}"):
        desk.saved_reply_validate(body="Hi {firstname}")


def test_a_reply_sent_later_goes_at_its_time(clock, jane_and_maria, run_tasks):
    jane, maria = jane_and_maria
    at = datetime(2026, 11, 25, 14, 0, tzinfo=CHICAGO)
    desk.reply_schedule(officer=jane, lead=maria, body="Checking in on the appraisal.", send_at=at)
    with run_tasks():
        assert desk.scheduled_replies_send() == 0
    clock.move_to(at + timedelta(seconds=5), tick=False)
    with run_tasks():
        assert desk.scheduled_replies_send() == 1
        assert desk.scheduled_replies_send() == 0
    [text] = Message.objects.filter(lead=maria, body="Checking in on the appraisal.")
    assert (text.sender, text.officer, text.status) == ("officer", jane, "sent")
    assert ScheduledReply.objects.get().result == "queued"


def test_a_reply_cannot_be_scheduled_outside_the_contact_window(clock, jane_and_maria):
    jane, maria = jane_and_maria
    night = datetime(2026, 11, 25, 22, 30, tzinfo=CHICAGO)
    with pytest.raises(ApplicationError, match="next opening is Fri Nov 27, 9:00 AM CST"):
        desk.reply_schedule(officer=jane, lead=maria, body="Hi", send_at=night)


def test_an_officer_sets_their_own_availability(clock, client, jane_and_maria):
    jane, _ = jane_and_maria
    client.force_login(jane.user)
    response = client.post("/officer/settings/", {
        "work_start": "09:00", "work_end": "17:30", "work_days": ["0", "1", "2", "3"], "time_zone": "America/New_York",
        "out_of_office_until": "2026-11-30T09:00", "mobile_phone": "(737) 555-0199", "email": "jane@x.example.com",
        "alert_by_email": "on",
    })  # fmt: skip
    assert response.status_code == 302
    jane = LoanOfficer.objects.get(pk=jane.pk)
    assert (jane.on_duty, jane.work_days, jane.time_zone, jane.mobile_phone) == (
        False, [0, 1, 2, 3], "America/New_York", "+17375550199"
    )  # fmt: skip
    assert (jane.alert_by_sms, jane.alert_by_email) == (False, True)
    assert jane.is_out_of_office(datetime(2026, 11, 27, 12, tzinfo=CHICAGO))


def test_an_officer_changes_their_password(clock, client, jane_and_maria):
    jane, _ = jane_and_maria
    client.force_login(jane.user)
    response = client.post("/officer/password/", {
        "old_password": "correct horse battery", "new_password1": "a much longer passphrase", "new_password2": "a much longer passphrase",
    })  # fmt: skip
    assert response.status_code == 302
    jane.user.refresh_from_db()
    assert jane.user.check_password("a much longer passphrase")


def test_a_forgotten_password_is_reset_by_email(clock, client, jane_and_maria):
    jane, _ = jane_and_maria
    jane.user.email = "jane@lender.example.com"
    jane.user.save()
    client.post("/officer/password/reset/", {"email": "jane@lender.example.com"})
    [email] = mail.outbox
    link = re.search(r"https?://\S+/officer/password/reset/\S+/", email.body).group(0)
    form = client.get(link.split("testserver")[-1], follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "brand new passphrase 7", "new_password2": "brand new passphrase 7"},
    )
    jane.user.refresh_from_db()
    assert jane.user.check_password("brand new passphrase 7")


def test_create_officer_phone_sets_the_mobile_and_sms_alerts(db):
    call_command(
        "create_officer", "--username", "jr", "--password", "pw-long-enough-1", "--name", "Jane Ramirez",
        "--nmls", "123", "--states", "TX", "--phone", "+15125550100",
    )  # fmt: skip
    jane = LoanOfficer.objects.get(user__username="jr")
    assert (jane.mobile_phone, jane.alert_by_sms) == ("+15125550100", True)
