"""A/B tests of automated texts: the first text after an inquiry, or a cadence step.

This app sits just above `leads`: the senders (conversations, nurture) ask it which variant a
borrower gets, so it imports neither of them."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Target(models.TextChoices):
    FIRST_TEXT = "first_text", "The first text after an inquiry"
    CADENCE_STEP = "cadence_step", "A cadence step"


class ExperimentStatus(models.TextChoices):
    RUNNING = "running"
    ENDED = "ended"


class Experiment(models.Model):
    name = models.CharField(max_length=120)
    target = models.CharField(max_length=16, choices=Target.choices, default=Target.FIRST_TEXT)
    step = models.ForeignKey(
        "nurture.CadenceStep",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experiments",
        help_text="For a cadence step: the step whose text is tested",
    )
    hypothesis = models.TextField(
        blank=True, help_text="What you expect, and why (for whoever reads the results)"
    )
    status = models.CharField(
        max_length=8, choices=ExperimentStatus.choices, default=ExperimentStatus.RUNNING
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    winner = models.ForeignKey("Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "A/B test"
        verbose_name_plural = "A/B tests"
        constraints = [
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(status="running", target="first_text"),
                name="one_running_first_text_test",
                violation_error_message="Another A/B test of the first text is running: end it first.",
            ),
            models.UniqueConstraint(
                fields=["step"],
                condition=Q(status="running"),
                name="one_running_test_per_step",
                violation_error_message="Another A/B test of this step is running: end it first.",
            ),
            models.CheckConstraint(
                condition=Q(target="first_text", step__isnull=True)
                | Q(target="cadence_step", step__isnull=False),
                name="a_step_test_names_its_step",
                violation_error_message="Choose the step to test (and only for a cadence step).",
            ),
        ]

    def __str__(self):
        return self.name


class Variant(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(max_length=40, help_text='e.g. "A (current)", "B: shorter"')
    weight = models.PositiveSmallIntegerField(
        default=1, help_text="Share of borrowers: weight / sum of weights"
    )
    body = models.TextField("text", blank=True, help_text="Empty: the current text (a control)")
    body_es = models.TextField("Spanish text", blank=True, help_text="Empty: the current Spanish text")

    class Meta:
        ordering = ["experiment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "name"], name="one_variant_name_per_test"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="variant_weight_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_control(self) -> bool:
        return not self.body.strip()

    def template_for(self, language: str) -> str:
        """The variant's wording in the borrower's language; empty: the current text."""
        return (self.body_es if language == "es" else self.body).strip()


class Assignment(models.Model):
    """A borrower's variant in a test: decided once, the first time the text is due, and kept."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="assignments")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="assignments")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="experiment_assignments")
    assigned_at = models.DateTimeField(default=timezone.now)
    message = models.ForeignKey(
        "conversations.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The text that carried the variant",
    )

    class Meta:
        ordering = ["assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "lead"], name="one_variant_per_lead_per_test")
        ]

    def __str__(self):
        return f"{self.lead_id} -> {self.variant}"
