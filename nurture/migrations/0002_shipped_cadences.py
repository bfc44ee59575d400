"""The two cadences the product ships with; ops edit them in the admin afterwards.

The texts live here, not in app code, so this migration means the same thing forever."""

from django.db import migrations

NO_REPLY_YET = {
    "slug": "no_reply_yet",
    "name": "No reply yet",
    "trigger": "no_reply",
    "finish_status": "unresponsive",
    "repeat_last_step": 0,
    "description": "For leads that never answered the first text: short nudges after about 10 "
    "minutes, 1 day, 3 days and 7 days (counted from the first text), then `unresponsive`.",
    "steps": [
        (10, "minutes", "enrollment",
         "Hi {first_name}, just making sure my text reached you. Any questions about your "
         "{loan_topic}? Reply here anytime.",
         "Hola {first_name}, solo quería confirmar que recibió mi mensaje. ¿Tiene alguna "
         "pregunta sobre {loan_topic}? Responda aquí cuando quiera."),
        (1, "days", "enrollment",
         "Hi {first_name}, {company} here. When is a good time to talk about your {loan_topic}? "
         "A licensed loan officer can answer your questions, no obligation.",
         "Hola {first_name}, le escribe {company}. ¿Cuándo le conviene hablar sobre {loan_topic}? "
         "Un oficial de préstamos con licencia puede responder sus preguntas, sin compromiso."),
        (3, "days", "enrollment",
         "{first_name}, still thinking about your {loan_topic}? Reply with a good time and a "
         "loan officer will reach out.",
         "{first_name}, ¿sigue pensando en {loan_topic}? Responda con un buen horario y un "
         "oficial de préstamos le contactará."),
        (7, "days", "enrollment",
         "Hi {first_name}, this is our last check-in from {company}. If you'd like help with "
         "your {loan_topic} later, just reply to this number anytime.",
         "Hola {first_name}, este es nuestro último mensaje de {company}. Si más adelante quiere "
         "ayuda con {loan_topic}, responda a este número cuando quiera."),
    ],
}  # fmt: skip

NOT_READY_YET = {
    "slug": "not_ready_yet",
    "name": "Not ready yet",
    "trigger": "nurturing",
    "finish_status": "",
    # Monthly touches after the first six months, for another year; ops may change that.
    "repeat_last_step": 11,
    "description": "For `not_ready` and cold leads (status `nurturing`): a touch every 2-4 weeks "
    "for six months, then monthly; each one offers to reconnect.",
    "steps": [
        (2, "weeks", "previous",
         "Hi {first_name}, {company} checking in. No rush on your {loan_topic}: whenever you're "
         "ready, reply here and we'll pick up where we left off.",
         "Hola {first_name}, le saluda {company}. Sin prisa con {loan_topic}: cuando esté listo, "
         "responda aquí y seguimos donde lo dejamos."),
        (3, "weeks", "previous",
         "Hi {first_name}, loan programs change through the year. Want a quick update? Reply "
         "here to reconnect with {company}.",
         "Hola {first_name}, los programas de préstamos cambian durante el año. ¿Quiere una "
         "actualización? Responda aquí para volver a hablar con {company}."),
        (3, "weeks", "previous",
         "{first_name}, how are your plans coming along? We're here when you are. Reply anytime "
         "to reconnect.",
         "{first_name}, ¿cómo van sus planes? Estamos aquí cuando usted lo esté. Responda cuando "
         "quiera para retomar la conversación."),
        (4, "weeks", "previous",
         "Hi {first_name}, {company} here. If your plans have moved forward, reply and a "
         "licensed loan officer will help you with the next step.",
         "Hola {first_name}, le escribe {company}. Si sus planes avanzaron, responda y un oficial "
         "de préstamos con licencia le ayudará con el siguiente paso."),
        (4, "weeks", "previous",
         "Hi {first_name}, just keeping in touch. Any questions about your {loan_topic}? Reply "
         "here and we'll reconnect.",
         "Hola {first_name}, solo para mantenernos en contacto. ¿Tiene preguntas sobre "
         "{loan_topic}? Responda aquí y retomamos."),
        (4, "weeks", "previous",
         "{first_name}, getting closer to your {loan_topic}? A quick reply is all it takes to "
         "reconnect with {company}.",
         "{first_name}, ¿se acerca el momento de {loan_topic}? Basta con responder para volver a "
         "hablar con {company}."),
        (4, "weeks", "previous",
         "Hi {first_name}, it's been a few months. Whenever you'd like to talk about your "
         "{loan_topic}, reply here and we'll reconnect.",
         "Hola {first_name}, han pasado unos meses. Cuando quiera hablar sobre {loan_topic}, "
         "responda aquí y retomamos."),
        (1, "months", "previous",
         "Hi {first_name}, {company} checking in for the month. Ready to talk about your "
         "{loan_topic}? Reply anytime to reconnect.",
         "Hola {first_name}, {company} le saluda este mes. ¿Listo para hablar sobre {loan_topic}? "
         "Responda cuando quiera para retomar."),
    ],
}  # fmt: skip


def ship(apps, schema_editor):
    Cadence = apps.get_model("nurture", "Cadence")
    CadenceStep = apps.get_model("nurture", "CadenceStep")
    for spec in (NO_REPLY_YET, NOT_READY_YET):
        fields = {k: v for k, v in spec.items() if k not in ("slug", "steps")}
        cadence, created = Cadence.objects.get_or_create(slug=spec["slug"], defaults=fields)
        if not created:
            continue  # already there, perhaps edited: leave it alone
        for position, (amount, unit, anchor, body, body_es) in enumerate(spec["steps"], start=1):
            CadenceStep.objects.create(
                cadence=cadence,
                position=position,
                delay_amount=amount,
                delay_unit=unit,
                delay_from=anchor,
                body=body,
                body_es=body_es,
            )


class Migration(migrations.Migration):
    dependencies = [("nurture", "0001_initial")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
