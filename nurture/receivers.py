"""Reactions to the leads and conversations apps' signals. Each only calls a service."""

from django.dispatch import receiver

from conversations.signals import inbound_message, message_sent
from experiments.signals import experiment_ended
from leads.signals import lead_opted_out, lead_status_changed
from nurture import services


@receiver(message_sent, dispatch_uid="nurture.enroll_after_first_text")
def enroll_after_first_text(sender, message, **kwargs):
    services.nurture_after_first_text(message=message)


@receiver(inbound_message, dispatch_uid="nurture.stop_on_reply")
def stop_on_reply(sender, lead, message, **kwargs):
    services.nurture_after_reply(lead=lead, message=message)


@receiver(lead_status_changed, dispatch_uid="nurture.follow_status")
def follow_status(sender, lead, old_status, new_status, actor, **kwargs):
    services.nurture_after_status_change(lead=lead, new_status=new_status, actor=actor)


@receiver(lead_opted_out, dispatch_uid="nurture.stop_on_opt_out")
def stop_on_opt_out(sender, lead, words, **kwargs):
    services.enrollments_stop(lead_id=lead.pk, reason="opted_out", actor="borrower")


@receiver(experiment_ended, dispatch_uid="nurture.keep_test_winner")
def keep_test_winner(sender, experiment, winner, actor, **kwargs):
    if experiment.step_id and winner is not None:
        services.step_keep_wording(
            step=experiment.step, body=winner.body, body_es=winner.body_es, actor=actor
        )
