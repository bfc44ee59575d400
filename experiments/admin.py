"""A/B tests in the admin: variants checked like any template, results with a verdict, and an
end that keeps the winner. (Admin is the top layer: it may use the senders' template checks.)"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse

from conversations import texts
from conversations.widgets import SmsTextarea
from experiments import services
from experiments.models import Experiment, ExperimentStatus, Target, Variant
from mortgage_sms.errors import ApplicationError
from nurture import rendering
from reporting.experiments import best_variant, experiment_results, verdicts


def wording_errors(target: str, template: str, language: str) -> str | None:
    """The automated-text checker (conversations.template_check), as for the text under test."""
    if not template.strip():
        return None  # the current text: already checked where it is edited
    if target == Target.FIRST_TEXT:
        return texts.first_text_template_errors(template)
    return rendering.template_errors(template, language=language)


class VariantFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if len(kept) < 2:
            raise ValidationError("An A/B test needs at least two variants.")
        for form in kept:
            for field, language in (("body", "en"), ("body_es", "es")):
                error = wording_errors(self.instance.target, form.cleaned_data.get(field, ""), language)
                if error:
                    form.add_error(field, error)


class VariantInline(admin.StackedInline):
    model = Variant
    formset = VariantFormSet
    extra = 2
    fields = [("name", "weight"), "body", "body_es"]
    # The SMS segment count shows while typing, as on the cadence steps.
    formfield_overrides = {Variant._meta.get_field("body").__class__: {"widget": SmsTextarea}}

    def _started(self, obj) -> bool:
        return obj is not None and obj.assignments.exists()

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else self.extra

    def get_readonly_fields(self, request, obj=None):
        # Changing a text under test would mix two texts in one variant's results.
        return ["name", "weight", "body", "body_es"] if self._started(obj) else []

    def has_add_permission(self, request, obj=None):
        return not self._started(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._started(obj) and super().has_delete_permission(request, obj)


class ExperimentForm(forms.ModelForm):
    class Meta:
        model = Experiment
        fields = ["name", "target", "step", "hypothesis"]
        help_texts = {
            "target": "Variants use the same placeholders as the text they replace: "
            + ", ".join("{" + p + "}" for p in texts.FIRST_TEXT_PLACEHOLDERS)
            + " for the first text; the cadence step's for a step. An empty variant is the current text.",
        }


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    form = ExperimentForm
    inlines = [VariantInline]
    list_display = [
        "name",
        "target_label",
        "status",
        "started_at",
        "ended_at",
        "variant_count",
        "texts_sent",
        "winner",
    ]
    list_filter = ["status", "target"]
    search_fields = ["name", "hypothesis"]
    readonly_fields = ["status", "started_at", "ended_at", "winner", "ended_by", "results"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "target", "step", "hypothesis"]
        return ["name", "target_label", "hypothesis", "status", "started_at", "ended_at", "winner", "results"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "target_label"] if obj else []

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("step__cadence", "winner")
            .annotate(
                _variants=Count("variants", distinct=True),
                _sent=Count(
                    "assignments", filter=Q(assignments__message__sent_at__isnull=False), distinct=True
                ),
            )
        )

    @admin.display(description="Text tested")
    def target_label(self, experiment):
        if experiment.target == Target.FIRST_TEXT:
            return "The first text after an inquiry"
        return f"{experiment.step.cadence.name}, step {experiment.step.position}"

    @admin.display(description="Variants", ordering="_variants")
    def variant_count(self, experiment):
        return experiment._variants

    @admin.display(description="Texts sent", ordering="_sent")
    def texts_sent(self, experiment):
        return experiment._sent

    @admin.display(description="Results")
    def results(self, experiment):
        results = experiment_results(experiment)
        end_url = reverse("admin:experiments_experiment_end", args=[experiment.pk])
        return render_to_string(
            "admin/experiments/results.html",
            {"experiment": experiment, "results": results, "verdicts": verdicts(results), "end_url": end_url},
        )

    def get_urls(self):
        end = self.admin_site.admin_view(self.end_view)
        return [path("<int:pk>/end/", end, name="experiments_experiment_end"), *super().get_urls()]

    def end_view(self, request, pk):
        experiment = get_object_or_404(Experiment, pk=pk)
        if not self.has_change_permission(request, experiment):
            raise PermissionDenied
        results = experiment_results(experiment)
        form = EndForm(request.POST or None, experiment=experiment, suggested=best_variant(results))
        if request.method == "POST" and form.is_valid():
            return self._end(request, experiment, form.cleaned_data["winner"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"End the A/B test “{experiment}”",
            "experiment": experiment,
            "results": results,
            "verdicts": verdicts(results),
            "form": form,
        }
        return render(request, "admin/experiments/end.html", context)

    def _end(self, request, experiment, winner):
        try:
            services.experiment_end(experiment=experiment, winner=winner, actor=f"admin:{request.user}")
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            kept = f"{winner.name} is now the text everyone gets." if winner else "The current text stays."
            self.message_user(request, f"The test has ended. {kept}", messages.SUCCESS)
        return redirect("admin:experiments_experiment_change", experiment.pk)


class EndForm(forms.Form):
    winner = forms.ModelChoiceField(
        queryset=Variant.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label="No winner: keep the current text",
        label="Keep",
    )

    def __init__(self, *args, experiment, suggested=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["winner"].queryset = experiment.variants.order_by("id")
        self.fields["winner"].initial = suggested
        if experiment.status != ExperimentStatus.RUNNING:
            self.fields["winner"].disabled = True
