from django.dispatch import Signal

# lead, message: a borrower's text that is not a keyword, after it is stored
inbound_message = Signal()
# message: the gateway accepted an outbound text
message_sent = Signal()
