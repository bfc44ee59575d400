"""GET /api/v1/metrics/: the report's funnel for CRMs and BI tools."""

from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from mortgage_sms.api import DateParameter, InputSerializer, query_filters
from reporting import selectors

MAX_DAYS = 366 * 3


class MetricsQuery(InputSerializer):
    since = DateParameter(required=False)
    until = DateParameter(required=False)

    def validate(self, data):
        default_since, default_until = selectors.default_range()
        data.setdefault("until", default_until)
        data.setdefault("since", data["until"] - (default_until - default_since))
        if data["since"] > data["until"]:
            raise serializers.ValidationError({"since": ["Must be on or before `until`."]})
        if (data["until"] - data["since"]).days >= MAX_DAYS:
            raise serializers.ValidationError({"since": [f"At most {MAX_DAYS} days at once."]})
        return data


class SpeedOutput(serializers.Serializer):
    p50 = serializers.FloatField(allow_null=True)
    p95 = serializers.FloatField(allow_null=True)


class SourceOutput(serializers.Serializer):
    source = serializers.CharField()
    leads = serializers.IntegerField()
    texted = serializers.IntegerField()
    replied = serializers.IntegerField()
    qualified = serializers.IntegerField()
    claimed = serializers.IntegerField()
    won = serializers.IntegerField()


class MetricsOutput(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    leads = serializers.IntegerField()
    texted = serializers.IntegerField()
    replied = serializers.IntegerField()
    qualified = serializers.IntegerField()
    offered = serializers.IntegerField()
    claimed = serializers.IntegerField()
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    opted_out = serializers.IntegerField()
    speed_to_lead_seconds = SpeedOutput()
    by_source = SourceOutput(many=True)


ERROR = inline_serializer("MetricsError", {"detail": serializers.CharField()})
DATE_HELP = "YYYY-MM-DD, in the server's time zone (TIME_ZONE); inclusive."


def metrics_for(since: date, until: date) -> dict:
    facts = selectors.cohort(selectors.Filters(since=since, until=until))
    totals = selectors.funnel(facts)
    speed = selectors.speed_to_lead(facts, selectors.Filters(since=since, until=until))
    by_source = selectors.funnel_by(facts, "source")
    return {
        "since": since,
        "until": until,
        **{name: totals[name] for name in MetricsOutput().fields if name in totals},
        "speed_to_lead_seconds": {"p50": _milliseconds(speed.p50), "p95": _milliseconds(speed.p95)},
        "by_source": [{"source": row["name"], **row} for row in by_source],
    }


def _milliseconds(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


class MetricsView(APIView):
    required_scopes = "metrics:read"  # API token scopes (mortgage_sms/scopes.py)

    @extend_schema(
        operation_id="metrics_retrieve",
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATE,
                description=f"First day. {DATE_HELP} Default: 29 days before `until`.",
            ),
            OpenApiParameter(
                "until", OpenApiTypes.DATE, description=f"Last day. {DATE_HELP} Default: today."
            ),
        ],
        responses={
            200: MetricsOutput,
            400: inline_serializer(
                "MetricsBadRequest",
                {
                    "since": serializers.ListField(child=serializers.CharField(), required=False),
                    "until": serializers.ListField(child=serializers.CharField(), required=False),
                },
            ),
            401: ERROR,
            403: ERROR,
        },
        description="The funnel for the leads created in the range: how many were texted, replied, "
        "were qualified, offered, claimed, won or lost, opted out; speed to lead (inquiry to the "
        "first text handed to the carrier, seconds); and the same per source, largest first. A "
        "stage counts every lead that reached it or a later one.",
    )
    def get(self, request):
        query = query_filters(MetricsQuery, request)
        data = metrics_for(query["since"], query["until"])
        return Response(MetricsOutput(data).data)
