from django.db import migrations

from mortgage_sms import schedules


def register(apps, schema_editor):
    schedules.register(apps, name="Report facts refresh", func="reporting.tasks.refresh_stale_facts", minutes=5)


def unregister(apps, schema_editor):
    schedules.unregister(apps, name="Report facts refresh")


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(register, unregister)]
