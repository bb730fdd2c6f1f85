from django.urls import path

from . import views

app_name = "reminders"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("przeczytane/", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/przeczytane/", views.mark_read, name="mark_read"),
    path("<int:pk>/otworz/", views.open_notification, name="open"),
    path("ustawienia/", views.preferences, name="preferences"),
]
