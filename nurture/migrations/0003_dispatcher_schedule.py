from django.db import migrations

from mortgage_sms import schedules


def register(apps, schema_editor):
    schedules.register(apps, name="Nurture dispatcher", func="nurture.tasks.dispatch_due", minutes=1)


def unregister(apps, schema_editor):
    schedules.unregister(apps, name="Nurture dispatcher")


class Migration(migrations.Migration):
    dependencies = [
        ("nurture", "0002_shipped_cadences"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(register, unregister)]
