"""A confirmation page before an admin action that stops texting (do-not-contact, opt-out,
pausing texts, stopping cadences): what will happen, to whom, and a button to go ahead."""

from django.contrib.admin import helpers
from django.template.response import TemplateResponse

CONFIRMED = "confirmed"


def confirmed(request) -> bool:
    return request.POST.get(CONFIRMED) == "yes"


def confirmation_page(
    modeladmin, request, queryset, *, action: str, title: str, consequence: str, button: str
):
    """The page that asks; its form posts the same action again, with `confirmed=yes`."""
    carried = {
        name: value
        for name, value in request.POST.items()
        if name not in ("csrfmiddlewaretoken", helpers.ACTION_CHECKBOX_NAME, CONFIRMED, "index")
    }
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "consequence": consequence,
        "button": button,
        "objects": list(queryset[:200]),
        "count": queryset.count(),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across") == "1",
        "carried": carried,
        "action": action,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/confirm_action.html", context)
