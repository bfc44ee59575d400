"""The claim-your-lead pages. Thin: each view reads through selectors and writes through services."""

import uuid
from functools import wraps
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mortgage_sms.errors import ApplicationError
from routing import selectors, services
from routing.models import LoanOfficer


class ReplyForm(forms.Form):
    body = forms.CharField(
        max_length=1600, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Text the borrower…"})
    )
    # A fresh token per rendered form: the same form sent twice sends one text.
    token = forms.CharField(max_length=64, widget=forms.HiddenInput, required=False)


def officer_required(view):
    """Logged in (else the login page), with an officer profile, in the officer's time zone."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        officer = LoanOfficer.objects.filter(user=request.user).select_related("user").first()
        if officer is None:
            return render(request, "officer/not_an_officer.html", status=403)
        with timezone.override(ZoneInfo(officer.time_zone)):
            return view(request, officer, *args, **kwargs)

    return wrapped


@officer_required
def dashboard(request, officer):
    now = timezone.now()
    context = {
        "officer": officer,
        "now": now,
        "offers": selectors.officer_pending_offers(officer),
        "missed": selectors.officer_missed_offers(officer, now=now),
        "leads": selectors.officer_open_leads(officer),
        "closed": selectors.officer_closed_leads(officer),
    }
    template = "officer/_offers.html" if request.GET.get("partial") else "officer/dashboard.html"
    return render(request, template, context)


def _visible_lead(officer, lead_id):
    lead = selectors.lead_for_officer(officer, lead_id)
    if lead is None:
        raise Http404("No such lead for you.")
    return lead


@officer_required
def lead_detail(request, officer, lead_id):
    lead = _visible_lead(officer, lead_id)
    thread = lead.messages.select_related("officer").order_by("created_at")
    if request.GET.get("partial") == "thread":
        return render(request, "officer/_thread.html", {"thread": thread})
    context = {
        "officer": officer,
        "lead": lead,
        "now": timezone.now(),
        "offer": selectors.pending_offer(officer, lead),
        "is_mine": lead.assigned_officer_id == officer.pk,
        "qualification": selectors.qualification_rows(lead),
        "inquiries": lead.inquiries.all(),
        "thread": thread,
        "events": lead.events.order_by("created_at", "id"),
        "form": ReplyForm(initial={"token": uuid.uuid4().hex}),
    }
    return render(request, "officer/lead.html", context)


@officer_required
@require_POST
def claim(request, officer, lead_id):
    try:
        result = services.offer_claim(officer=officer, lead_id=lead_id)
    except ApplicationError as error:
        raise Http404(error.message) from error
    if result.won:
        messages.success(request, result.message)
        return redirect("officer-lead", lead_id=lead_id)
    messages.warning(request, result.message)
    return redirect("officer-home")


@officer_required
@require_POST
def reply(request, officer, lead_id):
    lead = _visible_lead(officer, lead_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a message of at most 1600 characters.")
        return redirect("officer-lead", lead_id=lead.pk)
    result = _act(request, services.officer_reply, officer=officer, lead=lead, **form.cleaned_data)
    if result is not None and not result.queued:
        messages.error(request, f"Not sent: {result.blocked_reason.replace('_', ' ')}.")
    return redirect("officer-lead", lead_id=lead.pk)


@officer_required
@require_POST
def release(request, officer, lead_id):
    lead = _visible_lead(officer, lead_id)
    if _act(
        request,
        services.lead_release,
        officer=officer,
        lead=lead,
        done="Released: routing is finding another officer.",
    ):
        return redirect("officer-home")
    return redirect("officer-lead", lead_id=lead.pk)


@officer_required
@require_POST
def close(request, officer, lead_id):
    lead = _visible_lead(officer, lead_id)
    outcome = request.POST.get("outcome")
    if outcome not in ("won", "lost"):
        messages.error(request, "Choose won or lost.")
    else:
        _act(
            request,
            services.lead_close,
            officer=officer,
            lead=lead,
            won=outcome == "won",
            done=f"Marked {outcome}.",
        )
    return redirect("officer-lead", lead_id=lead.pk)


@officer_required
@require_POST
def assistant(request, officer, lead_id):
    lead = _visible_lead(officer, lead_id)
    on = request.POST.get("on") == "1"
    done = "The assistant is back on this conversation." if on else "The assistant is paused."
    _act(request, services.lead_set_assistant, officer=officer, lead=lead, on=on, done=done)
    return redirect("officer-lead", lead_id=lead.pk)


def _act(request, service, *, done: str = "", **kwargs):
    """Call a service; its refusal becomes a message on the page, not an error page."""
    try:
        result = service(**kwargs)
    except ApplicationError as error:
        messages.error(request, error.message)
        return None
    if done:
        messages.success(request, done)
    return result if result is not None else True
