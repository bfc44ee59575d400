"""Queueing work for the django-q2 workers: on commit, in one of two lanes, and never at the cost
of a request that already stored what it was asked to.

Two lanes, each a django-q2 cluster with its own queue and workers (docs/operations.md):
- the priority lane (`Q_CLUSTER_NAME=priority manage.py qcluster`): what a borrower or an
  officer is waiting for right now (a first text, a STOP's confirmation, the assistant's
  reply, an officer's alert), on its first attempt;
- the default lane (`manage.py qcluster`): retries, nurture, webhook and CRM deliveries,
  sweepers and every periodic job.

Whatever is queued is also in the database (a queued Message, an unprocessed inbound text, a
pending Delivery...), so a task the broker loses (Redis acknowledges nothing) or never got
(the broker was down) is found again by a sweeper."""

import logging
from datetime import datetime
from functools import partial

import redis
from django.conf import settings
from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)

PRIORITY_LANE = "priority"
# What an unreachable broker raises: Redis, or the database behind the ORM broker.
BROKER_ERRORS = (redis.exceptions.RedisError, DatabaseError)


def enqueue(task: str, *args, priority: bool = False, keep_result: bool = True) -> None:
    """Queue `task(*args)` once the caller's transaction commits, never before its rows exist.

    keep_result=False: django-q2 stores no row when the task succeeds (a failure is stored as
    ever). For tasks run once per lead whose outcome the lead's timeline records already: storing
    a success costs the cluster's monitor a transaction that locks and reads up to `save_limit`
    stored successes, a delete and an insert, per lead."""
    transaction.on_commit(partial(_push, task, args, priority, keep_result))


def lane(priority: bool) -> str | None:
    """The cluster a task goes to; None is the default cluster."""
    return PRIORITY_LANE if priority and settings.Q_PRIORITY_LANE else None


def _push(task: str, args: tuple, priority: bool, keep_result: bool = True) -> None:
    from django_q.conf import Conf
    from django_q.tasks import async_task

    options = {"group": task.rsplit(".", 1)[-1], "cluster": lane(priority)}
    if not keep_result:
        options["save"] = False
    if Conf.SYNC:
        async_task(task, *args, **options)  # inline (tests): a failing task must fail loudly
        return
    try:
        async_task(task, *args, **options)
    except BROKER_ERRORS as error:
        # Committed already: answering 500 now would report a failure for what was stored.
        logger.error(
            "Job broker unreachable, %s%r not queued (%s): a sweeper will find the work in the database.",
            task,
            args,
            error,
        )


def enqueue_at(task: str, *args, at: datetime, priority: bool = False) -> None:
    """Run `task(*args)` at `at`, to the second, on the default lane (or the priority lane's
    cluster, when a borrower waits for it): a one-off django-q2 schedule saved in the caller's
    transaction, which every qcluster's scheduler looks at each second
    (mortgage_sms/management/commands/qcluster.py). Saved in the database, it survives a broker
    that loses its queue."""
    from django_q.models import Schedule

    Schedule.objects.create(
        func=task,
        args=repr(args),
        schedule_type=Schedule.ONCE,
        next_run=at,
        repeats=-1,  # a ONCE schedule with negative repeats is deleted once it has run
        cluster=lane(priority),
    )


def lanes() -> list[str]:
    """The clusters' names, which are also their queues' names."""
    from django_q.conf import Conf

    return [Conf.PREFIX, PRIORITY_LANE] if settings.Q_PRIORITY_LANE else [Conf.PREFIX]


def broker_waiting() -> dict[str, int]:
    """Tasks waiting in each lane's queue; raises one of BROKER_ERRORS when the broker is down.

    On Redis this asks with a short timeout of its own: a health check must not hang."""
    from django_q.brokers import get_broker

    if not settings.REDIS_URL:
        return {name: get_broker(name).queue_size() for name in lanes()}
    client = redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        return {name: client.llen(get_broker(name).list_key) for name in lanes()}
    finally:
        client.close()
