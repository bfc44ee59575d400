from django.core.management.base import BaseCommand, CommandError

from mortgage_sms.errors import ApplicationError
from routing.services import officer_create


class Command(BaseCommand):
    help = "Create a loan officer with a login for the officer pages (/officer/)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--nmls", required=True, help="NMLS ID")
        parser.add_argument("--states", required=True, help="Licensed states, e.g. TX,OK")
        parser.add_argument(
            "--products", default="", help="Loan types, e.g. conventional,fha,va (default: all)"
        )
        parser.add_argument("--phone", default="", help="Mobile for lead alerts")
        parser.add_argument("--email", default="")

    def handle(self, *args, **o):
        try:
            officer = officer_create(
                username=o["username"],
                password=o["password"],
                name=o["name"],
                nmls_id=o["nmls"],
                states=o["states"],
                products=o["products"],
                mobile_phone=o["phone"],
                email=o["email"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Created officer {officer.name} (NMLS {officer.nmls_id}), licensed in "
            f"{', '.join(officer.licensed_states)}, products {', '.join(officer.products)}."
        )
