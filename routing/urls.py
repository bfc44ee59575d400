from django.contrib.auth import views as auth_views
from django.urls import path

from routing import views

urlpatterns = [
    path("", views.dashboard, name="officer-home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="officer/login.html", redirect_authenticated_user=True),
        name="officer-login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="officer-login"), name="officer-logout"),
    path("leads/<uuid:lead_id>/", views.lead_detail, name="officer-lead"),
    path("leads/<uuid:lead_id>/claim/", views.claim, name="officer-claim"),
    path("leads/<uuid:lead_id>/reply/", views.reply, name="officer-reply"),
    path("leads/<uuid:lead_id>/release/", views.release, name="officer-release"),
    path("leads/<uuid:lead_id>/close/", views.close, name="officer-close"),
    path("leads/<uuid:lead_id>/assistant/", views.assistant, name="officer-assistant"),
]
