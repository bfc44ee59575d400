"""Ops acting on one lead from its admin page: text the borrower, give the lead to an officer.

Admin pages are the top layer: they call the conversations and routing services directly."""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from conversations.services import staff_reply
from leads.models import Lead
from mortgage_sms.errors import ApplicationError
from routing.eligibility import licensing_state
from routing.models import LoanOfficer
from routing.services import lead_reassign


class StaffReplyForm(forms.Form):
    body = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 3, "cols": 70}))
    token = forms.CharField(widget=forms.HiddenInput)


class ReassignForm(forms.Form):
    officer = forms.ModelChoiceField(queryset=LoanOfficer.objects.none(), empty_label=None)

    def __init__(self, *args, lead: Lead, **kwargs):
        super().__init__(*args, **kwargs)
        state = licensing_state(lead)
        licensed = [o.pk for o in LoanOfficer.objects.filter(active=True) if o.is_licensed_in(state)]
        self.fields["officer"].queryset = LoanOfficer.objects.filter(pk__in=licensed).exclude(
            pk=lead.assigned_officer_id
        )
        self.fields["officer"].help_text = f"Active officers licensed in {state or 'the lead state'}."


def _page(modeladmin, request, lead, form, *, title: str, template: str):
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": Lead._meta,
        "original": lead,
        "lead": lead,
        "title": title,
        "form": form,
        "thread": lead.messages.order_by("-created_at")[:8][::-1],
    }
    return render(request, template, context)


def text_borrower(modeladmin, request, lead_id):
    lead = get_object_or_404(Lead, pk=lead_id)
    if not modeladmin.has_change_permission(request, lead):
        raise PermissionDenied
    form = StaffReplyForm(request.POST or None, initial={"token": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        try:
            result = staff_reply(
                lead=lead,
                body=form.cleaned_data["body"],
                actor=f"admin:{request.user}",
                token=form.cleaned_data["token"],
            )
        except ApplicationError as error:
            form.add_error("body", error.message)
        else:
            if result.queued:
                messages.success(request, "Text queued: it goes out through the shared number.")
            else:
                messages.error(request, f"Not sent: {result.blocked_reason.replace('_', ' ')}.")
            return redirect("admin:leads_lead_change", lead.pk)
    return _page(
        modeladmin, request, lead, form, title=f"Text {lead}", template="admin/leads/text_borrower.html"
    )


def reassign(modeladmin, request, lead_id):
    lead = get_object_or_404(Lead, pk=lead_id)
    if not request.user.has_perm("routing.change_routingrequest"):
        raise PermissionDenied
    form = ReassignForm(request.POST or None, lead=lead)
    if request.method == "POST" and form.is_valid():
        officer = form.cleaned_data["officer"]
        try:
            lead_reassign(lead=lead, officer=officer, actor=f"admin:{request.user}")
        except ApplicationError as error:
            form.add_error("officer", error.message)
        else:
            messages.success(request, f"The lead is now {officer.name}'s; the borrower has the introduction.")
            return redirect("admin:leads_lead_change", lead.pk)
    return _page(
        modeladmin,
        request,
        lead,
        form,
        title=f"Give {lead} to an officer",
        template="admin/leads/reassign.html",
    )
