"""What every API view shares: ApplicationError as an API response, a JSON parser that refuses
bodies nested too deeply to be anything we take, the pagination of lists, a rate limit per
client, and JSON for the 404s and 500s that happen outside a view."""

import math
import re
from functools import cache

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.urls import is_valid_path
from django.utils import timezone
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema_field
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from integrations import rate_limit
from mortgage_sms.errors import ApplicationError

# Our deepest body is a lead with its `qualification` object: a few levels. Far deeper nesting is
# an attack on the parser (Python's decoder recurses) or on whatever walks the data next.
MAX_JSON_DEPTH = 20


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.") from None
        if _depth(data) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        return data


def _depth(data) -> int:
    """How deeply `data` nests lists and objects, counted without recursing."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, level + 1) for child in children)
    return deepest


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return Response({"detail": f"The request body is larger than {limit} KB."}, status=413)
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=400)
    return drf_exception_handler(exc, context)


class Pagination(PageNumberPagination):
    """Lists are `{count, next, previous, results}`, 50 a page by default, up to 500; a page past
    the last is a 404, a page size that is not a number from 1 to 500 a 400."""

    page_size_query_param = "page_size"
    max_page_size = 500
    PARAMETERS = ("page", "page_size")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise serializers.ValidationError(
                {"page_size": [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        limits = {"page": {"minimum": 1}, "page_size": {"minimum": 1, "maximum": self.max_page_size}}
        for parameter in parameters:
            parameter["schema"].update(limits[parameter["name"]])
        return parameters


class ClientRateThrottle(SimpleRateThrottle):
    """API_RATE_LIMIT requests per API client (a runaway CRM loop, a leaked form token), counted
    for all web processes together (integrations/rate_limit.py), in windows of the rate's period
    aligned to the clock; over it, a 429 whose Retry-After is the time left in the window."""

    scope = "client"

    def allow_request(self, request, view):
        client = request.user
        if not getattr(client, "is_authenticated", False):
            return True  # refused with a 401 anyway
        now = timezone.now()
        start = rate_limit.window_start(now, self.duration)
        count = rate_limit.count_request(client.pk, start, self.duration)
        self.retry_after = max(1, math.ceil((start - now).total_seconds() + self.duration))
        return count is None or count <= self.num_requests

    def wait(self):
        return self.retry_after


def is_api(request) -> bool:
    return request.path.startswith("/api/")


@csrf_exempt  # an API client has no CSRF token: it gets the 404, not a CSRF page
def api_not_found(request, path=""):
    """Any /api/ URL that matches nothing (say, a lead id that is not a UUID) answers JSON, with
    or without DEBUG: a generated client parses every error."""
    if not request.path.endswith("/") and is_valid_path(request.path + "/"):
        return JsonResponse(
            {"detail": f"Not found. Did you mean {request.path}/ (with the slash)?"}, status=404
        )
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request):
    if is_api(request):
        return JsonResponse({"detail": "Server error: the error is logged for the operators."}, status=500)
    return defaults.server_error(request)


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", re.ASCII)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
NAIVE_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?$", re.ASCII)


@extend_schema_field(
    {
        "type": "string",
        # utc-date-time: RFC 3339 without its offset, taken as UTC (no standard format says so).
        "anyOf": [{"format": "date-time"}, {"format": "date"}, {"format": "utc-date-time"}],
    }
)
class DateTimeParameter(serializers.DateTimeField):
    """A moment as integrators send it: RFC 3339 with its UTC offset, a bare date (midnight UTC)
    or a date and time without an offset (UTC: what `datetime.utcnow().isoformat()` and most
    databases' UTC columns give). Seconds are required, so it always means one moment; a `+`
    left unencoded in a URL arrives as a space."""

    FORMATS = "YYYY-MM-DDThh:mm:ss[.ffffff]Z (or ±hh:mm), YYYY-MM-DDThh:mm:ss (UTC) or YYYY-MM-DD"

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid", format=self.FORMATS)
        value = as_rfc3339(value)
        if not RFC3339.match(value):
            self.fail("invalid", format=self.FORMATS)
        return super().to_internal_value(value)


def as_rfc3339(value: str) -> str:
    """`value` with a date's midnight and a naive time's UTC offset made explicit."""
    if ISO_DATE.match(value):
        return value + "T00:00:00Z"
    if value[10:11] == " ":  # RFC 3339 allows a space between date and time
        value = value[:10] + "T" + value[11:]
    value = value.replace(" ", "+")
    return value + "Z" if NAIVE_DATE_TIME.match(value) else value


class DateParameter(serializers.DateField):
    """A day as the schema's `date` says: YYYY-MM-DD."""

    def to_internal_value(self, value):
        if not (isinstance(value, str) and ISO_DATE.match(value)):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


def query_filters(serializer_class, request) -> dict:
    """The query's filters, validated: a 400 names each bad or unknown one (given but empty is
    bad too). The page and page size are the pagination's."""
    params = {k: v for k, v in request.query_params.dict().items() if k not in Pagination.PARAMETERS}
    # A plain dict: DRF reads an empty value in a QueryDict as "not given".
    query = serializer_class(data=params)
    query.is_valid(raise_exception=True)
    return {name: value for name, value in query.validated_data.items() if value is not None}


def paginated(view, request, queryset, serializer_class) -> Response:
    """One page of `queryset` as `{count, next, previous, results}` (the view's pagination_class)."""
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


class InputSerializer(serializers.Serializer):
    """Input exactly as the schema types it: unknown fields are refused (a misspelt field must
    not be ignored), a text field takes a JSON string and a yes/no field a JSON boolean, not a
    number or a word DRF would quietly convert. The schema says `additionalProperties: false`."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {name: ["Unknown field."] for name in data if name not in self.fields}
            errors |= {
                name: [_TYPE_MESSAGES[kind]]
                for name, field in self.fields.items()
                for kind in [_json_type(field)]
                if kind and data.get(name) is not None and not isinstance(data[name], kind)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


_TYPE_MESSAGES = {
    str: "Send a JSON string.",
    bool: "Send a JSON boolean: true or false.",
    list: "Send a JSON list.",
}


def _json_type(field) -> type | None:
    return _json_type_of(type(field))


@cache  # asked for every field of every request's input: it depends on the field's class only
def _json_type_of(field_type: type) -> type | None:
    for field_class, kind in (
        (serializers.CharField, str),
        (serializers.BooleanField, bool),
        (serializers.ListField, list),
    ):
        if issubclass(field_type, field_class):
            return kind
    return None
