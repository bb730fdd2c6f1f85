from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from . import world

pytestmark = pytest.mark.django_db


def days_ago(n: int, hour: int = 10):
    return world.at((timezone.localdate() - timedelta(days=n)).isoformat(), hour)


def test_it_ranks_places_and_shows_every_part_of_the_score(coordinator_client):
    busy = world.place("Podwórko przy Kościuszki")
    quiet = world.place("Ławka przy sklepie")
    world.place("Nieodwiedzony skwer")
    world.held_shift(busy, days_ago(3), hours=2, first_time=20, returning=20)
    world.held_shift(quiet, days_ago(40), hours=2, first_time=6, returning=5)
    for _ in range(6):
        world.problem(busy, days_ago(5))
    lonely = world.need("loneliness", "Samotność")  # no bundle answers it yet
    for _ in range(6):
        world.note(busy, (timezone.localdate() - timedelta(days=3)).isoformat(), needs=[lonely])
    response = coordinator_client.get(reverse("insight:hotspots"))
    assert response.status_code == 200
    rows = {r.figures.place.name: r for r in response.context["rows"]}
    busy_parts = {p.key: p for p in rows["Podwórko przy Kościuszki"].parts}
    assert busy_parts["rate"].shown == "20,0"
    assert busy_parts["rate"].points == 20
    assert busy_parts["first"].shown == "50%"
    assert busy_parts["problems"].shown == "6 + 0"
    assert busy_parts["idle"].shown == "3"
    assert busy_parts["needs"].shown == "Samotność (6)"
    assert busy_parts["needs"].points == 20
    never = {p.key: p for p in rows["Nieodwiedzony skwer"].parts}
    assert never["idle"].points == 20
    quiet_parts = {p.key: p for p in rows["Ławka przy sklepie"].parts}
    assert quiet_parts["first"].shown == "55%"
    # Each score is the sum of its parts, and the page says so part by part.
    for row in rows.values():
        assert row.score == pytest.approx(sum(p.points for p in row.parts), abs=0.11)
    body = response.content.decode()
    assert "Rozmowy na godzinę dyżuru" in body
    assert reverse("duty:week") + f"?miejsce={busy.pk}" in body


def test_points_are_counted_from_what_may_be_shown(coordinator_client):
    one, four = world.place("Jeden"), world.place("Cztery")
    world.problem(one, days_ago(5))
    for _ in range(4):
        world.problem(four, days_ago(5))
    rows = {r.figures.place.name: r for r in coordinator_client.get(reverse("insight:hotspots")).context["rows"]}
    parts = [{p.key: p for p in rows[name].parts}["problems"] for name in ("Jeden", "Cztery")]
    assert [p.shown for p in parts] == ["<5 + 0", "<5 + 0"]
    assert parts[0].points == parts[1].points  # 1 and 4 problems must not be told apart


def test_problems_without_a_place_are_listed_by_location(coordinator_client):
    world.problem(None, days_ago(2), location="Przejście pod torami")
    world.problem(None, days_ago(1), location="przejście pod torami ")
    unplaced = coordinator_client.get(reverse("insight:hotspots")).context["unplaced"]
    assert [(u.location, u.count.text) for u in unplaced] == [("przejście pod torami", "<5")]


def test_plan_a_duty_prefills_the_week_plan(coordinator_client):
    here = world.place("Park Wiśniowy")
    response = coordinator_client.get(reverse("duty:week") + f"?miejsce={here.pk}")
    assert response.context["form"].initial["place"] == here.pk
    assert "place" not in coordinator_client.get(reverse("duty:week") + "?miejsce=x").context["form"].initial


def test_it_is_for_coordinators_only(assistant_client, anon_client):
    assert assistant_client.get(reverse("insight:hotspots")).status_code == 403
    assert anon_client.get(reverse("insight:hotspots")).status_code == 302


def test_its_query_count_does_not_grow_with_places(coordinator_client, django_assert_max_num_queries):
    world.held_shift(world.place("Miejsce 0"), days_ago(3), first_time=2)
    world.problem(None, days_ago(2), location="Gdzieś")
    with CaptureQueriesContext(connection) as one:
        coordinator_client.get(reverse("insight:hotspots"))
    for i in range(1, 30):
        here = world.place(f"Miejsce {i}")
        world.held_shift(here, days_ago(3, 8) + timedelta(minutes=i), hours=0.1, first_time=3)
        world.problem(here, days_ago(4))
        world.problem(None, days_ago(2), location=f"Gdzieś {i}")
    with django_assert_max_num_queries(len(one)):
        response = coordinator_client.get(reverse("insight:hotspots"))
    assert len(response.context["rows"]) == 30
