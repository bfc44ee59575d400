"""The borrower simulator: play the borrower's phone while the console gateway is on."""

import uuid

from django import forms
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from conversations import services
from leads import services as lead_services
from leads.choices import STATE_CHOICES, LoanPurpose, Source
from leads.models import Lead
from mortgage_sms.errors import ApplicationError

SIMULATED_NUMBER = "simulator"


class NewLeadForm(forms.Form):
    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80, required=False)
    phone = forms.CharField(max_length=30, help_text="Any valid US number, e.g. 512-555-0142")
    state = forms.ChoiceField(choices=[("", "—"), *STATE_CHOICES], required=False)
    loan_purpose = forms.ChoiceField(choices=[("", "—"), *LoanPurpose.choices], required=False)
    sms_consent = forms.BooleanField(initial=True, required=False, label="Agrees to texts")


class ReplyForm(forms.Form):
    body = forms.CharField(max_length=1600, widget=forms.TextInput(attrs={"autofocus": True}))


def console_only(view):
    """Staff with the simulator permission, while the console gateway is on."""

    def wrapped(request, *args, **kwargs):
        if settings.SMS_BACKEND != "console":
            raise Http404("The simulator runs only with the console SMS gateway.")
        if not request.user.has_perm("conversations.use_simulator"):
            raise PermissionDenied(
                "Using the simulator needs the “Can use the borrower simulator” permission."
            )
        return view(request, *args, **kwargs)

    return staff_member_required(wrapped)


@console_only
def index(request):
    form = NewLeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = _create_lead(form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field or None, error.message)
        else:
            return redirect("simulator-thread", lead_id=lead.pk)
    leads = Lead.objects.order_by("-updated_at")[:30]
    return render(request, "simulator/index.html", {"form": form, "leads": leads})


def _create_lead(data: dict) -> Lead:
    return lead_services.lead_intake(
        phone=data["phone"],
        submitted_by="simulator",
        source=Source.WEB,
        source_detail="Borrower simulator",
        contact={k: data[k] for k in ("first_name", "last_name", "state")},
        qualification={"loan_purpose": data["loan_purpose"] or None},
        sms_consent=data["sms_consent"],
        consent_text="Simulator: I agree to receive texts about my inquiry." if data["sms_consent"] else "",
        payload={k: v for k, v in data.items() if v},
    ).lead


@console_only
def thread(request, lead_id):
    lead = get_object_or_404(Lead, pk=lead_id)
    context = {"lead": lead, "messages_": lead.messages.order_by("created_at"), "form": ReplyForm()}
    template = "simulator/_messages.html" if request.GET.get("partial") else "simulator/thread.html"
    return render(request, template, context)


@console_only
@require_POST
def reply(request, lead_id):
    lead = get_object_or_404(Lead, pk=lead_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        services.inbound_receive(
            from_number=lead.phone,
            to_number=SIMULATED_NUMBER,
            body=form.cleaned_data["body"],
            provider_sid=f"SIM{uuid.uuid4().hex}",
        )
    return redirect("simulator-thread", lead_id=lead.pk)
