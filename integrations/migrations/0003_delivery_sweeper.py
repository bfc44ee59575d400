from django.db import migrations

from mortgage_sms import schedules

NAME = "Webhook and CRM delivery sweeper"


def register(apps, schema_editor):
    schedules.register(apps, name=NAME, func="integrations.tasks.sweep_deliveries")


def unregister(apps, schema_editor):
    schedules.unregister(apps, name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_webhooks_and_crm_connectors"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(register, unregister)]
