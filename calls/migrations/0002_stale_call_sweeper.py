from django.db import migrations

from mortgage_sms.schedules import register, unregister


def schedule_sweeper(apps, schema_editor):
    register(apps, name="Calls left live", func="calls.tasks.settle_stale_calls", minutes=5)


def unschedule_sweeper(apps, schema_editor):
    unregister(apps, name="Calls left live")


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(schedule_sweeper, unschedule_sweeper)]
