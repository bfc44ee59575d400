from django.db import migrations

from mortgage_sms import schedules

SEED_RULES = [
    # Florida Telephone Solicitation Act (2021) and Oklahoma Telephone Solicitation Act (2022).
    {"state": "FL", "start_hour": 8, "end_hour": 20, "max_per_24h": 3, "note": "Fla. Stat. 501.059"},
    {"state": "OK", "start_hour": 8, "end_hour": 20, "max_per_24h": 3, "note": "15 O.S. 775C.1"},
]


def seed(apps, schema_editor):
    ContactRule = apps.get_model("conversations", "ContactRule")
    for rule in SEED_RULES:
        ContactRule.objects.get_or_create(state=rule["state"], defaults=rule)
    schedules.register(apps, name="Outbox sweeper", func="conversations.tasks.sweep_outbox")


def unseed(apps, schema_editor):
    schedules.unregister(apps, name="Outbox sweeper")


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
