"""`manage.py qcluster`: django-q2's worker cluster, stopped the way services are stopped, and
running scheduled work on time. It replaces django-q2's own command of the same name.

- A SIGTERM or SIGINT sent to the whole process group (systemd's default, a terminal's Ctrl-C,
  a container runtime) stops it gracefully. Only this main process acts on the signal: the
  sentinel and the worker, pusher and monitor processes it forks ignore SIGTERM (django-q2
  already has them ignore SIGINT). So the text being handed to Twilio is finished, the pusher
  stops taking work, and the workers finish what they hold and exit. Under django-q2's own
  command they died mid-send and the main process hung until SIGKILL.
- django-q2 looks at its schedules every 30 s; this main process also looks every second, so
  work queued for a given moment (mortgage_sms.jobs.enqueue_at: a retry's backoff) runs then.

The lane comes from the environment, as django-q2 reads it at import:
`Q_CLUSTER_NAME=priority manage.py qcluster` runs the priority lane."""

import logging
import signal
import threading
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

logger = logging.getLogger(__name__)

SCHEDULE_CHECK_SECONDS = 1.0


class Command(BaseCommand):
    help = "Starts a django-q2 worker cluster (Q_CLUSTER_NAME=priority for the priority lane)."

    def handle(self, *args, **options):
        if not settings.SECRET_KEY:
            raise CommandError("Set SECRET_KEY: django-q2 signs every task with it.")
        if not GracefulCluster().run():
            raise CommandError("The cluster's sentinel died; see the log above.")


class GracefulCluster:
    def __init__(self):
        self.stop_requested = threading.Event()

    def run(self) -> bool:
        """Serve until SIGTERM or SIGINT; True if it stopped because it was asked to."""
        from django_q.brokers import get_broker
        from django_q.cluster import get_mp_context
        from django_q.conf import Conf

        from conversations.gateways import preload

        preload()  # before the workers are forked: they share what it imports
        context = get_mp_context()
        stop_event, start_event = context.Event(), context.Event()
        sentinel = context.Process(
            target=_sentinel_that_finishes_its_work,
            args=(stop_event, start_event, uuid.uuid4()),
            name=f"Process-{uuid.uuid4().hex}",
        )
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._request_stop)
        sentinel.start()
        logger.info("Cluster %s started (pid %s)", Conf.CLUSTER_NAME, sentinel.pid)
        broker = get_broker()
        while not self.stop_requested.is_set() and sentinel.is_alive():
            if start_event.is_set():
                _run_due_schedules(broker)
            self.stop_requested.wait(SCHEDULE_CHECK_SECONDS)
        stop_event.set()
        sentinel.join()
        logger.info("Cluster %s stopped", Conf.CLUSTER_NAME)
        return self.stop_requested.is_set()

    def _request_stop(self, signum, frame) -> None:
        logger.info("Cluster stopping (%s): finishing the work in hand", signal.Signals(signum).name)
        self.stop_requested.set()


def _sentinel_that_finishes_its_work(stop_event, start_event, cluster_id) -> None:
    """django-q2's sentinel, ignoring SIGTERM like every process it forks from here on."""
    from django_q.cluster import Sentinel

    sentinel = Sentinel(stop_event, start_event, cluster_id, start=False)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # Sentinel() had restored the default
    sentinel.start()


def _run_due_schedules(broker) -> None:
    from django_q.scheduler import scheduler

    scheduler(broker=broker)  # logs and swallows its own errors (a broker down): tried again next second
