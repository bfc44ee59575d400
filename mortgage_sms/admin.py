"""The admin of the libraries we install: their actions that change data need a permission,
like every action of ours (staff who may only look must not run them)."""

from axes.admin import AccessAttemptAdmin
from django_q import admin as django_q_admin

# "Resubmit" runs a job again (a text, a delivery).
django_q_admin.resubmit_task.allowed_permissions = ("change",)
# "Clean up expired attempts" deletes login-failure records.
AccessAttemptAdmin.cleanup_expired_attempts.allowed_permissions = ("delete",)
