"""The /api/v1/leads API: thin views, their own input and output serializers."""

import copy
import hashlib
import json
from contextlib import nullcontext
from datetime import timedelta
from functools import cached_property

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.serializer_helpers import BindingDict
from rest_framework.viewsets import ViewSet

from leads import selectors, services
from leads.choices import (
    QUALIFICATION_FIELDS,
    US_STATES,
    Credit,
    LeadStatus,
    LoanPurpose,
    LoanType,
    Source,
    Temperature,
    Timeline,
)
from leads.models import IdempotencyRecord, Lead, LeadEvent
from leads.phones import normalize_phone
from mortgage_sms.api import DateTimeParameter, InputSerializer, Pagination, paginated, query_filters
from mortgage_sms.errors import ApplicationError
from mortgage_sms.schema import error_response
from mortgage_sms.scopes import Scope

# Statuses a CRM may set. The others follow from what happens in the conversation.
CRM_STATUSES = [
    LeadStatus.QUALIFIED,
    LeadStatus.NURTURING,
    LeadStatus.DISQUALIFIED,
    LeadStatus.CLOSED_WON,
    LeadStatus.CLOSED_LOST,
    LeadStatus.DO_NOT_CONTACT,
]


@extend_schema_field(
    {
        "type": "string",
        "format": "phone",
        "maxLength": 40,
        "description": "A US phone number, written any common way: +15125550100, (512) 555-0100, "
        "512-555-0100. It must be a valid, dialable US number (no extension).",
        "example": "(512) 555-0100",
    }
)
class PhoneField(serializers.CharField):
    """A US phone number as people write it, stored as E.164."""

    def __init__(self, **kwargs):
        super().__init__(max_length=40, **kwargs)

    def to_internal_value(self, data):
        written = super().to_internal_value(data)
        if len(written) > self.max_length:  # DRF checks max_length on the E.164 result, too late
            raise ValidationError(f"Ensure this field has no more than {self.max_length} characters.")
        try:
            return normalize_phone(written)
        except ApplicationError as error:
            raise ValidationError(error.message) from None


@extend_schema_field(
    {
        "type": "string",
        "format": "web-url",
        "description": "An http(s) URL as a browser shows it (a host name of at most 253 characters).",
    }
)
class WebUrlField(serializers.URLField):
    pass


