"""iCalendar (RFC 5545) through the icalendar library: one invite, and each officer's feed."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from appointments.models import Appointment, AppointmentStatus
from routing.texts import lead_summary, lead_url


def _event(appointment: Appointment, now: datetime) -> Event:
    lead = appointment.lead
    event = Event()
    event.add("uid", f"{appointment.pk}@mortgage-sms")
    event.add("dtstamp", now)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("sequence", appointment.sequence)
    event.add("summary", f"Call {lead.full_name or lead.phone} ({lead_summary(lead)})")
    event.add("description", f"Call {lead.phone}. The conversation: {lead_url(lead)}")
    event.add("location", vText(lead.phone))
    event.add("url", lead_url(lead))
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if appointment.officer.email:
        attendee = vCalAddress(f"mailto:{appointment.officer.email}")
        attendee.params["cn"] = vText(appointment.officer.name)
        event.add("attendee", attendee)
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(settings.COMPANY_NAME)
    event.add("organizer", organizer)
    return event


def _calendar(name: str, method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Mortgage SMS//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    if method:
        calendar.add("method", method)
    return calendar


def invite(appointment: Appointment) -> bytes:
    """The officer's invite: REQUEST for a booking or a move, CANCEL for a cancellation."""
    method = "CANCEL" if appointment.status == AppointmentStatus.CANCELLED else "REQUEST"
    calendar = _calendar(f"{settings.COMPANY_NAME} appointments", method)
    calendar.add_component(_event(appointment, timezone.now()))
    return calendar.to_ical()


def feed(officer, appointments) -> bytes:
    """The officer's private feed (Google and Outlook poll it)."""
    calendar = _calendar(f"{officer.name} · {settings.COMPANY_NAME}")
    now = timezone.now()
    for appointment in appointments:
        calendar.add_component(_event(appointment, now))
    return calendar.to_ical()
