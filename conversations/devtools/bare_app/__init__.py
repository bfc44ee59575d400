"""The bare app: the least a Django + DRF + django-q2 app can do for speed to lead.

It stores a lead posted to `POST /api/v1/leads/` (token-authenticated, validated by a DRF
serializer) and queues one task that texts the borrower through the twilio SDK: no consent
rules, no contact windows, no timeline, no webhooks. It is not part of the product: the
speed-to-lead benchmark runs it beside the product, with the same web server, worker and
database settings, to show what the product's own work costs (`--apps bare,product`)."""
