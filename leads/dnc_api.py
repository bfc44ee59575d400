"""GET/POST /api/v1/dnc/: numbers never to text, besides each lead's own opt-out."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from leads import services
from leads.models import DoNotContactNumber
from leads.phones import normalize_phone
from mortgage_sms.errors import ApplicationError
from mortgage_sms.scopes import Scope


class DncInput(serializers.Serializer):
    phone = serializers.CharField(max_length=40)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate_phone(self, value):
        try:
            return normalize_phone(value)
        except ApplicationError as error:
            raise ValidationError(error.message) from None


class DncOutput(serializers.ModelSerializer):
    class Meta:
        model = DoNotContactNumber
        fields = ["phone", "reason", "source", "added_by", "created_at"]


class DncView(APIView):
    """The company's do-not-contact list: every text to these numbers is refused."""

    required_scopes = {"GET": Scope.LEADS_READ, "POST": Scope.LEADS_WRITE}

    @extend_schema(
        responses=DncOutput(many=True),
        parameters=[OpenApiParameter("phone", str, description="Look up one number (any format)")],
        description="Newest first.",
    )
    def get(self, request):
        entries = DoNotContactNumber.objects.order_by("-created_at", "-id")
        if request.query_params.get("phone"):
            entries = entries.filter(phone=DncInput().validate_phone(request.query_params["phone"]))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(DncOutput(page, many=True).data)

    @extend_schema(
        request=DncInput,
        responses={201: DncOutput, 200: DncOutput},
        description="Add a number: 201, or 200 with the entry already there. Texts to it stop at "
        "once, including any already queued.",
    )
    def post(self, request):
        data = DncInput(data=request.data)
        data.is_valid(raise_exception=True)
        unknown = set(request.data) - set(DncInput().fields) if isinstance(request.data, dict) else set()
        if unknown:
            raise ValidationError({field: ["Unknown field."] for field in sorted(unknown)})
        entry, created = services.dnc_add(
            phone=data.validated_data["phone"],
            reason=data.validated_data["reason"],
            source="api",
            actor=f"api:{request.user}",
        )
        return Response(
            DncOutput(entry).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
