from django.conf import settings
from django.utils import timezone
from twilio.rest import Client

from conversations.devtools.bare_app.models import Lead

client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
client.api.base_url = settings.TWILIO_API_BASE_URL


def text(lead_id: str) -> str:
    """Text the borrower once: claim, send, record."""
    if not Lead.objects.filter(pk=lead_id, text_status="queued").update(text_status="texting"):
        return "skipped"
    lead = Lead.objects.get(pk=lead_id)
    message = client.messages.create(
        to=lead.phone,
        body=f"Hi {lead.first_name}, thanks for your inquiry! Reply STOP to opt out.",
        messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
    )
    Lead.objects.filter(pk=lead_id).update(
        text_status="sent", provider_sid=message.sid, texted_at=timezone.now()
    )
    return "sent"
