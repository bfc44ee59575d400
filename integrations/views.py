"""Webhooks CRMs send us (not the REST API): Total Expert's change notifications."""

import json
import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations import inbound
from integrations.models import CrmIntegration, CrmKind
from mortgage_sms.errors import ApplicationError

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def totalexpert_webhook(request, integration_id: int):
    """Save a notification and answer at once; the change is read and applied by a task."""
    integration = CrmIntegration.objects.filter(pk=integration_id, kind=CrmKind.TOTAL_EXPERT).first()
    if integration is None:
        return JsonResponse({"error": "No such Total Expert integration."}, status=404)
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "Send a JSON object."}, status=400)
    if not isinstance(payload, dict) or not inbound.webhook_secret_matches(
        integration, payload.get("secret")
    ):
        logger.warning("Total Expert notification for %s refused: wrong or missing secret", integration)
        return JsonResponse({"error": "Wrong or missing secret."}, status=403)
    try:
        fields = inbound.notification_fields(payload)
    except ApplicationError as error:
        return JsonResponse({"error": error.message}, status=400)
    notification = inbound.notification_record(integration=integration, **fields)
    return JsonResponse({"id": notification.pk, "status": notification.status})
