"""The scope check every API view gets: a view that forgets to name its scope is an error,
never an endpoint open to every token."""

import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from integrations.services import api_client_create
from mortgage_sms.scopes import requires_scope

pytestmark = pytest.mark.django_db


def get_with_token(view, scopes):
    _, token = api_client_create(name=f"Client {uuid.uuid4()}", scopes=scopes)
    request = APIRequestFactory().get("/api/v1/anything/", HTTP_AUTHORIZATION=f"Token {token}")
    return view(request)


class Forgetful(APIView):
    def get(self, request):
        return Response({"secret": True})


class Metrics(APIView):
    required_scopes = "metrics:read"

    def get(self, request):
        return Response({"leads": 1})


@api_view(["GET"])
@permission_classes([requires_scope("metrics:read")])
def metrics_function(request):
    return Response({"leads": 1})


def test_a_view_that_names_no_scope_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="Forgetful names no scope for GET"):
        get_with_token(Forgetful.as_view(), ["leads:read"])


@pytest.mark.parametrize("view", [Metrics.as_view(), metrics_function])
def test_a_view_answers_only_a_token_with_its_scope(view):
    assert get_with_token(view, ["metrics:read"]).status_code == 200
    refused = get_with_token(view, ["leads:read", "leads:write"])
    assert refused.status_code == 403 and "metrics:read" in str(refused.data["detail"])


def test_requires_scope_refuses_a_scope_that_does_not_exist():
    with pytest.raises(ImproperlyConfigured):
        requires_scope("metrics:write")
