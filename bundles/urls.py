from django.urls import path

from . import views

app_name = "bundles"
urlpatterns = [
    path("uslugi/", views.public_index, name="public_index"),
    path("uslugi/<slug:code>/", views.public_need, name="public_need"),
    path("uslugi/<slug:code>/karta/", views.card, name="card"),
    path("wiazki/", views.bundle_list, name="bundle_list"),
    path("wiazki/diagnoza/", views.diagnosis, name="diagnosis"),
    path("wiazki/<int:pk>/", views.bundle_detail, name="bundle_detail"),
]
