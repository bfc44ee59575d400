"""Twilio Voice webhooks: signed like the SMS ones; TwiML built with the SDK's VoiceResponse."""

import uuid
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from calls import services
from calls.models import Call
from conversations.webhooks import signature_is_valid

RECORDING_NOTICE = "This call is recorded."


def voice_webhook(view):
    """POST only, signed, about a call we know; answers TwiML."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapped(request):
        if not signature_is_valid(request):
            return HttpResponseForbidden("Invalid Twilio signature.")
        call = _call_for(request.GET.get("call", ""))
        if call is None:
            return _twiml(_say_and_hang_up("This call is not known. Goodbye."))
        return view(request, call)

    return wrapped


def _call_for(call_id: str) -> Call | None:
    try:
        return Call.objects.select_related("lead", "officer").filter(pk=uuid.UUID(call_id)).first()
    except ValueError:
        return None


def _twiml(response: VoiceResponse) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml")


def _say_and_hang_up(text: str) -> VoiceResponse:
    response = VoiceResponse()
    response.say(text)
    response.hangup()
    return response


@voice_webhook
def whisper(request, call):
    """The officer picked up: who the borrower is, and press 1 (a voicemail never presses 1)."""
    services.call_officer_answered(call=call)
    response = VoiceResponse()
    gather = Gather(num_digits=1, action=services.voice_url("voice-connect", call), method="POST", timeout=8)
    gather.say(services.whisper_text(call))
    response.append(gather)
    response.say("No key pressed. Goodbye.")
    response.hangup()
    return _twiml(response)


@voice_webhook
def connect(request, call):
    """Press 1: dial the borrower from the shared number (checked again: they may have opted out)."""
    refusal = services.call_connect(call=call, digits=request.POST.get("Digits", ""))
    if refusal:
        return _twiml(_say_and_hang_up(refusal))
    response = VoiceResponse()
    dial = Dial(
        caller_id=call.from_number or settings.TWILIO_VOICE_NUMBER,
        action=services.voice_url("voice-dialed", call),
        method="POST",
        timeout=25,
        answer_on_bridge=True,
        **({"record": "record-from-answer-dual"} if call.recorded else {}),
    )
    if call.recorded:
        response.say(RECORDING_NOTICE)
        dial.number(call.borrower_number, url=services.voice_url("voice-announce", call), method="POST")
    else:
        dial.number(call.borrower_number)
    response.append(dial)
    return _twiml(response)


@voice_webhook
def announce(request, call):
    """Played to the borrower on answer, before the officer is bridged (two-party consent)."""
    response = VoiceResponse()
    response.say(f"{RECORDING_NOTICE} Connecting you with {call.officer.name}.")
    return _twiml(response)


@voice_webhook
def dialed(request, call):
    """The borrower's leg ended: its outcome is the call's."""
    services.call_dial_result(
        call=call,
        dial_status=request.POST.get("DialCallStatus", ""),
        duration=request.POST.get("DialCallDuration", ""),
        borrower_sid=request.POST.get("DialCallSid", ""),
        recording_url=request.POST.get("RecordingUrl", ""),
    )
    response = VoiceResponse()
    if request.POST.get("DialCallStatus") in ("no-answer", "busy", "failed"):
        response.say("The borrower did not answer. You can text them from the lead page. Goodbye.")
    response.hangup()
    return _twiml(response)


@voice_webhook
def status(request, call):
    services.call_status_update(call=call, call_status=request.POST.get("CallStatus", ""))
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def incoming(request):
    """A borrower calls the shared number: put them through to their officer when one is on
    duty, otherwise say who will call back (and the officer is alerted like for a text)."""
    if not signature_is_valid(request):
        return HttpResponseForbidden("Invalid Twilio signature.")
    officer_number = services.call_incoming(from_number=request.POST.get("From", ""))
    response = VoiceResponse()
    if officer_number:
        response.say(f"Thanks for calling {settings.COMPANY_NAME}. Connecting you with your loan officer.")
        response.dial(
            officer_number, caller_id=request.POST.get("To") or settings.TWILIO_VOICE_NUMBER, timeout=20
        )
    response.say(
        f"Thanks for calling {settings.COMPANY_NAME}. Your loan officer will call you back soon. "
        "You can also text this number."
    )
    response.hangup()
    return _twiml(response)
