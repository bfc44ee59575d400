"""The shipped Spanish day-one nudge cost four SMS segments (UCS-2, with the opt-out line); the
automated-text checker allows three. Shortened where ops have not edited it."""

from django.db import migrations

OLD = (
    "Hola {first_name}, le escribe {company}. ¿Cuándo le conviene hablar sobre {loan_topic}? "
    "Un oficial de préstamos con licencia puede responder sus preguntas, sin compromiso."
)
NEW = (
    "Hola {first_name}, le escribe {company}. ¿Cuándo le conviene hablar sobre {loan_topic}? "
    "Un oficial con licencia le responde, sin compromiso."
)


def shorten(apps, schema_editor):
    CadenceStep = apps.get_model("nurture", "CadenceStep")
    CadenceStep.objects.filter(cadence__slug="no_reply_yet", body_es=OLD).update(body_es=NEW)


def restore(apps, schema_editor):
    CadenceStep = apps.get_model("nurture", "CadenceStep")
    CadenceStep.objects.filter(cadence__slug="no_reply_yet", body_es=NEW).update(body_es=OLD)


class Migration(migrations.Migration):
    dependencies = [("nurture", "0003_dispatcher_schedule")]

    operations = [migrations.RunPython(shorten, restore)]
