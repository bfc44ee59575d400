"""The Call button on the officer's lead page."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from calls import services
from mortgage_sms.errors import ApplicationError
from routing.views import _visible_lead, officer_required


@officer_required
@require_POST
def call(request, officer, lead_id):
    """Ring the officer's mobile; on 1 the borrower is dialled. One press, one call."""
    lead = _visible_lead(officer, lead_id)
    try:
        placed = services.call_start(officer=officer, lead=lead, token=request.POST.get("token", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Calling your mobile ({placed.officer_number}) now: answer, listen, press 1 to connect."
        )
    return redirect("officer-lead", lead_id=lead.pk)
