import pytest

from conversations.models import Message

pytestmark = pytest.mark.django_db


def test_it_creates_a_lead_and_texts_the_borrower(api, run_tasks):
    with run_tasks():
        response = api.post(
            "/api/v1/leads/",
            {"first_name": "Ana", "phone": "(512) 555-0100", "sms_consent": True, "consent_text": "I agree"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert response.json()["phone"] == "+15125550100"
    message = Message.objects.get()
    assert message.status == "sent"
    assert "Ana" in message.body
