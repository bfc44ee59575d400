from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

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
    path("leads/<uuid:lead_id>/notes/", views.note, name="officer-note"),
    path("leads/<uuid:lead_id>/schedule/", views.schedule, name="officer-schedule"),
    path(
        "leads/<uuid:lead_id>/schedule/<int:scheduled_id>/cancel/",
        views.unschedule,
        name="officer-unschedule",
    ),
    path("settings/", views.officer_settings, name="officer-settings"),
    path("push/subscribe/", views.push_subscribe, name="officer-push-subscribe"),
    path("sw.js", views.service_worker, name="officer-service-worker"),
    # Password change (logged in) and reset by e-mail (logged out): Django's own views and forms.
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="officer/password_change.html", success_url=reverse_lazy("officer-password-changed")
        ),
        name="officer-password",
    ),
    path(
        "password/changed/",
        auth_views.PasswordChangeDoneView.as_view(template_name="officer/password_done.html"),
        name="officer-password-changed",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="officer/password_reset.html",
            email_template_name="officer/password_reset_email.txt",
            subject_template_name="officer/password_reset_subject.txt",
            success_url=reverse_lazy("officer-password-reset-sent"),
        ),
        name="officer-password-reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="officer/password_done.html"),
        name="officer-password-reset-sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="officer/password_reset_confirm.html",
            success_url=reverse_lazy("officer-password-reset-complete"),
        ),
        name="officer-password-reset-confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="officer/password_done.html"),
        name="officer-password-reset-complete",
    ),
    path("leads/<uuid:lead_id>/opt-out/", views.record_opt_out, name="officer-opt-out"),
]
