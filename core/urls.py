from django.urls import path

from . import offline, views

urlpatterns = [
    path("", views.home, name="home"),
    path("brak-roli/", views.no_role, name="no_role"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("healthz/", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("offline/", offline.offline, name="offline"),
    path("dostepnosc/", views.accessibility, name="accessibility"),
]
