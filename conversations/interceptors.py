"""Layers above the assistant that may answer a borrower's text first.

The conversations app cannot import the apps above it; they register here (in their
AppConfig.ready) and are asked, in order, before the assistant takes its turn. The first that
answers the text keeps it from the assistant. Scheduling uses this: a borrower answering "2"
to offered times is booked, not asked the next qualification question."""

from collections.abc import Callable

_interceptors: list[Callable] = []


def register(interceptor: Callable) -> None:
    """`interceptor(lead=..., message=...) -> bool`: True when it answered the text."""
    if interceptor not in _interceptors:
        _interceptors.append(interceptor)


def intercept(*, lead, message) -> bool:
    return any(interceptor(lead=lead, message=message) for interceptor in _interceptors)
