from django.urls import path

from . import views

app_name = "needs"
urlpatterns = [
    path("problemy/", views.problem_list, name="problem_list"),
    path("problemy/nowy/", views.problem_create, name="problem_create"),
    path("problemy/z-notatki/<int:note_id>/", views.problem_from_note, name="problem_from_note"),
    path("problemy/karty/", views.cards, name="cards"),
    path("problemy/<str:code>/", views.problem_detail, name="problem_detail"),
    path("problemy/<str:code>/karta/", views.card, name="card"),
    path("problemy/<str:code>/przekazano/", views.problem_told, name="problem_told"),
    path("problemy/<str:code>/glos/", views.problem_support, name="problem_support"),
    path("problemy/<str:code>/naprawione/", views.problem_fix_check, name="problem_fix_check"),
    path("z/", views.public_lookup, name="public_lookup"),
    path("z/<str:code>/", views.public_status, name="public_status"),
    path("z/<str:code>/nadal-nie-dziala/", views.public_still_broken, name="public_still_broken"),
]
