"""What the appointments app tells the apps above it (webhooks, CRM connectors)."""

from django.dispatch import Signal

# appointment: each sent once per change, inside the change's transaction
appointment_booked = Signal()
appointment_rescheduled = Signal()
appointment_cancelled = Signal()
