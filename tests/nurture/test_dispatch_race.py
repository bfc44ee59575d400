"""Two dispatchers at once (two django-q2 workers, say) on the same due enrollments."""

import threading
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from conversations.models import Kind, Message
from nurture.dispatch import nurture_dispatch
from nurture.models import Enrollment
from tests.factories import CadenceStepFactory, EnrollmentFactory, LeadFactory

DUE = 40
NOW = datetime(2026, 10, 6, 10, tzinfo=ZoneInfo("America/Chicago"))


def run_concurrently(workers: int, work) -> list:
    """Start `workers` threads together; each has its own database connection."""
    start, results, errors = threading.Barrier(workers), [], []

    def worker():
        try:
            start.wait()
            results.append(work())
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_racing_send_every_step_exactly_once(time_machine):
    # The texts are delivered as they are queued: the whole clock, not only the dispatcher's
    # `now`, must be inside the borrowers' window, whatever the hour the suite runs at.
    time_machine.move_to(NOW)
    first = CadenceStepFactory(position=1, delay_amount=1, delay_unit="days")
    CadenceStepFactory(cadence=first.cadence, position=2)
    for n in range(DUE):
        lead = LeadFactory(state="TX", phone=f"+1512555{n:04d}")
        EnrollmentFactory(lead=lead, step=first, next_run_at=NOW)

    results = run_concurrently(2, lambda: nurture_dispatch(now=NOW, batch_size=5))

    assert sum(r.get("sent", 0) for r in results) == DUE
    texts = Message.objects.filter(kind=Kind.NURTURE)
    assert texts.count() == DUE
    assert Counter(texts.values_list("lead_id", flat=True)).most_common(1)[0][1] == 1
    assert set(Enrollment.objects.values_list("step__position", flat=True)) == {2}
    assert set(texts.values_list("status", flat=True)) == {"sent"}
