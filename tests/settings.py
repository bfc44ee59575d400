"""Test settings: the real settings, with django-q2 running tasks inline.

django-q2 reads its configuration once at import, so this cannot be a per-test override.
Inline tasks still go through django-q2's own pickle round trip, so a task whose arguments
would not survive the broker fails here as it would in production."""

from mortgage_sms.settings import *  # noqa: F403
from mortgage_sms.settings import Q_CLUSTER

Q_CLUSTER = {**Q_CLUSTER, "sync": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
