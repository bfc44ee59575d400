import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from mortgage_sms.errors import ApplicationError
from routing.services import officer_create


class Command(BaseCommand):
    help = (
        "Create a loan officer with a login for the officer pages (/officer/). The password must "
        "pass the password rules; keep it off the command line with --password-stdin, or leave "
        "both password options out to be asked for it."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        password = parser.add_mutually_exclusive_group()
        password.add_argument("--password", help="Visible in the shell history and process list")
        password.add_argument(
            "--password-stdin", action="store_true", help="Read the password from the first line of stdin"
        )
        parser.add_argument("--name", required=True)
        parser.add_argument("--nmls", required=True, help="NMLS ID")
        parser.add_argument("--states", required=True, help="Licensed states, e.g. TX,OK")
        parser.add_argument(
            "--products", default="", help="Loan types, e.g. conventional,fha,va (default: all)"
        )
        parser.add_argument("--phone", default="", help="Mobile for lead alerts and calls, e.g. +15125550100")
        parser.add_argument("--email", default="", help="For lead alerts and password resets")
        parser.add_argument(
            "--after-hours", action="store_true", help="Takes offers outside working hours too"
        )

    def handle(self, *args, **o):
        try:
            officer = officer_create(
                username=o["username"],
                password=self._password(o),
                name=o["name"],
                nmls_id=o["nmls"],
                states=o["states"],
                products=o["products"],
                mobile_phone=o["phone"],
                email=o["email"],
                after_hours=o["after_hours"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Created officer {officer.name} (NMLS {officer.nmls_id}), licensed in "
            f"{', '.join(officer.licensed_states)}, products {', '.join(officer.products)}"
            f"{', takes offers after hours' if officer.after_hours else ''}."
        )

    def _password(self, options) -> str:
        stdin = options.get("stdin", sys.stdin)
        if options["password"] is not None:
            return options["password"]
        if options["password_stdin"]:
            return stdin.readline().rstrip("\r\n")
        if not stdin.isatty():
            raise CommandError("Give the password with --password-stdin (or --password).")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
