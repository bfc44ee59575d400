"""The OpenAPI schema (`/api/schema/`) says everything the API answers, so a generated client can
trust it: every status code an operation returns with its body and headers, the scope each
operation needs, and what to paste into Swagger's "Authorize"."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from mortgage_sms.api import InputSerializer
from mortgage_sms.scopes import required_scope


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")


# A 400 names each field that was wrong with its messages (a list field's per item), or says
# what was wrong with the request as a whole under `detail`.
VALIDATION_ERROR = {
    "type": "object",
    "additionalProperties": {},
    "description": "Each field that was wrong, with its messages; `detail` when it is not one field.",
    "example": {"phone": ["'123' is not a phone number."]},
}
RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}
}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Token`: the scheme to use."}
}
ERRORS = {
    "400": ("Bad input: nothing was stored or changed.", None),
    "401": ("No token, or a wrong or revoked one.", WWW_AUTHENTICATE),
    "403": ("The token does not have the scope this operation needs (the message names it).", None),
    "404": ("No such object for this client, or a page past the last.", None),
    "413": ("The body is too large.", None),
    "415": ("The body is not JSON.", None),
    "429": ("Too many requests from this client: wait as Retry-After says.", RETRY_AFTER),
    "503": (
        "The database or the job broker is unavailable: try again after Retry-After seconds. "
        "Nothing is reported as failed that was stored.",
        RETRY_AFTER,
    ),
}


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer(self, serializer, direction, *args, **kwargs):
        schema = super()._map_serializer(serializer, direction, *args, **kwargs)
        if isinstance(serializer, InputSerializer):
            schema["additionalProperties"] = False  # unknown fields are a 400
        if getattr(serializer, "exact_fields", False):
            schema["additionalProperties"] = False  # an answer that is exactly these fields
        return schema

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        self._describe_scope(operation)
        for code in self._error_codes(operation):
            operation["responses"].setdefault(code, self._error_response(code))
        return operation

    def _describe_scope(self, operation: dict) -> None:
        scope = required_scope(self.view, self.method)
        note = f"Needs a token with the `{scope}` scope."
        operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()

    def _error_codes(self, operation: dict) -> list[str]:
        """The errors this operation can answer, from what it takes."""
        parameters = operation.get("parameters", [])
        takes_body = "requestBody" in operation
        queried = any(p["in"] == "query" for p in parameters)
        finds = any(p["in"] == "path" for p in parameters) or any(p["name"] == "page" for p in parameters)
        codes = ["401", "403", "429", "503"]
        if takes_body or queried:
            codes.append("400")
        if finds:
            codes.append("404")
        if takes_body:
            codes += ["413", "415"]
        return sorted(codes)

    def _error_response(self, code: str) -> dict:
        description, headers = ERRORS[code]
        schema = (
            VALIDATION_ERROR if code == "400" else self.resolve_serializer(ErrorSerializer, "response").ref
        )
        response = {"description": description, "content": {"application/json": {"schema": schema}}}
        if headers:
            response["headers"] = headers
        return response


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How Swagger's "Authorize" and generated clients send the token."""

    target_class = "integrations.authentication.ApiTokenAuthentication"
    name = "tokenAuth"
    priority = 1  # before drf-spectacular's own scheme for DRF's TokenAuthentication

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Paste `Token <your token>`: the word Token, a space, then the token "
            "`manage.py create_api_client` printed (it starts with `msms_`).",
        }


def error_response(description: str) -> OpenApiResponse:
    """An error an operation answers besides the ones every operation may (say a 409): the
    field at fault with its messages, or `detail`."""
    return OpenApiResponse(VALIDATION_ERROR, description=description)
