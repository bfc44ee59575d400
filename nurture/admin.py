import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path

from conversations.widgets import SmsTextarea
from mortgage_sms.admin_confirm import confirmation_page, confirmed
from mortgage_sms.errors import ApplicationError
from nurture import imports, rendering, services
from nurture.models import (
    Cadence,
    CadenceStep,
    Enrollment,
    EnrollmentState,
    ImportOutcome,
    LeadToReengage,
    ReengagementImport,
)

MAX_UPLOAD_BYTES = 5_000_000


class CadenceStepInline(admin.StackedInline):
    model = CadenceStep
    extra = 0
    formfield_overrides = {models.TextField: {"widget": SmsTextarea}}
    ordering = ["position"]
    fields = [
        "position",
        ("delay_amount", "delay_unit", "delay_from"),
        "body",
        "body_es",
        ("condition_field", "condition_values"),
        "preview",
    ]
    readonly_fields = ["preview"]

    @admin.display(description="Preview (sample borrower)")
    def preview(self, step):
        if not step.pk:
            return "Save to see the text as a borrower gets it."
        return render_to_string("admin/nurture/step_preview.html", {"texts": rendering.step_previews(step)})


@admin.register(Cadence)
class CadenceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "trigger", "active", "step_count", "active_enrollments"]
    list_filter = ["active", "trigger"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CadenceStepInline]
    readonly_fields = ["schedule_preview"]
    fields = [
        "name",
        "slug",
        "trigger",
        "active",
        "description",
        "repeat_last_step",
        "finish_status",
        "schedule_preview",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _steps=Count("steps", distinct=True),
                _active=Count(
                    "enrollments", filter=Q(enrollments__state=EnrollmentState.ACTIVE), distinct=True
                ),
            )
        )

    @admin.display(description="Steps", ordering="_steps")
    def step_count(self, cadence):
        return cadence._steps

    @admin.display(description="Active enrollments", ordering="_active")
    def active_enrollments(self, cadence):
        return cadence._active

    @admin.display(description="Schedule for a sample borrower (before contact windows)")
    def schedule_preview(self, cadence):
        if not cadence.pk:
            return "Save to see the schedule."
        return render_to_string(
            "admin/nurture/schedule_preview.html", {"rows": rendering.schedule_preview(cadence)}
        )


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = [
        "lead",
        "cadence",
        "state",
        "step",
        "next_run_at",
        "touches_sent",
        "stop_reason",
        "enrolled_at",
    ]
    list_filter = ["state", "cadence", "stop_reason", "enrolled_at"]
    search_fields = ["lead__phone", "lead__last_name", "lead__first_name"]
    list_select_related = ["lead", "cadence", "step"]
    date_hierarchy = "enrolled_at"
    readonly_fields = [f.name for f in Enrollment._meta.fields]
    actions = ["stop"]

    def has_add_permission(self, request):
        return False  # leads are enrolled by what happens to them, or by re-engagement

    @admin.action(description="Stop the selected enrollments", permissions=["change"])
    def stop(self, request, queryset):
        if not confirmed(request):
            return confirmation_page(
                self, request, queryset, action="stop", title="Stop these cadences?",
                consequence="These borrowers get no more texts from their cadence; a stopped enrollment "
                "does not restart by itself.",
                button="Yes, stop them",
            )  # fmt: skip
        actor = f"admin:{request.user}"
        count = sum(
            services.enrollment_end(e, state=EnrollmentState.STOPPED, reason="stopped_by_staff", actor=actor)
            for e in queryset.filter(state=EnrollmentState.ACTIVE).select_related("lead", "cadence")
        )
        self.message_user(request, f"{count} enrollment(s) stopped.", messages.SUCCESS)


class ReengageActionForm(ActionForm):
    cadence = forms.ModelChoiceField(
        queryset=Cadence.objects.filter(active=True), required=False, empty_label="— cadence —"
    )
    start_now = forms.BooleanField(
        required=False,
        initial=True,
        label="First text at the borrower's next opening (else after the step's delay)",
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV with a header row. Required columns: phone, sms_consent (yes/no). Optional: "
        "first_name, last_name, email, state, zip_code, loan_purpose, external_id, consent_text."
    )
    cadence = forms.ModelChoiceField(queryset=Cadence.objects.filter(active=True))
    consent_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The consent the borrowers gave, recorded for rows without a consent_text column.",
    )
    start_now = forms.BooleanField(
        required=False,
        initial=True,
        label="First text at the borrower's next opening (else after the step's delay)",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"At most {MAX_UPLOAD_BYTES // 1_000_000} MB per file; split it.")
        return upload


