import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from duty.models import ConversationNote, Shift
from duty.tests.factories import NoteFactory, PlaceFactory, ShiftFactory

pytestmark = pytest.mark.django_db


def test_notes_have_no_field_for_a_name_or_contact():
    forbidden = (
        "name",
        "surname",
        "nazwisko",
        "imie",
        "phone",
        "telefon",
        "email",
        "mail",
        "address",
        "adres",
        "pesel",
        "contact",
    )
    fields = [f.name.lower() for f in ConversationNote._meta.get_fields()]
    assert not [f for f in fields if any(word in f for word in forbidden)], fields


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anon_client", 302), ("club_client", 403), ("assistant_client", 200), ("coordinator_client", 200)],
)
def test_who_may_open_the_duty_screen(request, persona, status):
    assert request.getfixturevalue(persona).get(reverse("duty:home")).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anon_client", 302), ("club_client", 403), ("assistant_client", 403), ("coordinator_client", 200)],
)
def test_only_coordinators_plan_the_week(request, persona, status):
    assert request.getfixturevalue(persona).get(reverse("duty:week")).status_code == status


def test_the_screen_shows_todays_shift_with_a_start_button(assistant_client, shift):
    response = assistant_client.get(reverse("duty:home"))
    html = response.content.decode()
    assert response.context["shift"] == shift
    assert 'data-shift-status="planned"' in html
    assert "Rozpocznij dyżur" in html


def test_start_tap_note_and_end_without_javascript(assistant_client, shift, needs):
    assistant_client.post(reverse("duty:shift_start", args=[shift.pk]))
    shift.refresh_from_db()
    assert shift.status == Shift.Status.STARTED and shift.started_at
    tap = {"counter": "coffee", "delta": "1", "client_uuid": str(uuid.uuid4())}
    assistant_client.post(reverse("duty:shift_tap", args=[shift.pk]), tap)
    assistant_client.post(reverse("duty:shift_tap", args=[shift.pk]), tap)  # the same form sent twice
    shift.refresh_from_db()
    assert shift.coffee == 1
    stale = {**tap, "counter": "snacks"}  # a page kept from before reuses the id for another counter
    response = assistant_client.post(reverse("duty:shift_tap", args=[shift.pk]), stale, follow=True)
    assert "Nie policzono tego stuknięcia" in response.content.decode()
    shift.refresh_from_db()
    assert (shift.coffee, shift.snacks) == (1, 0)
    note = {
        "client_uuid": str(uuid.uuid4()),
        "stage": "using",
        "age_band": "senior",
        "needs": ["being_heard"],
        "text": "Rozmowa o samotności",
    }
    response = assistant_client.post(reverse("duty:note_create", args=[shift.pk]), note)
    assert response.status_code == 302
    saved = ConversationNote.objects.get()
    assert saved.shift == shift and [n.code for n in saved.needs.all()] == ["being_heard"]
    assistant_client.post(
        reverse("duty:shift_end", args=[shift.pk]),
        {"summary": "Dobrze", "weather": "sunny", "touchpoints": ["bike", "coffee"]},
    )
    shift.refresh_from_db()
    assert (shift.status, shift.summary, shift.weather, shift.touchpoints) == (
        "ended",
        "Dobrze",
        "sunny",
        ["bike", "coffee"],
    )


def test_a_note_with_a_phone_number_comes_back_with_everything_typed(assistant_client, started_shift, needs):
    note = {
        "client_uuid": str(uuid.uuid4()),
        "stage": "sharing",
        "age_band": "adult",
        "needs": ["childcare"],
        "wants_follow_up": "on",
        "text": "Prosi o telefon: 601 234 567, chodzi o zajęcia dla dzieci",
    }
    response = assistant_client.post(reverse("duty:note_create", args=[started_shift.pk]), note)
    assert response.status_code == 200
    html = response.content.decode()
    assert "numer telefonu" in html
    assert "chodzi o zajęcia dla dzieci" in html
    form = response.context["note_form"]
    assert (
        form["stage"].value() == "sharing"
        and form["needs"].value() == ["childcare"]
        and form["wants_follow_up"].value()
    )
    assert not ConversationNote.objects.exists()


def test_another_assistants_shift_is_404(assistant_client, other_shift):
    assert assistant_client.get(reverse("duty:shift_detail", args=[other_shift.pk])).status_code == 404
    assert assistant_client.post(reverse("duty:shift_start", args=[other_shift.pk])).status_code == 404
    assert assistant_client.post(reverse("duty:note_create", args=[other_shift.pk]), {"text": "x"}).status_code == 404


