"""The claim-your-lead pages. Thin: each view reads through selectors and writes through services."""

import json
import uuid
from functools import wraps
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from leads import display
from leads import services as lead_services
from leads.phones import normalize_phone
from mortgage_sms.errors import ApplicationError
from routing import alerts, desk, selectors, services
from routing.models import LoanOfficer, ScheduledReply, ScheduledStatus


class ReplyForm(forms.Form):
    body = forms.CharField(
        max_length=1600, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Text the borrower…"})
    )
    # A fresh token per rendered form: the same form sent twice sends one text.
    token = forms.CharField(max_length=64, widget=forms.HiddenInput, required=False)


class NoteForm(forms.Form):
    body = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "A private note…"})
    )


class ScheduleForm(forms.Form):
    body = forms.CharField(max_length=1600)
    send_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


DAYS = [(str(i), name) for i, name in enumerate(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])]


class AvailabilityForm(forms.ModelForm):
    work_days = forms.MultipleChoiceField(choices=DAYS, widget=forms.CheckboxSelectMultiple, required=False)
    out_of_office_until = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        label="Out of office until",
    )

    class Meta:
        model = LoanOfficer
        fields = [
            "on_duty", "work_start", "work_end", "work_days", "time_zone", "out_of_office_until",
            "mobile_phone", "email", "alert_by_sms", "alert_by_email",
        ]  # fmt: skip
        widgets = {
            "work_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "work_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["work_days"] = [str(d) for d in (self.instance.work_days or [0, 1, 2, 3, 4])]

    def clean_work_days(self):
        return sorted(int(d) for d in self.cleaned_data["work_days"])

    def clean_mobile_phone(self):
        phone = self.cleaned_data["mobile_phone"].strip()
        try:
            return normalize_phone(phone, field="mobile_phone") if phone else ""
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error


def officer_required(view):
    """Logged in (else the login page), with an officer profile, in the officer's time zone."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        officer = LoanOfficer.objects.filter(user=request.user).select_related("user").first()
        if officer is None:
            return render(request, "officer/not_an_officer.html", status=403)
        if not officer.active:
            # Their leads stay assigned for ops to hand over; the officer no longer sees or texts them.
            return render(request, "officer/deactivated.html", status=403)
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
        "push_key": settings.VAPID_PUBLIC_KEY,
        "closed": selectors.officer_closed_leads(officer),
    }
    partials = {"offers": "officer/_offers.html", "leads": "officer/_leads.html"}
    template = partials.get(request.GET.get("partial"), "officer/dashboard.html")
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
    is_mine = lead.assigned_officer_id == officer.pk
    if is_mine:
        alerts.thread_mark_read(lead=lead, officer=officer)
    context = {
        "officer": officer,
        "lead": lead,
        "now": timezone.now(),
        "calls": lead.calls.select_related("officer")[:5],
        "appointments": lead.appointments.filter(status="booked").order_by("starts_at"),
        "notes": lead.notes.select_related("officer")[:20],
        "saved_replies": _rendered_replies(lead, officer) if is_mine else [],
        "scheduled": ScheduledReply.objects.filter(lead=lead, status=ScheduledStatus.SCHEDULED),
        "note_form": NoteForm(),
        "loss_reasons": services.LOSS_REASONS,
        "call_token": uuid.uuid4().hex,
        "offer": selectors.pending_offer(officer, lead),
        "is_mine": is_mine,
        "qualification": selectors.qualification_rows(lead),
        "inquiries": lead.inquiries.all(),
        "thread": thread,
        "events": _timeline(lead),
        "form": ReplyForm(initial={"token": uuid.uuid4().hex}),
    }
    return render(request, "officer/lead.html", context)


def _timeline(lead) -> list[dict]:
    """Each event in words, as the admin's timeline says it ("Timeline: 1-3 months")."""
    events = list(lead.events.order_by("created_at", "id"))
    names = _officer_names([event.actor for event in events])
    return [
        {
            "when": event.created_at,
            "title": display.event_title(event),
            "summary": display.event_summary(event),
            "actor": _actor_label(event.actor, names),
        }
        for event in events
    ]


def _officer_names(actors: list[str]) -> dict[str, str]:
    """ "officer:jane" (a login) or "officer:7" (an id) -> "Jane Ramirez"."""
    logins = {actor.partition(":")[2] for actor in actors if actor.startswith("officer:")}
    ids = {login for login in logins if login.isdigit()}
    found = LoanOfficer.objects.filter(user__username__in=logins).values_list("user__username", "name")
    names = {f"officer:{login}": name for login, name in found}
    names.update(
        {
            f"officer:{pk}": name
            for pk, name in LoanOfficer.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    )
    return names


def _actor_label(actor: str, officer_names: dict[str, str]) -> str:
    """Who did it, as an officer says it: a name, "ops", the API client's name; not a login."""
    kind, _, who = actor.partition(":")
    if kind == "officer":
        return officer_names.get(actor, "an officer")
    return {"admin": "ops", "api": who}.get(kind, actor) if who else actor


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
            loss_reason=request.POST.get("loss_reason", ""),
            detail=request.POST.get("detail", ""),
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


OPT_OUT_CHANNELS = ("phone", "email", "in_person", "other")


@officer_required
@require_POST
def record_opt_out(request, officer, lead_id):
    """The borrower asked on the phone (or by e-mail) never to be texted: record their words."""
    lead = _visible_lead(officer, lead_id)
    words, channel = request.POST.get("words", "").strip()[:1000], request.POST.get("channel", "")
    if not words or channel not in OPT_OUT_CHANNELS:
        messages.error(request, "Write the borrower's words and how they said it.")
    elif lead_services.lead_opt_out(lead=lead, words=words, actor=f"officer:{officer.pk}", channel=channel):
        messages.success(request, "Opted out: nothing more will be texted to this borrower.")
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


def _rendered_replies(lead, officer) -> list[tuple[str, str]]:
    """Saved replies with this borrower's merge fields filled (a broken one is left out)."""
    rendered = []
    for saved in desk.saved_replies_for(officer):
        try:
            rendered.append(
                (saved.title, desk.saved_reply_render(body=saved.body, lead=lead, officer=officer))
            )
        except ApplicationError:
            continue
    return rendered


@officer_required
@require_POST
def note(request, officer, lead_id):
    lead = _visible_lead(officer, lead_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        _act(
            request,
            desk.note_add,
            officer=officer,
            lead=lead,
            body=form.cleaned_data["body"],
            done="Note saved.",
        )
    else:
        messages.error(request, "Write a note of at most 4000 characters.")
    return redirect("officer-lead", lead_id=lead.pk)


@officer_required
@require_POST
def schedule(request, officer, lead_id):
    """Send a reply later: the time is read in the officer's own time zone."""
    lead = _visible_lead(officer, lead_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the message and pick a date and time.")
    else:
        _act(request, desk.reply_schedule, officer=officer, lead=lead, done="Scheduled.", **form.cleaned_data)
    return redirect("officer-lead", lead_id=lead.pk)


@officer_required
@require_POST
def unschedule(request, officer, lead_id, scheduled_id):
    if desk.reply_cancel(officer=officer, scheduled_id=scheduled_id):
        messages.success(request, "The scheduled text is cancelled.")
    return redirect("officer-lead", lead_id=lead_id)


@officer_required
def officer_settings(request, officer):
    """Availability (on duty, hours, out of office), how alerts reach the officer, push, calendar."""
    form = AvailabilityForm(request.POST or None, instance=LoanOfficer.objects.get(pk=officer.pk))
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.Meta.fields}
        try:
            desk.officer_update_availability(officer=officer, changes=changes)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Saved.")
            return redirect("officer-settings")
    context = {
        "officer": officer,
        "form": form,
        "push_key": settings.VAPID_PUBLIC_KEY,
        "calendar_url": settings.PUBLIC_BASE_URL + reverse("officer-calendar", args=[officer.calendar_token]),
    }
    return render(request, "officer/settings.html", context)


@officer_required
@require_POST
def push_subscribe(request, officer):
    try:
        alerts.push_subscribe(
            officer=officer,
            subscription=json.loads(request.body or b"{}"),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except (ValueError, ApplicationError) as error:
        return JsonResponse(
            {"detail": getattr(error, "message", "Send the subscription as JSON.")}, status=400
        )
    return JsonResponse({"subscribed": True}, status=201)


def service_worker(request):
    """Served from /officer/ so that its scope covers the officer pages."""
    script = render(request, "officer/sw.js").content
    response = HttpResponse(script, content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/officer/"
    response["Cache-Control"] = "no-cache"
    return response
