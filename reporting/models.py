"""Per-lead facts the reports read: derived from messages, events and the lead, never edited.

Each row is recomputed from those records whenever the lead has changed since (the lead's
`updated_at` moves with every status change, text sent or received, assignment); the report
refreshes what is stale before it counts, and a schedule keeps the rest fresh in between."""

from django.db import models

from mortgage_sms.timefmt import local

# The funnel's stages after the conversation, in order: a lead that reached one reached the
# ones before it (an officer assigned directly by ops counts as offered).
STAGES = ("qualified", "offered", "claimed", "won")


class LeadDimensions(models.Model):
    """The lead's own fields the report filters on, copied so it reads one narrow table."""

    created_at = models.DateTimeField(db_index=True, help_text="The lead's")
    source = models.CharField(max_length=16)
    source_detail = models.CharField(max_length=200)
    state = models.CharField(max_length=2, blank=True, help_text="Property state, else contact state")
    officer = models.ForeignKey("routing.LoanOfficer", null=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=2)

    class Meta:
        abstract = True


class LeadFact(LeadDimensions):
    lead = models.OneToOneField("leads.Lead", on_delete=models.CASCADE, primary_key=True, related_name="fact")
    lead_updated_at = models.DateTimeField(help_text="The lead's updated_at these facts were computed from")
    status = models.CharField(max_length=20)
    # What happened.
    first_text_at = models.DateTimeField(null=True, help_text="First text handed to the carrier")
    speed_seconds = models.FloatField(null=True, help_text="Inquiry to first text (greetings and replies)")
    reply_seconds = models.FloatField(null=True, help_text="First text to the borrower's first text")
    stage = models.PositiveSmallIntegerField(default=0, help_text="0 none, then STAGES by position")
    qualified_at = models.DateTimeField(null=True)
    claimed_at = models.DateTimeField(null=True)
    lost = models.BooleanField(default=False)
    opted_out = models.BooleanField(default=False)
    opt_out_after_kind = models.CharField(max_length=16, blank=True, help_text="Kind of the last text before")
    officer_reply_seconds = models.FloatField(null=True, help_text="Claim to the officer's first text")
    texts_first_contact = models.PositiveIntegerField(default=0)
    texts_reply = models.PositiveIntegerField(default=0)
    texts_nurture = models.PositiveIntegerField(default=0)
    texts_introduction = models.PositiveIntegerField(default=0)
    texts_compliance = models.PositiveIntegerField(default=0)
    segments = models.PositiveIntegerField(default=0, help_text="SMS segments handed to the carrier")
    fallbacks = models.PositiveIntegerField(default=0, help_text="Assistant turns the fallback answered")
    handoffs = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "lead fact"
        default_permissions = ()
        permissions = [("view_reports", "Can see the reports and export them")]

    def __str__(self):
        return f"Facts of lead {self.lead_id}"


class NurtureSendFact(LeadDimensions):
    """One cadence step's text to one borrower, and what followed it."""

    message = models.OneToOneField(
        "conversations.Message", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    step_id = models.BigIntegerField(help_text="nurture.CadenceStep, kept when the step is deleted")
    sent_at = models.DateTimeField()
    replied_48h = models.BooleanField(default=False)
    opted_out_48h = models.BooleanField(default=False)
    revived = models.BooleanField(default=False, help_text="Replied within 48 h, then qualified")

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"Step {self.step_id} to lead {self.lead_id}"


class FactsWatermark(models.Model):
    """A moment before which every lead's facts were fresh when the refresh task last caught up:
    only leads changed after it can be stale, so the report checks those (by `updated_at`)."""

    fresh_before = models.DateTimeField()

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"Facts fresh before {local(self.fresh_before, seconds=True)}"
