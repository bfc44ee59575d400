from django.urls import path

from leads.api import LeadViewSet
from leads.dnc_api import DncView

lead_list = LeadViewSet.as_view({"get": "list", "post": "create"})
lead_detail = LeadViewSet.as_view({"get": "retrieve", "patch": "partial_update"})

urlpatterns = [
    path("leads/", lead_list, name="lead-list"),
    path("leads/<uuid:pk>/", lead_detail, name="lead-detail"),
    path("leads/<uuid:pk>/messages/", LeadViewSet.as_view({"get": "messages"}), name="lead-messages"),
    path("leads/<uuid:pk>/events/", LeadViewSet.as_view({"get": "events"}), name="lead-events"),
    path("dnc/", DncView.as_view(), name="dnc-list"),
]
