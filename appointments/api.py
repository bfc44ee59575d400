"""`GET /api/v1/leads/{id}/appointments/`: calls booked with an officer."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.views import APIView

from appointments.models import Appointment, AppointmentStatus
from conversations import windows
from leads.api import OfficerOutput
from leads.models import Lead
from mortgage_sms.api import Pagination, paginated


class AppointmentOutput(serializers.ModelSerializer):
    officer = OfficerOutput()
    status = serializers.ChoiceField(choices=AppointmentStatus.choices)
    borrower_time_zone = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id", "officer", "starts_at", "ends_at", "status", "borrower_time_zone", "booked_by",
            "created_at", "updated_at", "cancelled_at",
        ]  # fmt: skip

    def get_borrower_time_zone(self, appointment) -> str:
        return str(windows.borrower_timezone(appointment.lead))


class WebhookAppointmentData(AppointmentOutput):
    lead_id = serializers.UUIDField()

    class Meta(AppointmentOutput.Meta):
        fields = [*AppointmentOutput.Meta.fields, "lead_id"]


class LeadAppointments(APIView):
    required_scopes = "leads:read"  # API token scopes, like the rest of a lead's reads
    pagination_class = Pagination

    @extend_schema(
        responses=AppointmentOutput(many=True),
        description="Calls booked with an officer (by the borrower's text or the officer), "
        "earliest first, cancelled ones included with `status: cancelled`.",
    )
    def get(self, request, pk):
        lead = get_object_or_404(Lead, pk=pk)
        appointments = lead.appointments.select_related("officer", "lead").order_by("starts_at")
        return paginated(self, request, appointments, AppointmentOutput)
