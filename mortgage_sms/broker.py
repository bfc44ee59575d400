"""The job broker when there is no Redis: django-q2's database (ORM) broker, its enqueue built
once as SQL.

Every lead queues its greeting from the web request that stored it (on commit), so the queue
row's insert is on the POST's path; the ORM's create of that one row cost more than the insert
itself. Everything else (what the workers dequeue, lock, acknowledge) is django-q2's own."""

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django_q.brokers.orm import ORM
from django_q.conf import Conf
from django_q.models import OrmQ

from mortgage_sms import rows


class DatabaseBroker(ORM):
    def enqueue(self, task):
        if Conf.ORM != DEFAULT_DB_ALIAS:  # rows writes to the default database only
            return super().enqueue(task)
        self.get_connection()  # as the ORM broker does before writing: closes a stale connection
        # list_key might be null (in a test setup), as django-q2 notes; the key may not be.
        queued = OrmQ(key=self.list_key or Conf.CLUSTER_NAME, payload=task, lock=timezone.now())
        return rows.insert(queued).pk
