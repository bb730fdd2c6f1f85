from django.urls import path

from . import views

app_name = "insight"

urlpatterns = [
    path("miejsca/", views.hotspots, name="hotspots"),
    path("raport/", views.report_page, name="report"),
    path("raport.xlsx", views.report_xlsx, name="report_xlsx"),
    path("raport/test/", views.report_test, name="report_test"),
]
