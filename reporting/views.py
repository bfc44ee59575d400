"""/admin/reports/: the ops report, with CSV export of each table."""

import csv

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render

from leads.choices import STATE_CHOICES, Language, Source
from reporting import selectors
from reporting.tables import build_report, duration, percent
from routing.models import LoanOfficer

PERMISSION = "reporting.view_reports"
MAX_DAYS = 366 * 3


class DateInput(forms.DateInput):
    input_type = "date"


class ReportForm(forms.Form):
    since = forms.DateField(label="From", widget=DateInput)
    until = forms.DateField(label="To", widget=DateInput)
    source = forms.ChoiceField(required=False, choices=[("", "All sources"), *Source.choices])
    campaign = forms.CharField(required=False, label="Campaign (source detail)", max_length=200)
    state = forms.ChoiceField(
        required=False, label="Property state", choices=[("", "All states"), *STATE_CHOICES]
    )
    officer = forms.ModelChoiceField(
        required=False, queryset=LoanOfficer.objects.all(), empty_label="All officers"
    )
    language = forms.ChoiceField(required=False, choices=[("", "All languages"), *Language.choices])

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The range must start on or before its last day.")
        if since and until and (until - since).days >= MAX_DAYS:
            raise forms.ValidationError(f"At most {MAX_DAYS} days at once.")
        return data

    def filters(self) -> selectors.Filters:
        data = self.cleaned_data
        return selectors.Filters(
            since=data["since"],
            until=data["until"],
            source=data["source"],
            campaign=data["campaign"].strip(),
            state=data["state"],
            officer_id=data["officer"].pk if data["officer"] else None,
            language=data["language"],
        )


def report_form(params) -> ReportForm:
    since, until = selectors.default_range()
    data = {"since": since.isoformat(), "until": until.isoformat(), **params.dict()}
    return ReportForm(data)


def reports_view(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    form = report_form(request.GET)
    report = build_report(form.filters()) if form.is_valid() else None
    export = request.GET.get("export")
    if export and report:
        return _csv_response(report, export, form)
    context = {
        **admin.site.each_context(request),
        "title": "Reports",
        "form": form,
        "report": report,
        "zone": selectors.report_zone(),
        "campaigns": [row["name"] for row in report["tables"]["funnel_by_campaign"].rows] if report else [],
        "query": _query_without_export(request),
        "duration": duration,
        "percent": percent,
    }
    if report:
        context.update(_headline(report))
    return render(request, "admin/reporting/reports.html", context)


def _headline(report: dict) -> dict:
    funnel, speed, health = report["funnel"], report["speed"], report["health"]
    return {
        "speed_p50": duration(speed.p50),
        "speed_p95": duration(speed.p95),
        "speed_max": duration(speed.max),
        "reply_24h_rate": percent(funnel["replied_24h"] / funnel["texted"] if funnel["texted"] else None),
        "qualified_rate": percent(funnel["qualified"] / funnel["leads"] if funnel["leads"] else None),
        "off_hours": percent(report["off_hours_share"]),
        "segments_per_text": f"{health['segments'] / health['texts']:.2f}" if health["texts"] else "—",
        "ops_wait": duration(health["ops_queue"]["oldest_seconds"]),
    }


def _query_without_export(request) -> str:
    params = request.GET.copy()
    params.pop("export", None)
    return params.urlencode()


def _csv_response(report: dict, name: str, form: ReportForm) -> HttpResponse:
    table = report["tables"].get(name)
    if table is None:
        raise Http404("No such table.")
    data = form.cleaned_data
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{name}_{data['since']:%Y%m%d}-{data['until']:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    csv.writer(response).writerows(table.csv_rows())
    return response
