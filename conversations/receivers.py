"""Reactions to the leads app's signals. Each only calls a service."""

from django.dispatch import receiver

from conversations import interceptors, services
from conversations.signals import inbound_message
from leads.signals import inquiry_appended, lead_created


@receiver(lead_created, dispatch_uid="conversations.greet_new_lead")
def greet_new_lead(sender, lead, inquiry, **kwargs):
    services.first_contact_schedule(lead=lead, inquiry=inquiry)


@receiver(inquiry_appended, dispatch_uid="conversations.greet_repeat_inquiry")
def greet_repeat_inquiry(sender, lead, inquiry, **kwargs):
    services.first_contact_schedule(lead=lead, inquiry=inquiry)


@receiver(inbound_message, dispatch_uid="conversations.continue_conversation")
def continue_conversation(sender, lead, message, **kwargs):
    if interceptors.intercept(lead=lead, message=message):
        return  # answered by a layer above (e.g. scheduling)
    services.conversation_schedule(message=message)
