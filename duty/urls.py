from django.urls import path

from . import views

app_name = "duty"
urlpatterns = [
    path("", views.home, name="home"),
    path("nowy/", views.shift_adhoc, name="shift_adhoc"),
    path("dyzury/", views.shift_list, name="shift_list"),
    path("skrzynka/", views.contact_box, name="contact_box"),
    path("najblizsze/", views.nearest, name="nearest"),
    path("tydzien/", views.week, name="week"),
    path("tydzien/zaplanuj/", views.week_plan, name="week_plan"),
    path("<int:pk>/", views.shift_detail, name="shift_detail"),
    path("<int:pk>/start/", views.shift_start, name="shift_start"),
    path("<int:pk>/koniec/", views.shift_end, name="shift_end"),
    path("<int:pk>/licznik/", views.shift_tap, name="shift_tap"),
    path("<int:pk>/notatka/", views.note_create, name="note_create"),
    path("<int:pk>/szczegoly/", views.shift_details, name="shift_details"),
    path("<int:pk>/edytuj/", views.shift_edit, name="shift_edit"),
    path("<int:pk>/odwolaj/", views.shift_cancel, name="shift_cancel"),
]
