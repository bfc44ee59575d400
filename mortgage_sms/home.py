"""`/`: where each person works. The admin's "View site" leads here too."""

from django.conf import settings
from django.shortcuts import redirect, render


def home(request):
    user = request.user
    if not user.is_authenticated:
        return redirect("/officer/")  # the officer pages ask for a login
    if hasattr(user, "loan_officer") and not user.is_staff:
        return redirect("/officer/")
    return render(request, "home.html", {"places": _places(user)})


def _places(user) -> list[dict]:
    """Only the places this person may open: a link that answers 403 is no way to work."""
    wanted = [
        (user.is_staff, "/admin/", "Admin", "leads, texts, routing, cadences, A/B tests"),
        (
            user.has_perm("reporting.view_reports"),
            "/admin/reports/",
            "Reports",
            "speed to lead, the funnel, officers, nurture, health",
        ),
        (
            settings.SMS_BACKEND == "console" and user.has_perm("conversations.use_simulator"),
            "/simulator/",
            "Simulator",
            "play a borrower's phone (console SMS only)",
        ),
        (True, "/officer/", "Officer pages", "offers and leads, as loan officers see them"),
        (True, "/api/docs/", "API reference", "for CRM and form developers"),
    ]
    return [{"url": url, "label": label, "what": what} for allowed, url, label, what in wanted if allowed]
