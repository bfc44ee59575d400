"""Reactions to routing's signals, and the scheduling layer in front of the assistant."""

from django.dispatch import receiver

from appointments import services
from conversations import interceptors
from routing.signals import routing_waiting

interceptors.register(services.scheduling_intercept)


@receiver(routing_waiting, dispatch_uid="appointments.offer_while_waiting")
def offer_while_waiting(sender, lead, request, **kwargs):
    services.offer_while_waiting(lead=lead, asked_for_person="asked for a person" in request.reason)
