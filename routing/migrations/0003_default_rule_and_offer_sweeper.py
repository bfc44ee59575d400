from django.db import migrations

from mortgage_sms import schedules

DEFAULT_RULE = "Everyone (default)"


def seed(apps, schema_editor):
    RoutingRule = apps.get_model("routing", "RoutingRule")
    # The catch-all: last in line, no conditions, every officer, in turn.
    if not RoutingRule.objects.filter(name=DEFAULT_RULE).exists():
        RoutingRule.objects.create(name=DEFAULT_RULE, priority=1000, strategy="round_robin")
    schedules.register(apps, name="Offer expiry sweeper", func="routing.tasks.sweep_offers")


def unseed(apps, schema_editor):
    schedules.unregister(apps, name="Offer expiry sweeper")


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0002_routing_rules_offers"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