@extend_schema_field({"type": "string", "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}, {"maxLength": 0}]})
class IpAddressField(serializers.IPAddressField):
    pass


class LenientChoiceField(serializers.ChoiceField):
    """Accepts any case and surrounding spaces: "FHA " is fha."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().lower()
        return super().to_internal_value(data)


class StateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=sorted(US_STATES.items()), **kwargs)

    def to_internal_value(self, data):
        if data == "" and self.allow_blank:
            return ""
        if not isinstance(data, str) or data.strip().upper() not in US_STATES:
            raise ValidationError(f"{data!r} is not a two-letter US state code.")
        return data.strip().upper()


def nullable_choice(choices):
    return LenientChoiceField(choices=choices, required=False, allow_null=True)


def nullable_bool():
    return serializers.BooleanField(required=False, allow_null=True)


class QualificationSerializer(InputSerializer):
    loan_purpose = nullable_choice(LoanPurpose.choices)
    loan_type = nullable_choice(LoanType.choices)
    timeline = nullable_choice(Timeline.choices)
    preapproved = nullable_bool()
    has_agent = nullable_bool()
    property_found = nullable_bool()
    property_state = StateField(required=False, allow_null=True)
    credit = nullable_choice(Credit.choices)
    first_time_buyer = nullable_bool()


class ContactFieldsSerializer(InputSerializer):
    first_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    state = StateField(required=False, allow_blank=True)
    zip_code = serializers.RegexField(
        r"^\d{5}(-\d{4})?$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": "Enter a 5-digit ZIP code (or ZIP+4)."},
    )


# Their names, read once: building the serializer's fields on each request to list them cost more
# than validating the lead.
CONTACT_INPUT_FIELDS = tuple(ContactFieldsSerializer._declared_fields)


class StrictBooleanField(serializers.BooleanField):
    """Only JSON true or false: "yes", 1 or "true" are a 400, not a guess about consent."""

    default_error_messages = {
        "invalid": "Send a JSON boolean: true or false.",
        "null": "Send a JSON boolean: true or false.",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid")


class FieldsBuiltOnce:
    """DRF builds a serializer's fields anew for every serializer it makes: it deep-copies each
    declared field (running its __init__ again: choices, validators) and a ModelSerializer
    introspects its model; then it binds each to the serializer. For the leads API's hot path
    that was most of a request's CPU. Fields are not changed by a request, so they are built and
    bound (name, label, source) once per class, and each serializer gets copies of them with
    itself as their parent, as DRF's binding would leave them. Nested serializers are still deep
    copies, bound by DRF: they hold bound fields of their own."""

    @cached_property
    def fields(self):
        bound = BindingDict(self)
        for name, template in self._field_templates().items():
            if isinstance(template, serializers.BaseSerializer):
                bound[name] = copy.deepcopy(template)
            else:
                field = object.__new__(type(template))
                field.__dict__.update(template.__dict__)
                field.parent = self
                bound.fields[name] = field
        return bound

    def _field_templates(self) -> dict:
        templates = type(self).__dict__.get("_templates")
        if templates is None:
            templates = self.get_fields()
            for name, field in templates.items():
                if not isinstance(field, serializers.BaseSerializer):
                    field.bind(field_name=name, parent=None)
            type(self)._templates = templates
        return templates


@extend_schema_field(
    {
        "type": "string",
        "format": "past-date-time",
        "description": "When the borrower agreed (default: now): RFC 3339, not in the future.",
    }
)
class ConsentAtField(serializers.DateTimeField):
    """Its own class: decorating DRF's DateTimeField would document every date-time this way."""


class LeadCreateInput(FieldsBuiltOnce, ContactFieldsSerializer, QualificationSerializer):
    phone = PhoneField()
    source = LenientChoiceField(choices=Source.choices, default=Source.WEB)
    source_detail = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    sms_consent = StrictBooleanField(
        default=False, help_text="JSON true or false. Without consent_text the lead is stored but not texted."
    )
    consent_text = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="The disclosure the borrower agreed to",
    )
    consent_at = ConsentAtField(required=False)
    consent_ip = IpAddressField(required=False, allow_blank=True, help_text="The borrower's IP address")
    consent_user_agent = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    consent_page_url = WebUrlField(required=False, allow_blank=True, max_length=2000)
    trustedform_cert_url = WebUrlField(required=False, allow_blank=True, max_length=500)
    jornaya_leadid = serializers.CharField(required=False, allow_blank=True, max_length=100)

    def validate_consent_at(self, value):
        if value > timezone.now() + CONSENT_CLOCK_SKEW:
            raise ValidationError("Consent cannot have been given in the future.")
        return value


class OptOutInput(InputSerializer):
    words = serializers.CharField(max_length=1000, help_text="What the borrower said, as they said it")
    channel = serializers.ChoiceField(choices=["phone", "email", "in_person", "sms", "other"])


class LeadUpdateInput(ContactFieldsSerializer, QualificationSerializer):
    status = LenientChoiceField(choices=CRM_STATUSES, required=False)
    opt_out = OptOutInput(
        required=False, help_text="Record an opt-out the borrower gave outside our texts: stops all texting"
    )


class OfficerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    nmls_id = serializers.CharField()


class NurtureOutput(serializers.Serializer):
    cadence = serializers.CharField()
    next_touch_at = serializers.DateTimeField(allow_null=True)


NEXT_TOUCH = NurtureOutput().fields["next_touch_at"]


class AbVariantOutput(serializers.Serializer):
    test_id = serializers.IntegerField(help_text="The A/B test")
    test = serializers.CharField(help_text="Its name")
    target = serializers.ChoiceField(choices=["first_text", "cadence_step"], help_text="The text it tests")
    variant = serializers.CharField(help_text="The variant this borrower got")


NOT_TEXTED_REASON = serializers.ChoiceField(
    choices=["no_consent", "no_consent_text", "opted_out", "do_not_contact", "dnc_list"],
    allow_null=True,
    help_text="Why the borrower is not texted; null when they may be",
)


def not_texted_reason(lead) -> str | None:
    return lead.contact_block_reason() or ("dnc_list" if services.dnc_listed(lead.phone) else None)


class LeadReceipt(serializers.Serializer):
    """What a token without the `leads:read` scope (a web form's) gets back from posting a lead:
    its id and whether it will be texted. Nothing about the borrower: a phone number posted by
    whoever holds a public form's token must not read back the lead it matches."""

    exact_fields = True  # the schema says `additionalProperties: false`: a lead is not a receipt
    id = serializers.UUIDField()
    not_texted_reason = serializers.SerializerMethodField()

    @extend_schema_field(NOT_TEXTED_REASON)
    def get_not_texted_reason(self, lead) -> str | None:
        return not_texted_reason(lead)


class LeadOutput(FieldsBuiltOnce, serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=LeadStatus.choices)
    temperature = serializers.ChoiceField(choices=Temperature.choices, allow_null=True)
    qualification = serializers.SerializerMethodField()
    assigned_officer = serializers.SerializerMethodField()
    nurture = serializers.SerializerMethodField()
    not_texted_reason = serializers.SerializerMethodField()
    ab_variants = serializers.SerializerMethodField()

    class Meta:
        model = Lead
        fields = [
            "id", "first_name", "last_name", "phone", "email", "state", "zip_code", "source",
            "source_detail", "external_id", "language", "sms_consent", "consent_at", "consent_scope",
            "not_texted_reason", "status",
            "temperature", "qualification", "assigned_officer", "nurture", "created_at",
            "updated_at", "first_contact_at", "last_inbound_at", "opted_out_at", "ab_variants",
        ]  # fmt: skip

    @extend_schema_field(QualificationSerializer)
    def get_qualification(self, lead) -> dict:
        return {field: getattr(lead, field) for field in QUALIFICATION_FIELDS}

    @extend_schema_field(OfficerOutput(allow_null=True))
    def get_assigned_officer(self, lead) -> dict | None:
        officer = lead.assigned_officer
        if officer is None:
            return None
        return {"id": officer.pk, "name": officer.name, "nmls_id": officer.nmls_id}

    @extend_schema_field(NOT_TEXTED_REASON)
    def get_not_texted_reason(self, lead) -> str | None:
        return not_texted_reason(lead)

    @extend_schema_field(NurtureOutput(allow_null=True))
    def get_nurture(self, lead) -> dict | None:
        if not lead.nurture_cadence:
            return None
        # Written as every other time in the answer (the server's zone, RFC 3339), not in UTC.
        return {
            "cadence": lead.nurture_cadence,
            "next_touch_at": NEXT_TOUCH.to_representation(lead.next_touch_at),
        }

    @extend_schema_field(AbVariantOutput(many=True))
    def get_ab_variants(self, lead) -> list[dict]:
        """The A/B tests of automated texts this borrower is in, and their variant in each."""
        if self.context.get("created"):
            return []  # a lead created in this very transaction: its first text is not decided yet
        return [
            {
                "test_id": a.experiment_id,
                "test": a.experiment.name,
                "target": a.experiment.target,
                "variant": a.variant.name,
            }
            for a in lead.experiment_assignments.all()
        ]


# conversations.models.MessageStatus's values, named here: leads imports no higher app.
MESSAGE_STATUSES = ["queued", "sending", "sent", "delivered", "undelivered", "failed", "unknown", "received"]


class MessageOutput(serializers.Serializer):
    id = serializers.UUIDField()
    direction = serializers.ChoiceField(choices=["inbound", "outbound"])
    body = serializers.CharField()
    status = serializers.ChoiceField(
        choices=MESSAGE_STATUSES,
        help_text="Outbound: queued, sending, sent (the gateway took it; with the console gateway "
        "this is the end), delivered, undelivered, failed, unknown (may have gone out). Inbound: received.",
    )
    sender = serializers.ChoiceField(choices=["borrower", "agent", "officer", "nurture", "system"])
    created_at = serializers.DateTimeField()


class EventOutput(serializers.ModelSerializer):
    class Meta:
        model = LeadEvent
        fields = ["id", "type", "created_at", "actor", "description", "data"]


IDEMPOTENCY_KEY_MAX_LENGTH = 255
# A web form's clock may run a little ahead of ours.
CONSENT_CLOCK_SKEW = timedelta(minutes=5)
UNCHANGEABLE_FIELDS = {
    "phone": "The phone cannot be changed: post a new inquiry with the new number.",
    "id": "Read-only.",
}


def flatten_qualification(data: dict) -> dict:
    """Accept qualification fields at the top level (the contract) or inside a
    `qualification` object, as the API shows them; the two must not disagree."""
    nested = data.get("qualification")
    if nested is None:
        return data
    if not isinstance(nested, dict):
        raise ValidationError({"qualification": ["Send an object of qualification fields."]})
    clashes = [f for f, v in nested.items() if f in data and data[f] != v]
    if clashes:
        raise ValidationError({f: ["Given twice with different values."] for f in clashes})
    return {**{k: v for k, v in data.items() if k != "qualification"}, **nested}


def reject_unknown_fields(serializer, data: dict) -> None:
    """A misspelt field (say `sms_concent`) must not silently create a lead nobody texts."""
    known = set(serializer.fields) | {"qualification"}
    nested = data.get("qualification") if isinstance(data.get("qualification"), dict) else {}
    errors = {}
    for field in [*data, *nested]:
        if field not in known:
            errors[field] = [UNCHANGEABLE_FIELDS.get(field, "Unknown field.")]
    if errors:
        raise ValidationError(errors)


def request_fingerprint(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


STATUS_LIST = rf"^({'|'.join(LeadStatus.values)})(,({'|'.join(LeadStatus.values)}))*$"


class LeadListFilters(InputSerializer):
    status = serializers.RegexField(
        STATUS_LIST,
        required=False,
        help_text="One status, or several: `qualified,claimed`.",
        error_messages={"invalid": f"Statuses, comma-separated, from: {', '.join(LeadStatus.values)}."},
    )
    updated_since = DateTimeParameter(
        required=False,
        help_text="Changed at or after this moment: RFC 3339 (`2026-11-30T09:00:00-06:00`, "
        "`2026-11-30T15:00:00Z`), a date (`2026-11-30`: midnight UTC) or a date and time without "
        "an offset, taken as UTC (`2026-11-30T15:00:00.123456`, as Python's "
        "`datetime.utcnow().isoformat()` writes it).",
    )
    phone = PhoneField(required=False, help_text="Any way of writing the number.")
    external_id = serializers.CharField(required=False, max_length=100)

    def validate(self, data):
        if "status" in data:
            data["statuses"] = data.pop("status").split(",")
        return data


LEAD_OR_RECEIPT = PolymorphicProxySerializer(
    component_name="LeadOrReceipt",
    serializers=[LeadOutput, LeadReceipt],
    resource_type_field_name=None,
)


class LeadViewSet(ViewSet):
    """Leads: post inquiries in, read qualification and status, set statuses from a CRM."""

    lookup_value_regex = "[0-9a-f-]{36}"
    pagination_class = Pagination
    required_scopes = {
        "create": Scope.LEADS_CREATE,
        "list": Scope.LEADS_READ,
        "retrieve": Scope.LEADS_READ,
        "messages": Scope.LEADS_READ,
        "events": Scope.LEADS_READ,
        "partial_update": Scope.LEADS_WRITE,
    }

    @extend_schema(
        request=LeadCreateInput,
        responses={
            201: LEAD_OR_RECEIPT,
            200: LEAD_OR_RECEIPT,
            422: error_response("This Idempotency-Key was used with a different body: nothing stored."),
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Retry safely: the same key and body replays the first response; "
                "the same key with another body is a 422.",
            )
        ],
        description="Post an inquiry. 201 with a new lead; 200 with the open lead that has "
        "the same phone (the inquiry is added to it, and no second first text goes out within "
        "24 hours). The borrower is texted within seconds when `sms_consent` is true. "
        "Qualification fields go at the top level; for older clients an object `qualification` "
        "holding them is accepted too, as long as it agrees with the top level. The answer is the "
        "lead for a token that may read leads (`leads:read`), else a receipt: its `id` and "
        "`not_texted_reason`.",
    )
    def create(self, request):
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
            raise ValidationError({"Idempotency-Key": [f"At most {IDEMPOTENCY_KEY_MAX_LENGTH} characters."]})
        fingerprint = request_fingerprint(request.data)
        if key:
            replay = self._replay(request, key, fingerprint)
            if replay is not None:
                return replay
        data = self._validated(LeadCreateInput, request.data)
        try:
            # The key's record is stored with the lead or not at all. Without a key there is
            # nothing to store with it: lead_intake's own transaction is the only one (a
            # nested one would cost a savepoint and its release).
            with transaction.atomic() if key else nullcontext():
                result = services.lead_intake(**self._intake_arguments(request, data))
                answer = LeadOutput if request.user.has_scope(Scope.LEADS_READ) else LeadReceipt
                body = answer(result.lead, context={"created": result.created}).data
                code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
                if key:
                    IdempotencyRecord.objects.create(
                        client_key=self._client_key(request),
                        key=key,
                        request_hash=fingerprint,
                        response_status=code,
                        response_body=json.loads(json.dumps(body, default=str)),
                    )
        except IntegrityError:
            # The same key won a race a moment ago; answer as it did.
            replay = self._replay(request, key, fingerprint) if key else None
            if replay is None:
                raise
            return replay
        return Response(body, status=code)

    @staticmethod
    def _client_key(request) -> str:
        return str(getattr(request.user, "pk", "anonymous"))

    def _replay(self, request, key: str, fingerprint: str) -> Response | None:
        record = IdempotencyRecord.objects.filter(client_key=self._client_key(request), key=key).first()
        if record is None:
            return None
        if record.request_hash != fingerprint:
            return Response(
                {"detail": "This Idempotency-Key was used with a different request body."},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return Response(
            record.response_body, status=record.response_status, headers={"Idempotent-Replayed": "true"}
        )

    @staticmethod
    def _validated(serializer_class, data, *, partial: bool = False) -> dict:
        if not isinstance(data, dict):
            raise ValidationError({"detail": ["Send a JSON object."]})
        serializer = serializer_class(data=flatten_qualification(data), partial=partial)
        reject_unknown_fields(serializer, data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @staticmethod
    def _intake_arguments(request, data: dict) -> dict:
        return dict(
            phone=data["phone"],
            submitted_by=f"api:{request.user}",
            source=data["source"],
            source_detail=data["source_detail"],
            external_id=data["external_id"],
            contact={f: data.get(f) for f in CONTACT_INPUT_FIELDS},
            qualification={f: data.get(f) for f in QUALIFICATION_FIELDS},
            sms_consent=data["sms_consent"],
            consent_text=data["consent_text"],
            consent_evidence={f: data.get(f) for f in ("consent_at", *services.CONSENT_EVIDENCE_FIELDS)},
            payload=json.loads(json.dumps(request.data, default=str)),
        )

    @extend_schema(
        responses=LeadOutput(many=True),
        parameters=[
            LeadListFilters,
            # Documented as the list it is (`status=qualified,claimed`), not as a pattern.
            OpenApiParameter(
                "status",
                {"type": "array", "items": {"type": "string", "enum": LeadStatus.values}, "minItems": 1},
                explode=False,
                style="form",
                description="One status, or several: `qualified,claimed`.",
            ),
        ],
        description="Newest first; with `updated_since`, oldest change first (for syncing).",
    )
    def list(self, request):
        filters = query_filters(LeadListFilters, request)
        leads = selectors.lead_list(**filters)
        return paginated(self, request, leads, LeadOutput)

    @extend_schema(responses=LeadOutput)
    def retrieve(self, request, pk=None):
        return Response(LeadOutput(self._lead(pk)).data)

    @extend_schema(
        request=LeadUpdateInput,
        responses={
            200: LeadOutput,
            409: error_response("The lead's status cannot change that way (say, a closed lead reopened)."),
        },
        description="Correct contact or qualification fields, set a status from the CRM, or record "
        "an opt-out the borrower gave by phone or e-mail (`opt_out`: their words and the channel). "
        "`do_not_contact` and opt-outs stop all texting at once and cannot be lifted through the API.",
    )
    def partial_update(self, request, pk=None):
        lead = self._lead(pk)
        data = self._validated(LeadUpdateInput, request.data, partial=True)
        services.lead_update_from_crm(lead=lead, data=data, actor=f"api:{request.user}")
        return Response(LeadOutput(self._lead(pk)).data)

    @extend_schema(responses=MessageOutput(many=True), description="The SMS thread, oldest first.")
    def messages(self, request, pk=None):
        lead = self._lead(pk)
        return paginated(self, request, lead.messages.order_by("created_at", "id"), MessageOutput)

    @extend_schema(responses=EventOutput(many=True), description="The timeline, oldest first.")
    def events(self, request, pk=None):
        lead = self._lead(pk)
        return paginated(self, request, lead.events.order_by("created_at", "id"), EventOutput)

    @staticmethod
    def _lead(pk) -> Lead:
        return get_object_or_404(selectors.lead_list(), pk=pk)
