from django.urls import path

from conversations.devtools.bare_app.views import Leads

urlpatterns = [path("api/v1/leads/", Leads.as_view())]
