import django.db.models.deletion
from django.db import migrations, models

from mortgage_sms import schedules


def refresh_every_minute(apps, schema_editor):
    schedules.register(apps, name="Report facts refresh", func="reporting.tasks.refresh_stale_facts", minutes=1)


def forget_facts(apps, schema_editor):
    # Derived data: the report recomputes every row from the records, with the new columns.
    apps.get_model("reporting", "NurtureSendFact").objects.all().delete()
    apps.get_model("reporting", "LeadFact").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_refresh_schedule"),
        ("routing", "0003_default_rule_and_offer_sweeper"),
    ]

    operations = [
        migrations.RunPython(forget_facts, migrations.RunPython.noop),
        migrations.RunPython(refresh_every_minute, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="nurturesendfact", name="reporting_n_sent_at_758276_idx"),
        migrations.AddField(
            model_name="nurturesendfact",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=None, help_text="The lead's"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="nurturesendfact", name="source", field=models.CharField(default="", max_length=16), preserve_default=False
        ),
        migrations.AddField(
            model_name="nurturesendfact",
            name="source_detail",
            field=models.CharField(default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="nurturesendfact",
            name="state",
            field=models.CharField(blank=True, help_text="Property state, else contact state", max_length=2),
        ),
        migrations.AddField(
            model_name="nurturesendfact",
            name="officer",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="routing.loanofficer"
            ),
        ),
        migrations.AddField(
            model_name="nurturesendfact", name="language", field=models.CharField(default="en", max_length=2), preserve_default=False
        ),
        migrations.AlterField(
            model_name="leadfact",
            name="created_at",
            field=models.DateTimeField(db_index=True, help_text="The lead's"),
        ),
        migrations.CreateModel(
            name="FactsWatermark",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("fresh_before", models.DateTimeField()),
            ],
            options={"default_permissions": ()},
        ),
    ]
