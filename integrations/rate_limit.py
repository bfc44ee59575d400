"""Counting an API client's requests where every web process sees the same count.

A fixed window per client (API_RATE_LIMIT's period, aligned to the clock), counted with one
atomic statement: Redis's INCR when REDIS_URL is set, else an upsert on the database's
ApiRequestCount table. A count kept in each process's memory let a client make the limit's
worth of requests in every gunicorn process."""

import logging
from datetime import datetime, timedelta

import redis
from django.conf import settings
from django.db import connection

from integrations.models import ApiRequestCount

logger = logging.getLogger(__name__)

_redis_clients: dict[str, redis.Redis] = {}  # one connection pool per URL, per process


def window_start(now: datetime, seconds: int) -> datetime:
    """The start of the window `now` falls in: windows of `seconds`, aligned to the epoch."""
    epoch = now.timestamp()
    return now - timedelta(seconds=epoch % seconds)


def count_request(client_id: int, start: datetime, seconds: int) -> int | None:
    """Count one request of the client in the window starting at `start`; the count so far,
    or None when Redis cannot be reached (the request is let through: a rate limit is not
    worth refusing a CRM's leads for)."""
    if settings.REDIS_URL:
        return _count_in_redis(client_id, start, seconds)
    return _count_in_database(client_id, start)


def _count_in_redis(client_id: int, start: datetime, seconds: int) -> int | None:
    key = f"mortgage_sms:api_rate:{client_id}:{int(start.timestamp())}"
    try:
        pipe = _redis_client().pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, seconds + 1, nx=True)
        count, _ = pipe.execute()
    except redis.exceptions.RedisError as error:
        logger.warning("API rate limit not counted: Redis unreachable (%s)", error)
        return None
    return count


def _redis_client() -> redis.Redis:
    url = settings.REDIS_URL
    if url not in _redis_clients:
        _redis_clients[url] = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    return _redis_clients[url]


UPSERT = (
    f"INSERT INTO {ApiRequestCount._meta.db_table} (client_id, window_start, count) VALUES (%s, %s, 1) "
    f"ON CONFLICT (client_id, window_start) DO UPDATE SET count = {ApiRequestCount._meta.db_table}.count + 1 "
    "RETURNING count"
)


def _count_in_database(client_id: int, start: datetime) -> int:
    """One atomic statement (two requests at once both count); the client's past windows are
    deleted when a new one begins, so the table holds about one row per active client."""
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [client_id, connection.ops.adapt_datetimefield_value(start)])
        (count,) = cursor.fetchone()
    if count == 1:
        ApiRequestCount.objects.filter(client_id=client_id, window_start__lt=start).delete()
    return count
