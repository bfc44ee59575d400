"""The job broker when there is no Redis: django-q2's database (ORM) broker, made cheaper for
the web request that queues a lead's greeting.

Every lead queues its greeting from the POST that stored it (on commit), through a broker made
for that one task. Two things cost that request more than the work: the ORM's create of the
queue row (several times the insert itself), and the ORM broker's closing of the process's
stale database connections, when it is made and again when it enqueues, which marks the
request's connection for a health check: one more round trip (SELECT 1) before the insert.
Stale connections are closed by the request cycle already (and by django-q2's worker before
each task, and by this broker's dequeue, as before). Everything else (what the workers dequeue,
lock, acknowledge) is django-q2's own."""

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django_q.brokers.orm import ORM
from django_q.conf import Conf
from django_q.models import OrmQ

from mortgage_sms import rows


class DatabaseBroker(ORM):
    def __init__(self, list_key: str | None = None):
        # Broker.__init__, without get_connection()'s closing of stale connections.
        self.list_key = list_key or Conf.CLUSTER_NAME
        self.connection = OrmQ.objects.using(Conf.ORM)
        self.cache = self.get_cache()
        self._info = None

    def enqueue(self, task):
        if Conf.ORM != DEFAULT_DB_ALIAS:  # rows writes to the default database only
            return super().enqueue(task)
        # list_key might be null (in a test setup), as django-q2 notes; the key may not be.
        queued = OrmQ(key=self.list_key or Conf.CLUSTER_NAME, payload=task, lock=timezone.now())
        return rows.insert(queued).pk
