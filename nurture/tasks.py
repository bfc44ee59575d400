"""django-q2 entry points: call one service. The dispatcher is safe to run twice at once."""

from nurture import dispatch


def dispatch_due() -> dict:
    return dispatch.nurture_dispatch()
