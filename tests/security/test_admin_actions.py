"""Admin actions that change data need a permission to change, not only the right to look."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission

from conversations.models import ContactRule
from integrations.models import CrmIntegration, Delivery, OutboundEvent, WebhookSubscription
from leads.models import Lead
from tests.factories import CrmIntegrationFactory, LeadFactory, UserFactory, WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db


def staff_who_may(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def run_action(client, changelist: str, action: str, *pks):
    data = {"action": action, "_selected_action": [str(pk) for pk in pks], "confirmed": "yes"}
    return client.post(changelist, data)


def test_every_custom_admin_action_declares_the_permission_it_needs():
    undeclared = [
        f"{model._meta.label}.{name}"
        for model, model_admin in admin.site._registry.items()
        for func, name, _ in model_admin._get_base_actions()
        if name != "delete_selected" and not getattr(func, "allowed_permissions", None)
    ]

    assert undeclared == []


def test_it_refuses_do_not_contact_to_staff_who_may_only_view_leads(client):
    lead = LeadFactory(status="qualifying")
    client.force_login(staff_who_may("view_lead"))

    page = client.get("/admin/leads/lead/").content.decode()
    run_action(client, "/admin/leads/lead/", "mark_do_not_contact", lead.pk)

    assert "mark_do_not_contact" not in page
    lead.refresh_from_db()
    assert not lead.do_not_contact and lead.status == "qualifying"


def test_staff_who_may_change_leads_can_mark_do_not_contact(client):
    lead = LeadFactory(status="qualifying")
    client.force_login(staff_who_may("view_lead", "change_lead"))

    run_action(client, "/admin/leads/lead/", "mark_do_not_contact", lead.pk)

    assert Lead.objects.get(pk=lead.pk).do_not_contact


def test_it_refuses_to_pause_every_state_for_staff_who_may_only_view_rules(client):
    everywhere, _ = ContactRule.objects.get_or_create(state="*")
    client.force_login(staff_who_may("view_contactrule"))

    run_action(client, "/admin/conversations/contactrule/", "pause", everywhere.pk)

    assert not ContactRule.objects.get(state="*").paused


def test_it_refuses_to_switch_a_crm_off_for_staff_who_may_only_view(client):
    hook = WebhookSubscriptionFactory()
    crm = CrmIntegrationFactory()
    client.force_login(staff_who_may("view_webhooksubscription", "view_crmintegration"))

    run_action(client, "/admin/integrations/webhooksubscription/", "switch_off", hook.pk)
    run_action(client, "/admin/integrations/crmintegration/", "switch_off", crm.pk)

    assert WebhookSubscription.objects.get(pk=hook.pk).active
    assert CrmIntegration.objects.get(pk=crm.pk).active


def test_it_offers_redelivery_only_to_staff_who_may_change_deliveries(client):
    event = OutboundEvent.objects.create(msg_id=OutboundEvent.new_msg_id(), type="lead.updated", body="{}")
    Delivery.objects.create(event=event, subscription=WebhookSubscriptionFactory(), status="failed")
    client.force_login(staff_who_may("view_delivery"))
    assert "redeliver" not in client.get("/admin/integrations/delivery/").content.decode()

    client.force_login(staff_who_may("view_delivery", "change_delivery"))
    assert "redeliver" in client.get("/admin/integrations/delivery/").content.decode()


def test_staff_who_may_only_look_are_not_shown_buttons_that_would_refuse_them(client):
    lead = LeadFactory(status="qualifying")
    client.force_login(staff_who_may("view_lead", "view_donotcontactnumber", "view_leadtoreengage"))

    lead_page = client.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
    dnc_list = client.get("/admin/leads/donotcontactnumber/").content.decode()
    reengage_list = client.get("/admin/nurture/leadtoreengage/").content.decode()

    assert "Text the borrower" not in lead_page and "Give to an officer" not in lead_page
    assert "Import a CSV" not in dnc_list and "Import a CSV" not in reengage_list
    assert client.get(f"/admin/leads/lead/{lead.pk}/text/").status_code == 403


def test_staff_who_may_change_see_the_buttons(client):
    lead = LeadFactory(status="qualifying")
    client.force_login(
        staff_who_may("change_lead", "change_routingrequest", "add_donotcontactnumber", "view_donotcontactnumber",
                      "change_enrollment", "view_leadtoreengage")
    )  # fmt: skip

    lead_page = client.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()

    assert "Text the borrower" in lead_page and "Give to an officer" in lead_page
    assert "Import a CSV" in client.get("/admin/leads/donotcontactnumber/").content.decode()
    assert "Import a CSV" in client.get("/admin/nurture/leadtoreengage/").content.decode()
