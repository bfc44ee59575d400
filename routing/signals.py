"""What routing tells the apps above it."""

from django.dispatch import Signal

# lead, request: nobody can be offered the lead now; it waits for ops (and the sweep retries)
routing_waiting = Signal()
