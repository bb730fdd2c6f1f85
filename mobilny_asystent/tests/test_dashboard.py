import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from club.models import Activity, Room, Session
from duty.models import ConversationNote, Place, Shift
from needs.models import Need, Problem, ProblemCategory, ProblemEvent

pytestmark = pytest.mark.django_db


def make_world(n: int, start: int = 0) -> None:
    now = timezone.now()
    need, _ = Need.objects.get_or_create(code="being_heard", defaults={"name": "Rozmowa"})
    category, _ = ProblemCategory.objects.get_or_create(code="lighting", defaults={"name": "Oświetlenie"})
    room, _ = Room.objects.get_or_create(name="Sala")
    activity, _ = Activity.objects.get_or_create(
        title="Szachy", defaults={"room": room, "starts_on": now.date(), "start_time": "10:00", "end_time": "11:00"}
    )
    for i in range(start, start + n):
        place = Place.objects.create(name=f"Podwórko {i}")
        shift = Shift.objects.create(
            place=place,
            planned_start=now - timedelta(days=2),
            planned_end=now - timedelta(days=2, hours=-2),
            status=Shift.Status.ENDED,
            coffee=3,
            adults=2,
            first_time=1,
            returning=1,
        )
        note = ConversationNote.objects.create(place=place, shift=shift, stage=ConversationNote.Stage.SHARING)
        note.needs.add(need)
        problem = Problem.objects.create(
            code=f"C{i:06d}",
            category=category,
            place=place,
            description="Lampa nie świeci",
            reported_at=now - timedelta(days=10),
        )
        ProblemEvent.objects.create(problem=problem, kind=ProblemEvent.Kind.FEEDBACK_TOLD, at=now - timedelta(days=4))
        Session.objects.create(
            activity=activity,
            room=room,
            starts_at=now - timedelta(days=2, minutes=-i),
            ends_at=now - timedelta(days=2, minutes=-i - 1),
            children=4,
            first_time=1,
            attendance_recorded_at=now,
        )


def test_it_is_for_coordinators_only(assistant_client, club_client, anon_client):
    assert assistant_client.get(reverse("dashboard")).status_code == 403
    assert club_client.get(reverse("dashboard")).status_code == 403
    assert anon_client.get(reverse("dashboard")).status_code == 302


def test_it_shows_the_journey_and_needs_by_place(coordinator_client):
    make_world(3)
    response = coordinator_client.get(reverse("dashboard"))
    assert response.status_code == 200
    funnel = dict(response.context["funnel"])
    assert funnel["Pierwszy kontakt"] == 3
    assert funnel["Zgłosił(a) problem"] == 3
    assert funnel["Usłyszał(a), co dalej z problemem"] == 3
    assert funnel["Przyszedł/przyszła do Klubu pierwszy raz"] == 3
    assert funnel["Opowiada innym, przyprowadza znajomych"] == 3
    needs, table = response.context["needs"], response.context["needs_table"]
    assert [n.code for n in needs] == ["being_heard"]
    assert sorted(total for _place, _counts, total in table) == [1, 1, 1]
    assert response.context["feedback"] == {"count": 3, "median": 6.0, "max": 6.0}
    assert response.context["club"]["children"] == 12


def test_its_query_count_is_the_same_for_1_and_50_rows(coordinator_client, django_assert_max_num_queries):
    make_world(1)
    with CaptureQueriesContext(connection) as one:
        assert coordinator_client.get(reverse("dashboard")).status_code == 200
    make_world(49, start=1)
    with django_assert_max_num_queries(len(one)):
        response = coordinator_client.get(reverse("dashboard"))
    assert len(response.context["needs_table"]) == 50


def test_it_exports_monthly_figures_as_csv(coordinator_client):
    make_world(2)
    response = coordinator_client.get(reverse("dashboard") + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Miesiąc"
    this_month = timezone.localdate().strftime("%Y-%m")
    data = {row[0]: row for row in rows[1:]}
    assert any(month <= this_month for month in data)
    totals = [sum(int(row[i]) for row in rows[1:]) for i in range(1, len(rows[0]))]
    header = rows[0]
    assert totals[header.index("Kawy podane") - 1] == 6
    assert totals[header.index("Zgłoszone problemy") - 1] == 2
