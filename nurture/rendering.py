"""Step texts: a template that may use a fixed set of the lead's and the officer's fields.

Templates are str.format strings, but only bare placeholders from PLACEHOLDERS pass
validation: "{first_name.__class__}" or "{first_name!r}" would let an admin reach into objects."""

from dataclasses import dataclass
from datetime import datetime
from string import Formatter
from zoneinfo import ZoneInfo

from django.conf import settings

from conversations import template_check, texts
from conversations.template_check import TemplateReport
from leads.choices import US_STATES
from leads.models import Lead

PLACEHOLDERS = {
    "first_name": "the borrower's first name ('there' when unknown)",
    "last_name": "the borrower's last name",
    "company": "the company name",
    "company_nmls": "the company's NMLS ID",
    "officer_name": "the assigned loan officer's name ('our team' when none)",
    "officer_nmls": "the assigned loan officer's NMLS ID",
    "loan_topic": "'home purchase', 'refinance'... ('home loan' when unknown)",
    "property_state": "the property's state, spelled out ('your area' when unknown)",
}
FALLBACKS = {
    "en": {"first_name": "there", "officer_name": "our team", "property_state": "your area"},
    "es": {"first_name": "", "officer_name": "nuestro equipo", "property_state": "su zona"},
}


@dataclass(frozen=True)
class SampleOfficer:
    name: str = "Jordan Lee"
    nmls_id: str = "1234567"


def sample_lead(language: str = "en") -> Lead:
    """An unsaved lead for previews in the admin."""
    return Lead(
        first_name="Maria",
        last_name="Lopez",
        phone="+15125550100",
        state="TX",
        property_state="TX",
        loan_purpose="purchase",
        language=language,
    )


def placeholder_errors(template: str) -> str | None:
    """What is wrong with a template's placeholders, in words an admin can act on."""
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as error:
        return f"A brace is not closed ({error}). Write {{first_name}}; a literal brace is {{{{ or }}}}."
    bad = [
        name
        for _, name, spec, conversion in parsed
        if name is not None and (name not in PLACEHOLDERS or spec or conversion)
    ]
    if bad:
        return f"Unknown placeholder(s): {', '.join('{' + b + '}' for b in bad)}. Use: " + ", ".join(
            "{" + p + "}" for p in PLACEHOLDERS
        )
    return None


def template_errors(template: str, *, language: str = "en", first_text: bool = False) -> str | None:
    """What is wrong with a template (placeholders, then the automated-text checker on the text a
    sample borrower gets); None when it is fine. first_text: no text from us came before it."""
    report = template_report(template, language=language, first_text=first_text)
    return " ".join(report.errors) or None


def template_report(template: str, *, language: str = "en", first_text: bool = False) -> TemplateReport:
    error = placeholder_errors(template)
    if error:
        return TemplateReport(errors=[error])
    text = render_template(template, sample_lead(language), SampleOfficer())
    return template_check.check_text(
        text,
        opt_out_line=texts.OPT_OUT_LINE.get(language, texts.OPT_OUT_LINE["en"]),
        needs_identity=first_text,
        company=settings.COMPANY_NAME,
    )


def values_for(lead: Lead, officer=None) -> dict:
    language = lead.language if lead.language in FALLBACKS else "en"
    fallback = FALLBACKS[language]
    topics = texts.TOPICS.get(language, texts.TOPICS["en"])
    state = lead.property_state or lead.state
    return {
        "first_name": lead.first_name or fallback["first_name"],
        "last_name": lead.last_name,
        "company": settings.COMPANY_NAME,
        "company_nmls": settings.COMPANY_NMLS_ID,
        "officer_name": officer.name if officer else fallback["officer_name"],
        "officer_nmls": officer.nmls_id if officer else "",
        "loan_topic": topics.get(lead.loan_purpose or "") or texts.text("topic_default", language),
        "property_state": US_STATES.get(state or "", fallback["property_state"]),
    }


def render_template(template: str, lead: Lead, officer=None) -> str:
    """Raises ValueError for a template the admin would have refused (edited elsewhere)."""
    error = placeholder_errors(template)
    if error:
        raise ValueError(error)
    text = template.format_map(values_for(lead, officer))
    # A missing name leaves "Hola , ..." or doubled spaces behind.
    return " ".join(text.split()).replace(" ,", ",")


def render_step(step, lead: Lead, officer=None, *, variant=None) -> str:
    """The step's text for this borrower, in their language when the step has it; an A/B
    variant's wording instead, where it has one for that language."""
    wording = variant.template_for(lead.language) if variant else ""
    spanish = lead.language == "es" and step.body_es.strip()
    return render_template(wording or (step.body_es if spanish else step.body), lead, officer)


# --- Previews in the admin ----------------------------------------------------------------------

# A sample enrollment for schedule previews: a Tuesday morning in Texas.
PREVIEW_START = datetime(2026, 1, 6, 10, tzinfo=ZoneInfo("America/Chicago"))


def step_previews(step) -> list[dict]:
    """The step's text for a sample borrower, in each language the step has."""
    previews = []
    for language, template in (("en", step.body), ("es", step.body_es)):
        report = template_report(template, language=language) if template.strip() else None
        if report and report.ok:
            text = render_template(template, sample_lead(language), SampleOfficer())
            previews.append(
                {
                    "language": language,
                    "text": text,
                    "length": len(text),
                    "segments": report.segments.describe(),
                }
            )
    return previews


def schedule_preview(cadence) -> list[dict]:
    """When each step would go for a sample borrower (contact windows aside), and its text."""
    rows, previous = [], PREVIEW_START
    for step in cadence.steps.order_by("position"):
        anchor = PREVIEW_START if step.delay_from == "enrollment" else previous
        previous = step.due_after(anchor, PREVIEW_START.tzinfo)
        texts_ = step_previews(step)
        rows.append(
            {
                "position": step.position,
                "after": _elapsed(previous - PREVIEW_START),
                "at": f"{previous:%a %b %-d, %H:%M}",
                "condition": f"{step.condition_field} in {step.condition_values}"
                if step.condition_field
                else "",
                "text": texts_[0]["text"] if texts_ else "(invalid template)",
            }
        )
    if rows and cadence.repeat_last_step:
        rows.append({"position": "", "after": f"then the last step {cadence.repeat_last_step} more time(s)"})
    return rows


def _elapsed(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(p for p in parts if p) or "at once"
