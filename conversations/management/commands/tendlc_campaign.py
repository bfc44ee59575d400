"""Print what a 10DLC campaign registration (The Campaign Registry, through Twilio) asks for,
filled in from this deployment's live texts: paste it into the console's campaign form."""

from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand

from conversations import keywords, template_check, texts
from leads.models import Lead
from nurture.models import Cadence, Trigger
from nurture.rendering import SampleOfficer, render_step, sample_lead

CONSENT_SAMPLE = 3  # the most common disclosure texts on file, newest leads first
RECENT_LEADS = 500


class Command(BaseCommand):
    help = "Print a 10DLC campaign registration: description, samples from the live texts, opt-in flow, keywords."

    def handle(self, *args, **options):
        for title, body in self.sections():
            self.stdout.write(f"\n== {title} ==\n{body}\n")

    def sections(self) -> list[tuple[str, str]]:
        company, nmls = settings.COMPANY_NAME, settings.COMPANY_NMLS_ID
        return [
            ("Brand", f"{company} (NMLS #{nmls}); support: {settings.SUPPORT_CONTACT}"),
            ("Use case", "MIXED (lead follow-up: customer care and marketing of mortgage loans)"),
            ("Campaign attributes", "Direct lending or loan arrangement: YES. Embedded links: NO. "
             "Embedded phone numbers: NO. Age-gated content: NO. Affiliate marketing: NO. Number pooling: "
             "only if you use a Messaging Service with several numbers."),
            ("Description", self.description(company)),
            ("Message flow (opt-in)", self.message_flow(company)),
            ("Sample messages", self.samples()),
            ("Opt-in keywords", ", ".join(sorted(keywords.OPT_IN_KEYWORDS))),
            ("Opt-in confirmation", texts.text("opt_in_confirmation", "en")),
            ("Opt-out keywords", ", ".join(sorted(keywords.OPT_OUT_KEYWORDS))),
            ("Opt-out confirmation", texts.text("opt_out_confirmation", "en")),
            ("Help keywords", ", ".join(sorted(keywords.HELP_KEYWORDS))),
            ("Help message", texts.text("help", "en")),
        ]  # fmt: skip

    @staticmethod
    def description(company: str) -> str:
        return (
            f"{company} texts consumers who asked about a home loan on its website or a partner's form and "
            "agreed to receive texts: a first reply within seconds, a few qualifying questions (purchase or "
            "refinance, timeline, state), an introduction to a licensed loan officer, and follow-ups until the "
            "consumer replies or opts out. Follow-ups respect each state's contact hours and caps. No rates or "
            "loan terms are quoted by automated texts. Consumers can reply STOP at any time and HELP for help."
        )

    @staticmethod
    def message_flow(company: str) -> str:
        recent = Lead.objects.filter(sms_consent=True).exclude(consent_text="").order_by("-created_at")
        common = Counter(recent.values_list("consent_text", flat=True)[:RECENT_LEADS]).most_common(
            CONSENT_SAMPLE
        )
        flow = (
            "Consumers opt in on a web form with an unchecked checkbox next to this disclosure, which is stored "
            "with each lead (time, IP address, user agent, page URL and, where used, a TrustedForm certificate or "
            "Jornaya LeadiD). A consumer who texts the number first has asked to hear from us."
        )
        if not common:
            return (
                f'{flow}\nDisclosure: (no lead with a disclosure on file yet) e.g. "By checking this box I agree to '
                f"receive text messages from {company} about my inquiry at the number provided, including by "
                "automated means. Consent is not a condition of purchase. Msg frequency varies. Msg & data rates "
                'may apply. Reply HELP for help, STOP to cancel."'
            )
        return flow + "".join(
            f'\nDisclosure on file ({count} recent leads): "{text}"' for text, count in common
        )

    def samples(self) -> str:
        lead = sample_lead("en")
        messages = [texts.first_contact_text(lead), texts.first_contact_text(sample_lead("es"))]
        for cadence in Cadence.objects.filter(active=True).exclude(trigger=Trigger.MANUAL).order_by("name"):
            step = cadence.steps.order_by("position").first()
            if step is not None:
                messages.append(self._with_opt_out(render_step(step, lead, SampleOfficer())))
        return "\n".join(
            f"{n}. {m}\n   [{template_check.segments(m).describe()}]" for n, m in enumerate(messages, 1)
        )

    @staticmethod
    def _with_opt_out(body: str) -> str:
        return body if "STOP" in body else f"{body} {texts.OPT_OUT_LINE['en']}"
