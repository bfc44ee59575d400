from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from calls import views as call_views
from mortgage_sms import health
from mortgage_sms.api import api_not_found
from mortgage_sms.home import home
from reporting.views import reports_view

handler500 = "mortgage_sms.api.server_error"

admin.site.site_header = "Mortgage SMS"
admin.site.site_title = "Mortgage SMS admin"
admin.site.index_title = "Operations"
admin.site.site_url = "/"  # "View site": a page that says where each person works
# The app list is on the home page; beside a list it only takes the width the list needs.
admin.site.enable_nav_sidebar = False

api_v1 = [
    path("", include("leads.urls")),
    path("", include("integrations.urls")),
    path("", include("reporting.urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("admin/reports/", admin.site.admin_view(reports_view), name="reports"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("officer/leads/<uuid:lead_id>/call/", call_views.call, name="officer-call"),
    path("officer/", include("routing.urls")),
    path("", include("appointments.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's set-up script as a file: no inline script, for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("conversations.urls")),
    path("", include("integrations.inbound_urls")),
    path("", include("calls.urls")),
    # Last: whatever else is asked of the API is a JSON 404.
    re_path(r"^api/", api_not_found),
]

handler403 = "mortgage_sms.errors_pages.permission_denied"
handler404 = "mortgage_sms.errors_pages.page_not_found"