@admin.register(LeadToReengage)
class LeadToReengageAdmin(admin.ModelAdmin):
    """Aged leads: pick some and enroll them in a cadence, or import a CSV of them."""

    list_display = [
        "__str__",
        "status",
        "source",
        "sms_consent",
        "created_at",
        "last_outbound_at",
        "nurture_cadence",
    ]
    list_display_links = None
    list_filter = ["status", "source", "sms_consent", "created_at", "last_outbound_at"]
    search_fields = ["phone", "first_name", "last_name", "email", "external_id"]
    date_hierarchy = "created_at"
    actions = ["reengage"]
    action_form = ReengageActionForm
    change_list_template = "admin/nurture/leadtoreengage/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_reengage_permission(self, request):
        # Enrolling texts people: the right to change enrollments, not just to see leads.
        return request.user.has_perm("nurture.change_enrollment")

    @admin.action(description="Re-engage: enroll in the cadence chosen here", permissions=["reengage"])
    def reengage(self, request, queryset):
        form = self.action_form(request.POST)
        form.fields["action"].choices = self.get_action_choices(request)
        if not form.is_valid() or not form.cleaned_data["cadence"]:
            self.message_user(request, "Choose a cadence next to the action.", messages.ERROR)
            return
        report = services.leads_reengage(
            leads=queryset,
            cadence=form.cleaned_data["cadence"],
            actor=f"admin:{request.user}",
            start_now=form.cleaned_data["start_now"],
        )
        self.message_user(request, f"{len(report.enrolled)} lead(s) enrolled.", messages.SUCCESS)
        for who, why in report.skipped:
            self.message_user(request, f"Not enrolled, not texted: {who}: {why}.", messages.WARNING)

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="nurture_leadtoreengage_import"), *super().get_urls()]

    def import_view(self, request):
        if not self.has_reengage_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = self._queue_import(request, form)
            if job is not None:
                return redirect("admin:nurture_reengagementimport_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "recent": ReengagementImport.objects.select_related("cadence")[:5],
        }
        context["title"] = "Import aged leads for re-engagement"
        return render(request, "admin/nurture/reengagement_import.html", context)

    def _queue_import(self, request, form):
        upload = form.cleaned_data["file"]
        try:
            return imports.reengagement_import_queue(
                upload=upload,
                file_name=upload.name,
                cadence=form.cleaned_data["cadence"],
                actor=f"admin:{request.user}",
                consent_text=form.cleaned_data["consent_text"],
                start_now=form.cleaned_data["start_now"],
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else "file", error.message)
            return None


@admin.register(ReengagementImport)
class ReengagementImportAdmin(admin.ModelAdmin):
    """Each CSV import's progress while its job runs, then what became of every line."""

    list_display = [
        "file",
        "cadence",
        "status",
        "progress",
        "enrolled",
        "not_texted",
        "rejected",
        "created_by",
    ]
    list_filter = ["status", "created_at"]
    list_display_links = ["file"]
    # Shown here, at most; the downloadable results hold every line.
    ROWS_SHOWN = 500

    def has_add_permission(self, request):
        return False  # files come through the import page, which checks them first

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Whoever may import sees how their import went.
        return super().has_view_permission(request, obj) or request.user.has_perm("nurture.change_enrollment")

    @admin.display(description="File", ordering="-created_at")
    def file(self, job):
        return str(job)

    @admin.display(description="Rows done")
    def progress(self, job):
        return f"{job.processed_rows:,} of {job.total_rows:,}"

    def get_urls(self):
        results = self.admin_site.admin_view(self.results_view)
        return [
            path("<int:job_id>/results.csv", results, name="nurture_reengagementimport_results"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = get_object_or_404(ReengagementImport.objects.select_related("cadence"), pk=object_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        not_enrolled = job.rows.exclude(outcome=ImportOutcome.ENROLLED)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"CSV import: {job.file_name}",
            "job": job,
            "not_enrolled": not_enrolled[: self.ROWS_SHOWN],
            "not_enrolled_count": not_enrolled.count(),
            "rows_shown": self.ROWS_SHOWN,
        }
        return render(request, "admin/nurture/reengagement_import_job.html", context)

    def results_view(self, request, job_id):
        job = get_object_or_404(ReengagementImport, pk=job_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-results.csv"'
        writer = csv.writer(response)
        writer.writerow(["line", "phone", "outcome", "detail"])
        for row in job.rows.values_list("line", "phone", "outcome", "detail").iterator():
            writer.writerow([row[0], *map(spreadsheet_safe, row[1:])])
        return response


def spreadsheet_safe(cell: str) -> str:
    """A cell from the uploaded file that a spreadsheet would run as a formula, quoted (a phone
    number such as +15125550111 is left as it is)."""
    formula = cell[:1] in ("=", "@", "\t", "\r") or (cell[:1] in ("+", "-") and not cell[1:].isdigit())
    return "'" + cell if formula else cell
