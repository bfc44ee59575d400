"""What the leads app tells the apps above it. Sent inside the service's transaction:
receivers that queue work do it with transaction.on_commit."""

from django.dispatch import Signal

# lead, inquiry
lead_created = Signal()
# lead, inquiry: a repeat inquiry from a phone with an open lead
inquiry_appended = Signal()
# lead, old_status, new_status, actor
lead_status_changed = Signal()
# lead, changes ({field: [old, new]}), actor
lead_qualification_changed = Signal()
# lead, words, actor
lead_opted_out = Signal()
# lead, words, actor
lead_opted_in = Signal()
# lead, fields (list of contact/assignment fields that changed), actor
lead_updated = Signal()
