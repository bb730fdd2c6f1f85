from django.urls import path

from . import views

app_name = "club"
urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("kalendarz.ics", views.calendar_feed, name="calendar"),
    path("plakat/", views.poster, name="poster"),
    path("zespol/", views.staff_home, name="staff_home"),
    path("zespol/sale/", views.rooms_week, name="rooms_week"),
    path("zespol/zajecia/nowe/", views.activity_create, name="activity_create"),
    path("zespol/zajecia/<int:pk>/", views.activity_edit, name="activity_edit"),
    path("zespol/termin/<int:pk>/frekwencja/", views.session_attendance, name="session_attendance"),
    path("zespol/termin/<int:pk>/odwolaj/", views.session_cancel, name="session_cancel"),
    path("zespol/termin/<int:pk>/przenies/", views.session_move, name="session_move"),
]
