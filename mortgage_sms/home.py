"""`/`: where each person works. The admin's "View site" leads here too."""

from django.conf import settings
from django.shortcuts import redirect, render


def home(request):
    user = request.user
    if not user.is_authenticated:
        return redirect("/officer/")  # the officer pages ask for a login
    if hasattr(user, "loan_officer") and not user.is_staff:
        return redirect("/officer/")
    places = [
        {"url": "/admin/", "label": "Admin", "what": "leads, texts, routing, cadences, A/B tests"},
        {
            "url": "/admin/reports/",
            "label": "Reports",
            "what": "speed to lead, the funnel, officers, nurture, health",
        },
        {"url": "/officer/", "label": "Officer pages", "what": "offers and leads, as loan officers see them"},
        {"url": "/api/docs/", "label": "API reference", "what": "for CRM and form developers"},
    ]
    if settings.SMS_BACKEND == "console":
        places.insert(
            2,
            {
                "url": "/simulator/",
                "label": "Simulator",
                "what": "play a borrower's phone (console SMS only)",
            },
        )
    return render(request, "home.html", {"places": places})
