"""The leads API's serializers build their fields once per class (FieldsBuiltOnce): each
serializer must still get fields of its own, as DRF would have built and bound them."""

import pytest
from rest_framework import serializers

from leads.api import LeadCreateInput, LeadOutput
from tests.factories import LeadFactory

SERIALIZERS = [LeadCreateInput, LeadOutput]


def drf_built_fields(serializer) -> dict:
    """The fields as DRF itself builds and binds them for this serializer."""
    return serializers.Serializer.__dict__["fields"].func(serializer)


def bound_state(field) -> dict:
    """What binding and building set on a field (not its parent, nor DRF's bookkeeping)."""
    state = {
        k: v for k, v in vars(field).items() if k not in ("parent", "_args", "_kwargs", "_creation_counter")
    }
    state["_validators"] = [(type(v), getattr(v, "limit_value", None)) for v in state.get("_validators", [])]
    return state


@pytest.mark.django_db
@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=lambda c: c.__name__)
def test_each_serializer_gets_fields_bound_to_it_as_drf_binds_them(serializer_class):
    first, second = serializer_class(), serializer_class()
    expected = drf_built_fields(serializer_class())

    assert list(first.fields) == list(expected)
    for name, field in first.fields.items():
        assert field.parent is first and second.fields[name].parent is second
        assert field is not second.fields[name]
        assert type(field) is type(expected[name])
        assert bound_state(field) == bound_state(expected[name]), name


@pytest.mark.django_db
def test_two_answers_at_once_each_use_their_own_context():
    lead = LeadFactory()
    created = LeadOutput(lead, context={"created": True})
    read = LeadOutput(lead, context={"created": False})
    assert created.fields and read.fields  # both bound before either answers

    assert created.data["ab_variants"] == [] and read.data["id"] == str(lead.pk)


def test_two_inputs_validate_independently():
    bad = LeadCreateInput(data={"phone": "not a phone"})
    good = LeadCreateInput(data={"phone": "512-555-0100", "state": "tx"})

    assert not bad.is_valid() and good.is_valid()
    assert list(bad.errors) == ["phone"]
    assert (good.validated_data["phone"], good.validated_data["state"]) == ("+15125550100", "TX")
