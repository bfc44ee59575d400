from django.db import transaction
from django_q.tasks import async_task
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations.devtools.bare_app.models import Lead


class LeadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = ["id", "first_name", "last_name", "phone", "state", "source", "sms_consent", "consent_text"]


class Leads(APIView):
    def post(self, request):
        serializer = LeadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            lead = serializer.save()
            transaction.on_commit(
                lambda: async_task("conversations.devtools.bare_app.tasks.text", str(lead.pk))
            )
        return Response(serializer.data, status=201)
