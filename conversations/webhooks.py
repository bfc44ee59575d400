"""Twilio's webhooks: signed, de-duplicated by MessageSid, answered at once."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from conversations import services
from mortgage_sms.errors import ApplicationError

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def signature_is_valid(request) -> bool:
    """Twilio signs PUBLIC_BASE_URL + path: behind a proxy the request's own URL differs."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    return RequestValidator(token).validate(url, request.POST.dict(), signature)


def twiml(status: int = 200) -> HttpResponse:
    return HttpResponse(EMPTY_TWIML, content_type="text/xml", status=status)


@csrf_exempt
@require_POST
def inbound_sms(request):
    if not signature_is_valid(request):
        return HttpResponseForbidden("Invalid Twilio signature.")
    sid = request.POST.get("MessageSid") or request.POST.get("SmsSid")
    if not sid:
        return HttpResponse("MessageSid is required.", status=400)
    try:
        services.inbound_receive(
            from_number=request.POST.get("From", ""),
            to_number=request.POST.get("To", ""),
            body=request.POST.get("Body", ""),
            provider_sid=sid,
        )
    except ApplicationError as error:
        return HttpResponse(error.message, status=400)
    return twiml()


@csrf_exempt
@require_POST
def status_callback(request):
    if not signature_is_valid(request):
        return HttpResponseForbidden("Invalid Twilio signature.")
    services.message_status_update(
        provider_sid=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)
