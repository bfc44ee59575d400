"""What the conversations app tells the apps above it (routing, nurture, integrations).
Sent inside the service's transaction: receivers that queue work use transaction.on_commit."""

from django.dispatch import Signal

# lead, message: a borrower's text that is not a keyword, after it is stored
inbound_message = Signal()
# message: the gateway accepted an outbound text
message_sent = Signal()
# lead, reason: the borrower asked for a person (or the assistant decided they need one)
handoff_requested = Signal()
# lead, role, words: a realtor, title or escrow officer, a processor... texted, not a borrower
third_party_texted = Signal()
