"""GET/POST /api/v1/dnc/: numbers never to text, besides each lead's own opt-out."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from leads import services
from leads.api import PhoneField
from leads.models import DoNotContactNumber
from mortgage_sms.api import InputSerializer, Pagination, paginated, query_filters
from mortgage_sms.scopes import Scope


class DncInput(InputSerializer):
    phone = PhoneField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DncFilters(InputSerializer):
    phone = PhoneField(required=False, help_text="Look up one number (any way of writing it).")


class DncOutput(serializers.ModelSerializer):
    class Meta:
        model = DoNotContactNumber
        fields = ["phone", "reason", "source", "added_by", "created_at"]


class DncView(APIView):
    """The company's do-not-contact list: every text to these numbers is refused."""

    required_scopes = {"GET": Scope.LEADS_READ, "POST": Scope.LEADS_WRITE}
    pagination_class = Pagination

    @extend_schema(responses=DncOutput(many=True), parameters=[DncFilters], description="Newest first.")
    def get(self, request):
        entries = DoNotContactNumber.objects.order_by("-created_at", "-id")
        filters = query_filters(DncFilters, request)
        if "phone" in filters:
            entries = entries.filter(phone=filters["phone"])
        return paginated(self, request, entries, DncOutput)

    @extend_schema(
        request=DncInput,
        responses={201: DncOutput, 200: DncOutput},
        description="Add a number: 201, or 200 with the entry already there. Texts to it stop at "
        "once, including any already queued.",
    )
    def post(self, request):
        data = DncInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry, created = services.dnc_add(
            phone=data.validated_data["phone"],
            reason=data.validated_data["reason"],
            source="api",
            actor=f"api:{request.user}",
        )
        return Response(
            DncOutput(entry).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
