"""The officer's private calendar feed: no login, the secret token in the URL is the key."""

from datetime import timedelta

from django.http import Http404, HttpResponse
from django.utils import timezone

from appointments import calendar
from appointments.models import Appointment
from routing.models import LoanOfficer


def feed(request, token: str):
    officer = LoanOfficer.objects.filter(calendar_token=token, active=True).first()
    if officer is None:
        raise Http404("No such calendar.")
    recent = timezone.now() - timedelta(days=30)
    appointments = Appointment.objects.filter(officer=officer, starts_at__gte=recent).select_related(
        "lead", "officer"
    )
    response = HttpResponse(calendar.feed(officer, appointments), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