def test_an_ad_hoc_shift_starts_at_once(assistant_client, assistant):
    place = PlaceFactory.create()
    response = assistant_client.post(
        reverse("duty:shift_adhoc"), {"place": place.pk, "hours": 2, "client_uuid": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert shift.status == Shift.Status.STARTED and list(shift.assistants.all()) == [assistant]


def test_an_ad_hoc_shift_without_a_place_is_refused_in_polish(assistant_client):
    response = assistant_client.post(reverse("duty:shift_adhoc"), {"hours": 2})
    assert response.status_code == 200
    assert "To pole jest wymagane" in response.content.decode()
    assert not Shift.objects.exists()


def test_a_contact_box_note_needs_a_place_and_a_date(assistant_client, assistant, needs):
    place = PlaceFactory.create()
    data = {
        "place": place.pk,
        "date": timezone.localdate().isoformat(),
        "stage": "using",
        "age_band": "unknown",
        "text": "Prośba o ławkę",
        "client_uuid": str(uuid.uuid4()),
    }
    assert assistant_client.post(reverse("duty:contact_box"), data).status_code == 302
    note = ConversationNote.objects.get()
    assert (note.shift, note.place, note.source) == (None, place, "contact_box")
    future = {**data, "client_uuid": str(uuid.uuid4()), "date": (timezone.localdate() + timedelta(days=2)).isoformat()}
    response = assistant_client.post(reverse("duty:contact_box"), future)
    assert "nie może być z przyszłości" in response.content.decode()


def test_the_coordinator_plans_a_shift_for_two_assistants(coordinator_client, assistant, assistant2):
    place = PlaceFactory.create()
    day = timezone.localdate() + timedelta(days=1)
    data = {
        "place": place.pk,
        "day": day.isoformat(),
        "start": "10:00",
        "end": "12:00",
        "assistants": [assistant.pk, assistant2.pk],
        "client_uuid": str(uuid.uuid4()),
    }
    assert coordinator_client.post(reverse("duty:week_plan"), data).status_code == 302
    shift = Shift.objects.get()
    assert set(shift.assistants.all()) == {assistant, assistant2}
    assert timezone.localtime(shift.planned_start).hour == 10
    bad = {**data, "end": "09:00", "client_uuid": str(uuid.uuid4())}
    response = coordinator_client.post(reverse("duty:week_plan"), bad)
    assert "musi skończyć się po rozpoczęciu" in response.content.decode()
    assert Shift.objects.count() == 1


def test_the_week_flags_a_shift_without_an_assistant(coordinator_client):
    ShiftFactory.create(planned_start=timezone.now() + timedelta(hours=1))
    html = coordinator_client.get(reverse("duty:week")).content.decode()
    assert "brak asystenta" in html


@pytest.mark.parametrize("rows", [1, 50])
def test_list_pages_cost_the_same_queries(
    coordinator_client, assistant_client, assistant, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        shift = ShiftFactory.create(assistants=[assistant], planned_start=timezone.now() + timedelta(hours=1))
        NoteFactory.create(shift=shift)
    with django_assert_max_num_queries(12):
        assert assistant_client.get(reverse("duty:shift_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert coordinator_client.get(reverse("duty:week")).status_code == 200
    with django_assert_max_num_queries(16):
        assert coordinator_client.get("/admin/duty/conversationnote/").status_code == 200
    with django_assert_max_num_queries(16):
        assert coordinator_client.get("/admin/duty/shift/").status_code == 200


def test_the_live_screen_query_count_does_not_grow_with_notes(
    assistant_client, started_shift, needs, django_assert_max_num_queries
):
    for _ in range(30):
        NoteFactory.create(shift=started_shift).needs.set(needs)
    with django_assert_max_num_queries(16):
        assert assistant_client.get(reverse("duty:home")).status_code == 200


def test_nearest_place_suggestion(assistant_client):
    near = PlaceFactory.create(name="Blisko", lat="50.095700", lon="18.523600")
    PlaceFactory.create(name="Daleko", lat="50.200000", lon="18.700000")
    data = assistant_client.get(reverse("duty:nearest"), {"lat": "50.0958", "lon": "18.5237"}).json()
    assert data["places"][0]["id"] == near.pk and data["places"][0]["metres"] < 50
    assert assistant_client.get(reverse("duty:nearest"), {"lat": "x"}).status_code == 400


def _write_urls(shift):
    return {
        "shift_end": reverse("duty:shift_end", args=[shift.pk]),
        "shift_tap": reverse("duty:shift_tap", args=[shift.pk]),
        "shift_details": reverse("duty:shift_details", args=[shift.pk]),
        "note_create": reverse("duty:note_create", args=[shift.pk]),
        "shift_edit": reverse("duty:shift_edit", args=[shift.pk]),
        "shift_cancel": reverse("duty:shift_cancel", args=[shift.pk]),
    }


@pytest.mark.parametrize(
    ("persona", "view", "status"),
    [
        ("anon_client", "shift_end", 302),
        ("club_client", "shift_tap", 403),
        ("assistant_client", "shift_end", 404),
        ("assistant_client", "shift_tap", 404),
        ("assistant_client", "shift_details", 404),
        ("assistant_client", "shift_edit", 403),
        ("assistant_client", "shift_cancel", 403),
        ("assistant2_client", "shift_details", 302),
        ("coordinator_client", "shift_cancel", 302),
    ],
)
def test_it_lets_only_the_right_role_write_to_a_shift(request, assistant2, persona, view, status):
    shift = ShiftFactory.create(assistants=[assistant2], planned_start=timezone.now() + timedelta(days=1))
    data = {"counter": "coffee", "delta": "1", "client_uuid": str(uuid.uuid4()), "summary": "x", "weather": "rain"}
    assert request.getfixturevalue(persona).post(_write_urls(shift)[view], data).status_code == status
    shift.refresh_from_db()
    changed = (shift.status, shift.weather) != (Shift.Status.PLANNED, "")
    assert changed == (status == 302 and persona != "anon_client")


@pytest.mark.parametrize(
    ("persona", "name", "status"),
    [
        ("anon_client", "duty:shift_list", 302),
        ("club_client", "duty:shift_list", 403),
        ("club_client", "duty:contact_box", 403),
        ("club_client", "duty:shift_adhoc", 403),
        ("club_client", "duty:nearest", 403),
        ("assistant_client", "duty:week_plan", 403),
        ("assistant_client", "duty:contact_box", 200),
        ("coordinator_client", "duty:shift_list", 200),
    ],
)
def test_it_opens_each_page_only_to_its_roles(request, persona, name, status):
    client = request.getfixturevalue(persona)
    method = client.post if name in ("duty:shift_adhoc", "duty:week_plan") else client.get
    assert method(reverse(name)).status_code == status


def test_it_lets_the_coordinator_see_and_the_co_assistant_work_on_a_shared_shift(
    coordinator_client, assistant2_client, assistant, assistant2
):
    shift = ShiftFactory.create(assistants=[assistant, assistant2], status=Shift.Status.STARTED)
    assert coordinator_client.get(reverse("duty:shift_detail", args=[shift.pk])).status_code == 200
    tap = {"counter": "adults", "delta": "1", "client_uuid": str(uuid.uuid4())}
    assert assistant2_client.post(reverse("duty:shift_tap", args=[shift.pk]), tap).status_code == 302
    shift.refresh_from_db()
    assert shift.adults == 1


def test_it_starts_one_ad_hoc_shift_when_the_form_is_sent_twice(assistant_client):
    place = PlaceFactory.create()
    data = {"place": place.pk, "hours": 2, "client_uuid": str(uuid.uuid4())}
    assert assistant_client.post(reverse("duty:shift_adhoc"), data).status_code == 302
    assert assistant_client.post(reverse("duty:shift_adhoc"), data).status_code == 302
    shift = Shift.objects.get()
    assert shift.status == Shift.Status.STARTED and shift.started_at
    changed = {**data, "hours": 3}
    response = assistant_client.post(reverse("duty:shift_adhoc"), changed, follow=True)
    assert "inną treścią" in response.content.decode()
    assert Shift.objects.count() == 1


def test_it_keeps_the_plan_form_on_a_conflicting_replay(coordinator_client, assistant):
    place = PlaceFactory.create()
    day = timezone.localdate() + timedelta(days=1)
    data = {
        "place": place.pk,
        "day": day.isoformat(),
        "start": "10:00",
        "end": "12:00",
        "client_uuid": str(uuid.uuid4()),
    }
    assert coordinator_client.post(reverse("duty:week_plan"), data).status_code == 302
    assert coordinator_client.post(reverse("duty:week_plan"), data).status_code == 302  # a double submit
    response = coordinator_client.post(reverse("duty:week_plan"), {**data, "end": "13:00"})
    assert response.status_code == 200
    assert "inną treścią" in response.content.decode()
    form = response.context["form"]
    assert form["end"].value() == "13:00" and form["client_uuid"].value() != data["client_uuid"]
    assert Shift.objects.count() == 1


def test_it_asks_to_confirm_a_name_in_a_note_and_then_saves_it(assistant_client, started_shift, needs):
    note = {
        "client_uuid": str(uuid.uuid4()),
        "stage": "using",
        "age_band": "senior",
        "text": "Pani Kowalska pyta o szachy",
    }
    url = reverse("duty:note_create", args=[started_shift.pk])
    response = assistant_client.post(url, note)
    html = response.content.decode()
    assert response.status_code == 200
    assert "„Pani Kowalska”" in html or "Pani Kowalska" in html
    assert "starsza sąsiadka z parteru" in html
    assert 'type="checkbox" name="pii_confirmed"' in html
    assert not ConversationNote.objects.exists()
    assert assistant_client.post(url, {**note, "pii_confirmed": "on"}).status_code == 302
    assert ConversationNote.objects.get().text == note["text"]


def test_it_refuses_a_phone_number_in_the_summary_and_keeps_the_shift_running(assistant_client, started_shift):
    summary = "Oddzwonić 601 234 567 w sprawie podwórka"
    response = assistant_client.post(reverse("duty:shift_end", args=[started_shift.pk]), {"summary": summary})
    assert response.status_code == 200
    html = response.content.decode()
    assert "numer telefonu" in html and "w sprawie podwórka" in html
    started_shift.refresh_from_db()
    assert started_shift.status == Shift.Status.STARTED


def test_it_redraws_only_the_counters_for_htmx(assistant_client, started_shift):
    tap = {"counter": "children", "delta": "1", "client_uuid": str(uuid.uuid4())}
    response = assistant_client.post(reverse("duty:shift_tap", args=[started_shift.pk]), tap, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="counters-grid"' in html and "<html" not in html
    assert '<span data-counter-value="children">1</span>' in html
    bad = {**tap, "client_uuid": str(uuid.uuid4()), "delta": "-5"}
    response = assistant_client.post(reverse("duty:shift_tap", args=[started_shift.pk]), bad, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    stale = {**tap, "counter": "adults"}
    response = assistant_client.post(reverse("duty:shift_tap", args=[started_shift.pk]), stale, HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "Nie policzono" in response.content.decode()


def test_it_offers_to_report_a_problem_from_each_note(assistant_client, started_shift):
    note = NoteFactory.create(shift=started_shift)
    html = assistant_client.get(reverse("duty:home")).content.decode()
    assert reverse("needs:problem_from_note", args=[note.pk]) in html


def test_it_refuses_a_pesel_in_a_note_written_in_the_admin(coordinator_client):
    place = PlaceFactory.create()
    data = {
        "place": place.pk,
        "date": timezone.localdate().isoformat(),
        "source": "contact_box",
        "stage": "using",
        "age_band": "adult",
        "text": "Zostawił PESEL 02070803628 w skrzynce",
    }
    response = coordinator_client.post("/admin/duty/conversationnote/add/", data)
    assert response.status_code == 200
    assert "PESEL" in response.content.decode()
    assert not ConversationNote.objects.exists()
    response = coordinator_client.post("/admin/duty/conversationnote/add/", {**data, "text": "Prośba o ławkę"})
    assert response.status_code == 302
    assert ConversationNote.objects.values_list("created_by__username", flat=True).get() == "koordynatorka"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_it_imports_places_and_refuses_rows_with_a_phone_number(file_format):
    import tablib

    from duty.models import Place
    from duty.resources import PlaceResource

    rows = tablib.Dataset(headers=["name", "kind", "district", "lat", "lon", "description", "active"])
    rows.append(["Ławka przy stawie", "bench", "Piaski", "50.093100", "18.529000", "Pod wierzbą", "1"])
    rows.append(["Sklep", "shop", "Piaski", "", "", "Klucz u pani, tel. 601 234 567", "1"])
    loaded = tablib.Dataset().load(rows.export(file_format), format=file_format)
    result = PlaceResource().import_data(loaded, dry_run=False, raise_errors=False)
    assert [row.error_dict.keys() for row in result.invalid_rows] == [{"description"}]
    assert list(Place.objects.values_list("name", "kind")) == [("Ławka przy stawie", "bench")]


@pytest.mark.parametrize("rows", [1, 50])
def test_it_keeps_other_lists_at_a_fixed_number_of_queries(
    coordinator_client, assistant_client, assistant, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        ShiftFactory.create(assistants=[assistant], planned_start=timezone.now() + timedelta(days=1))
        NoteFactory.create(shift=None, place=PlaceFactory.create(), source="contact_box", created_by=assistant)
    with django_assert_max_num_queries(14):
        assert assistant_client.get(reverse("duty:home")).status_code == 200
    with django_assert_max_num_queries(14):
        assert assistant_client.get(reverse("duty:contact_box")).status_code == 200
    with django_assert_max_num_queries(12):
        assert coordinator_client.get(reverse("duty:shift_list")).status_code == 200
    with django_assert_max_num_queries(16):
        assert coordinator_client.get("/admin/duty/place/").status_code == 200


def test_it_seeds_weeks_of_shifts_and_notes_that_pass_the_pii_guard():
    from django.core.management import call_command

    from core.pii import find_pii

    call_command("seed_demo")
    ended = Shift.objects.filter(status=Shift.Status.ENDED)
    assert ended.count() >= 9
    starts = sorted(ended.values_list("planned_start", flat=True))
    assert (starts[-1] - starts[0]).days >= 14
    assert ConversationNote.objects.count() >= 20
    assert not [n.text for n in ConversationNote.objects.all() if find_pii(n.text)]
    assert not [s.summary for s in ended if find_pii(s.summary)]


def _planned(assistant, *, starts_in: timedelta, hours: int = 2):
    start = timezone.now() + starts_in
    return ShiftFactory.create(assistants=[assistant], planned_start=start, planned_end=start + timedelta(hours=hours))


def test_a_shift_days_ahead_is_shown_as_the_next_one_with_a_start_here_and_now(assistant_client, assistant):
    later = _planned(assistant, starts_in=timedelta(days=2))
    response = assistant_client.get(reverse("duty:home"))
    html = response.content.decode()
    assert "shift" not in response.context
    assert response.context["next_shift"] == later
    assert "Twój następny dyżur" in html and later.place.name in html
    assert "data-adhoc-form" in html and "data-start-form" not in html


def test_a_planned_shift_is_offered_for_starting_from_a_little_before_it(assistant_client, assistant, settings):
    settings.SHIFT_START_EARLY_MINUTES = 30
    soon = _planned(assistant, starts_in=timedelta(minutes=20))
    assert assistant_client.get(reverse("duty:home")).context["shift"] == soon
    soon.delete()
    _planned(assistant, starts_in=timedelta(minutes=40))
    assert "shift" not in assistant_client.get(reverse("duty:home")).context
    settings.SHIFT_START_EARLY_MINUTES = 60
    assert "shift" in assistant_client.get(reverse("duty:home")).context


def test_a_planned_shift_whose_time_has_passed_is_not_offered(assistant_client, assistant):
    _planned(assistant, starts_in=timedelta(hours=-3), hours=2)
    response = assistant_client.get(reverse("duty:home"))
    assert "shift" not in response.context
    assert response.context["next_shift"] is None
    assert "Rozpocznij dyżur" in response.content.decode()  # the ad hoc start


def test_the_duty_screen_shows_the_latest_notes_and_pages_through_the_rest(assistant_client, started_shift):
    now = timezone.now()
    for i in range(75):
        NoteFactory.create(shift=started_shift, text=f"Rozmowa numer {i:03d}", created_at=now - timedelta(minutes=i))
    html = assistant_client.get(reverse("duty:home")).content.decode()
    assert html.count("Rozmowa numer") == 20
    assert "Rozmowa numer 000" in html and "Rozmowa numer 019" in html and "Rozmowa numer 020" not in html
    assert "Więcej notatek" in html and f'href="/dyzur/{started_shift.pk}/"' in html
    first = assistant_client.get(f"/dyzur/{started_shift.pk}/").content.decode()
    last = assistant_client.get(f"/dyzur/{started_shift.pk}/?strona=2").content.decode()
    assert first.count("Rozmowa numer") == 50 and last.count("Rozmowa numer") == 25
    assert "Rozmowa numer 074" in last and "Starsze" in first


def test_the_duty_screen_lists_the_oldest_untold_news_and_links_to_the_rest(assistant_client, started_shift):
    from needs.tests.factories import report

    for _ in range(7):
        problem = report(place=started_shift.place)
        type(problem).objects.filter(pk=problem.pk).update(untold_since=timezone.now())
    html = assistant_client.get(reverse("duty:home")).content.decode()
    assert html.count('class="card mb-2" id="untold-') == 5
    assert f"/problemy/?miejsce={started_shift.place_id}&amp;niepoinformowani=1" in html
    assert "Więcej wiadomości do przekazania" in html
