from django.urls import path

from appointments import api, views

urlpatterns = [
    path("api/v1/leads/<uuid:pk>/appointments/", api.LeadAppointments.as_view(), name="lead-appointments"),
    path("officer/calendar/<str:token>.ics", views.feed, name="officer-calendar"),
]
