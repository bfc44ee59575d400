import threading

import pytest
from django.db import connection

from leads import services
from leads.models import Inquiry, Lead
from mortgage_sms.errors import ApplicationError
from tests.factories import LeadFactory


@pytest.mark.django_db
class TestStatusMachine:
    def test_it_records_every_change(self):
        lead = LeadFactory(status="contacted")

        changed = services.lead_set_status(lead=lead, status="qualifying", actor="borrower")

        assert changed
        event = lead.events.get(type="status_changed")
        assert (event.actor, event.data) == ("borrower", {"from": "contacted", "to": "qualifying"})

    def test_setting_the_same_status_is_a_no_op(self):
        lead = LeadFactory(status="qualifying")

        assert not services.lead_set_status(lead=lead, status="qualifying", actor="x")
        assert not lead.events.exists()

    def test_closed_leads_stay_closed_but_won_and_lost_can_be_corrected(self):
        lead = LeadFactory(status="closed_lost")

        with pytest.raises(ApplicationError):
            services.lead_set_status(lead=lead, status="qualifying", actor="x")
        assert services.lead_set_status(lead=lead, status="closed_won", actor="x")

    def test_opt_out_is_left_only_by_opting_in(self):
        lead = LeadFactory(status="qualifying")
        services.lead_opt_out(lead=lead, words="STOP")

        with pytest.raises(ApplicationError):
            services.lead_set_status(lead=lead, status="qualified", actor="x")
        assert services.lead_opt_in(lead=lead, words="start")

        lead.refresh_from_db()
        assert lead.status == "qualifying"
        assert lead.opted_out_at is None
        assert [e.data["words"] for e in lead.events.filter(type__in=["opted_out", "opted_in"])] == [
            "STOP",
            "start",
        ]

    def test_it_rejects_an_unknown_status(self):
        with pytest.raises(ApplicationError):
            services.lead_set_status(lead=LeadFactory(), status="sleeping", actor="x")


@pytest.mark.django_db
def test_it_derives_temperature_from_the_fields():
    lead = LeadFactory()

    services.lead_update_qualification(lead=lead, changes={"timeline": "0_30_days"}, actor="agent")
    assert lead.temperature == "warm"
    services.lead_update_qualification(lead=lead, changes={"property_found": True}, actor="agent")
    assert lead.temperature == "hot"
    services.lead_update_qualification(lead=lead, changes={"timeline": "6_plus_months"}, actor="agent")
    assert lead.temperature == "cold"


@pytest.mark.django_db(transaction=True)
def test_two_inquiries_racing_from_one_phone_open_one_lead():
    barrier = threading.Barrier(2)
    results = []

    def submit(name):
        barrier.wait()
        try:
            result = services.lead_intake(
                phone="5125550199", submitted_by="race", contact={"first_name": name}, sms_consent=False
            )
            results.append(result.created)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in ("Ana", "Bea")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, True]
    assert Lead.objects.count() == 1
    assert Inquiry.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "consent, consent_text, second_entry",
    [
        (False, "", ("not_contacted", {"reason": "no_consent"})),
        (True, "", ("not_contacted", {"reason": "no_consent_text"})),
        (True, "I agree to texts.", None),
    ],
)
def test_a_new_leads_timeline_starts_with_its_creation_entries(consent, consent_text, second_entry):
    result = services.lead_intake(
        phone="512-555-0142",
        submitted_by="api:CRM",
        source="paid",
        contact={"first_name": "Ana"},
        sms_consent=consent,
        consent_text=consent_text,
        payload={"phone": "512-555-0142"},
    )

    stored = Lead.objects.get(pk=result.lead.pk)
    assert (stored.phone, stored.first_name, stored.source) == ("+15125550142", "Ana", "paid")
    assert Inquiry.objects.get(lead=stored).payload == {"phone": "512-555-0142"}
    events = list(stored.events.all())  # in timeline order
    assert (events[0].type, events[0].actor, events[0].description) == (
        "lead_created",
        "api:CRM",
        "New Paid inquiry.",
    )
    assert events[0].data == {"inquiry_id": result.inquiry.pk, "sms_consent": consent}
    assert [(event.type, event.data) for event in events[1:]] == ([second_entry] if second_entry else [])
