"""What the calls app tells the apps above it (integrations: webhooks and CRM activity)."""

from django.dispatch import Signal

# call: a call ended (any final status), once
call_completed = Signal()
