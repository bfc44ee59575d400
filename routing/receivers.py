"""Reactions to the leads and conversations apps' signals. Each only calls a service."""

from django.dispatch import receiver

from conversations.signals import handoff_requested, inbound_message, third_party_texted
from leads.signals import lead_status_changed
from routing import alerts, services


@receiver(lead_status_changed, dispatch_uid="routing.route_on_status")
def route_on_status(sender, lead, old_status, new_status, actor, **kwargs):
    services.routing_react_to_status(lead=lead, new_status=new_status, actor=actor)


@receiver(handoff_requested, dispatch_uid="routing.route_on_handoff")
def route_on_handoff(sender, lead, reason, **kwargs):
    services.routing_start(lead=lead, reason=f"the borrower asked for a person ({reason})", actor="assistant")


@receiver(inbound_message, dispatch_uid="routing.alert_officer_on_reply")
def alert_officer_on_reply(sender, lead, message, **kwargs):
    alerts.thread_record_inbound(lead=lead, body=message.body, at=message.created_at)


@receiver(third_party_texted, dispatch_uid="routing.tell_ops_about_third_party")
def tell_ops_about_third_party(sender, lead, role, words, **kwargs):
    services.routing_tell_ops_about_third_party(lead=lead, role=role, words=words)
