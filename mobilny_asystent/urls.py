from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from insight import views as insight_views

admin.site.site_header = _("Mobilny Asystent — administration")
admin.site.site_title = _("Mobilny Asystent")
admin.site.index_title = _("Coordinator's administration")

urlpatterns = [
    path("", include("core.urls")),
    path("konto/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("koordynator/", insight_views.overview, name="dashboard"),
    path("koordynator/", include("insight.urls")),
    path("dyzur/", include("duty.urls")),
    path("", include("needs.urls")),
    path("open311/v2/", include("needs.open311")),
    path("klub/", include("club.urls")),
    path("", include("bundles.urls")),
    path("powiadomienia/", include("reminders.urls")),
    path("api/v1/", include("duty.api")),
    path("api/v1/", include("needs.api")),
    path("api/v1/", include("club.api")),
    path("api/v1/", include("bundles.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
