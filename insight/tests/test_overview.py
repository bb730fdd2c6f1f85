import io
from datetime import UTC, date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from duty import services as duty_services
from duty.models import ConversationNote
from insight import selectors
from insight.periods import MONTH, QUARTER, RANGE, YEAR, Period, period_from_query

from . import world

pytestmark = pytest.mark.django_db


def url(first: str, last: str) -> str:
    return reverse("dashboard") + f"?od={first}&do={last}"


# --- Periods --------------------------------------------------------------------------------


def test_a_month_quarter_and_year_compare_with_the_one_before():
    assert Period(date(2026, 3, 1), date(2026, 3, 31)).kind == MONTH
    assert Period(date(2026, 3, 1), date(2026, 3, 31)).previous() == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert Period(date(2026, 1, 1), date(2026, 3, 31)).kind == QUARTER
    assert Period(date(2026, 1, 1), date(2026, 3, 31)).previous() == Period(date(2025, 10, 1), date(2025, 12, 31))
    assert Period(date(2026, 1, 1), date(2026, 12, 31)).kind == YEAR
    assert Period(date(2026, 1, 1), date(2026, 12, 31)).previous() == Period(date(2025, 1, 1), date(2025, 12, 31))
    rng = Period(date(2026, 3, 10), date(2026, 3, 19))
    assert rng.kind == RANGE
    assert rng.previous() == Period(date(2026, 2, 28), date(2026, 3, 9))


def test_a_period_across_a_change_of_clocks_keeps_whole_local_days():
    october = Period(date(2026, 10, 1), date(2026, 10, 31))  # clocks go back on 25 October
    assert october.end.astimezone(UTC) - october.start.astimezone(UTC) == timedelta(days=31, hours=1)
    assert timezone.localtime(october.end).hour == 0
    march = Period(date(2026, 3, 29), date(2026, 3, 29))  # clocks go forward that night
    assert march.end.astimezone(UTC) - march.start.astimezone(UTC) == timedelta(hours=23)


def test_it_counts_a_shift_by_its_local_day_on_both_sides_of_a_clock_change(coordinator_client):
    here = world.place("Podwórko Kościuszki")
    world.held_shift(here, world.at("2026-10-01", 0, 30), hours=1, first_time=5)  # first local hour of October
    world.held_shift(here, world.at("2026-10-31", 22, 30), hours=1, first_time=7)  # last local hour
    world.held_shift(here, world.at("2026-11-01", 0, 30), hours=1, first_time=100)  # November
    world.held_shift(here, world.at("2026-09-30", 23, 30), hours=0.5, first_time=100)  # September
    response = coordinator_client.get(url("2026-10-01", "2026-10-31"))
    assert response.context["totals"].first_time == 12
    assert response.context["totals"].shifts == 2


def test_it_refuses_a_period_it_cannot_read(coordinator_client):
    assert coordinator_client.get(url("2026-13-01", "2026-12-01")).status_code == 400
    response = coordinator_client.get(url("2026-10-31", "2026-10-01"))
    assert response.status_code == 400
    assert "przed" in response.content.decode()


def test_without_dates_it_shows_the_current_month():
    today = timezone.localdate()
    assert period_from_query({}) == Period.month_of(today)


# --- Figures --------------------------------------------------------------------------------


def test_the_journey_counts_every_stage_and_the_conversions(coordinator_client):
    here = world.place("Ławka przy sklepie")
    world.held_shift(here, world.at("2026-10-05", 10), onlookers=30, first_time=10, returning=6)
    world.held_shift(here, world.at("2026-10-12", 10), onlookers=10, first_time=10, returning=4)
    for day in ("2026-10-05", "2026-10-12"):
        world.note(here, day, stage=ConversationNote.Stage.SHARING)
    reported = [world.problem(here, world.at("2026-10-05", 11)) for _ in range(5)]
    assert len(reported) == 5
    for _ in range(3):
        world.problem(here, world.at("2026-09-01"), told=world.at("2026-10-20"))
    world.club_session(world.at("2026-10-08", 17), children=4, adults=3, first_time=5)
    world.club_session(world.at("2026-10-09", 17), cancelled=True)
    response = coordinator_client.get(url("2026-10-01", "2026-10-31"))
    steps = {s.key: s for s in response.context["steps"]}
    assert steps["discovery"].n == 60  # 40 watched + 20 talked for the first time
    assert steps["first_contact"].n == 20
    assert steps["first_contact"].conversion == pytest.approx(33.3)
    assert steps["returning"].n == 10
    assert steps["returning"].conversion == 50.0
    assert steps["reported"].n == 5
    assert steps["told"].n == 3
    assert steps["told"].conversion == 60.0
    assert steps["sharing"].n == 2
    assert steps["sharing"].conversion is None  # 3 residents before: too few for a share
    assert steps["club"].n == 5
    assert response.context["totals"].hours == 4.0


def test_future_and_cancelled_club_sessions_are_not_counted_as_held(coordinator_client):
    today = timezone.localdate()
    world.club_session(world.at((today - timedelta(days=1)).isoformat(), 10), children=6, youth=5, first_time=2)
    world.club_session(world.at((today + timedelta(days=2)).isoformat(), 10))
    world.club_session(world.at((today - timedelta(days=2)).isoformat(), 10), cancelled=True)
    response = coordinator_client.get(
        url((today - timedelta(days=10)).isoformat(), (today + timedelta(days=10)).isoformat())
    )
    club = response.context["club"]
    assert club.sessions == 1
    assert [c.text for c in club.groups.cells] == ["6", "5", "0", "0"]
    assert response.context["totals"].club_visits == 11


def test_time_to_feedback_gives_median_and_90th_percentile_from_five_problems():
    here = world.place("Skwer")
    for days in (1, 2, 3, 4, 10):
        world.problem(here, world.at("2026-10-20") - timedelta(days=days), told=world.at("2026-10-20"))
    feedback = selectors.time_to_feedback(Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert (feedback.count, feedback.median, feedback.p90) == (5, 3.0, 10.0)


def test_time_to_feedback_has_no_median_over_four_problems():
    here = world.place("Skwer")
    for days in (1, 2, 3, 4):
        world.problem(here, world.at("2026-10-20") - timedelta(days=days), told=world.at("2026-10-20"))
    feedback = selectors.time_to_feedback(Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert (feedback.count, feedback.median, feedback.p90) == (4, None, None)


def test_contacts_per_week_fill_empty_weeks_and_hide_small_ones():
    here = world.place("Park")
    world.held_shift(here, world.at("2026-10-06", 10), first_time=3, returning=9)  # week of 5 Oct: 12
    world.held_shift(here, world.at("2026-10-13", 10), first_time=7)  # week of 12 Oct: 7
    world.held_shift(here, world.at("2026-10-20", 10), first_time=2, returning=1)  # week of 19 Oct: 3
    weekly = selectors.contacts_per_week(Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert weekly.labels == ["28.09", "05.10", "12.10", "19.10", "26.10"]
    # The total (22) is shown, so the smallest other week is hidden too: 3 cannot be worked out.
    assert [c.text for c in weekly.series.cells] == ["0", "12", "*", "<5", "0"]
    assert weekly.chart()["values"] == [0, 12, None, None, 0]


# --- Small numbers --------------------------------------------------------------------------


def _needs_table(coordinator_client, counts: dict[str, int]):
    heard = world.need("being_heard", "Rozmowa")
    for name, n in counts.items():
        here = world.place(name)
        for _ in range(n):
            world.note(here, "2026-10-10", needs=[heard])
    response = coordinator_client.get(url("2026-10-01", "2026-10-31"))
    return {place: (cells[0].text, total.text) for place, cells, total in response.context["needs_by_place"].rows()}


def test_a_count_of_four_is_shown_as_less_than_five_and_five_as_it_is(coordinator_client):
    rows = _needs_table(coordinator_client, {"Podwórko A": 4, "Podwórko B": 5, "Podwórko C": 6})
    assert rows["Podwórko A"][0] == "<5"
    assert rows["Podwórko C"][0] == "6"
    # B alone would give A away from the exact total of 15: one more cell is hidden.
    assert rows["Podwórko B"][0] == "*"
    body = coordinator_client.get(url("2026-10-01", "2026-10-31")).content.decode()
    assert "&lt;5" in body


def test_the_map_does_not_draw_a_small_count_by_its_size(coordinator_client):
    world.held_shift(world.place("Mały", "50.1", "18.5"), world.at("2026-10-06", 10), first_time=3)
    world.held_shift(world.place("Duży", "50.2", "18.6"), world.at("2026-10-06", 13), first_time=20)
    world.held_shift(world.place("Średni", "50.3", "18.7"), world.at("2026-10-06", 16), first_time=9)
    points = {p["name"]: p for p in coordinator_client.get(url("2026-10-01", "2026-10-31")).context["map_points"]}
    assert points["Mały"]["contacts"] == "<5"
    assert points["Mały"]["size"] == 0
    assert points["Duży"]["contacts"] == "20"


# --- Access and cost ------------------------------------------------------------------------


def test_it_is_for_coordinators_only(assistant_client, club_client, anon_client):
    assert assistant_client.get(reverse("dashboard")).status_code == 403
    assert club_client.get(reverse("dashboard")).status_code == 403
    assert anon_client.get(reverse("dashboard")).status_code == 302


def _world(n: int, start: int = 0) -> None:
    heard = world.need("being_heard", "Rozmowa")
    for i in range(start, start + n):
        here = world.place(f"Podwórko {i}", f"50.{i:04d}", "18.5")
        world.held_shift(
            here, world.at("2026-10-06", 8) + timedelta(minutes=3 * i), hours=0.05, first_time=2, returning=1
        )
        world.note(here, "2026-10-06", needs=[heard], stage=ConversationNote.Stage.SHARING)
        world.problem(here, world.at("2026-10-01"), told=world.at("2026-10-05"))
        world.club_session(
            world.at("2026-10-07", 8) + timedelta(days=i % 20, minutes=61 * (i // 20)), children=4, first_time=1
        )


def test_its_query_count_is_the_same_for_1_and_50_places(coordinator_client, django_assert_max_num_queries):
    _world(1)
    with CaptureQueriesContext(connection) as one:
        assert coordinator_client.get(url("2026-10-01", "2026-10-31")).status_code == 200
    _world(49, start=1)
    with django_assert_max_num_queries(len(one)):
        response = coordinator_client.get(url("2026-10-01", "2026-10-31"))
    assert len(response.context["places"]) == 50
    assert response.context["totals"].contacts == 150


def test_conversations_by_age_band_hide_small_groups(coordinator_client):
    here = world.place("Skwer")
    for _ in range(6):
        world.note(here, "2026-10-10")  # age band unknown
    for age in ("senior", "senior", *["child"] * 7):
        duty_services.note_create(
            by=None,
            text="",
            stage=ConversationNote.Stage.FIRST_CONTACT,
            place=here,
            date=date(2026, 10, 10),
            age_band=age,
        )
    rows = dict(coordinator_client.get(url("2026-10-01", "2026-10-31")).context["by_age"].rows())
    assert rows["dziecko"].text == "7"
    assert rows["senior"].text == "<5"
    assert rows["nie wiadomo"].text == "*"  # else the 2 seniors follow from the exact total of 15


def test_past_figures_are_counted_once_per_data_version_and_again_after_any_write(coordinator_client):
    _world(1)
    address = url("2026-10-01", "2026-10-31")  # October and September are over
    with CaptureQueriesContext(connection) as first:
        assert coordinator_client.get(address).context["totals"].contacts == 3
    with CaptureQueriesContext(connection) as again:
        response = coordinator_client.get(address)
    # The two periods' totals, the needs heard and the age bands are read from the cache.
    assert len(again) <= len(first) - 8
    assert response.context["totals"].contacts == 3
    heard = world.need("being_heard", "Rozmowa")
    square = world.place("Skwer")
    for _ in range(5):
        world.note(square, "2026-10-08", needs=[heard])
    world.held_shift(world.place("Rynek"), world.at("2026-10-09", 8), first_time=4)
    with CaptureQueriesContext(connection) as after_write:
        response = coordinator_client.get(address)
    assert len(after_write) == len(first)
    assert response.context["totals"].contacts == 7
    assert response.context["charts"]["needs"]["datasets"][0]["values"] == [6]


def test_needs_and_places_by_age_band_hide_small_groups(coordinator_client):
    square, yard = world.place("Skwer"), world.place("Podwórko")
    heard, money = world.need("being_heard", "Rozmowa"), world.need("limited_money", "Pieniądze")
    for where, age, needs, n in (
        (square, "senior", [heard], 6),
        (square, "child", [heard, money], 2),
        (yard, "senior", [money], 5),
    ):
        for _ in range(n):
            duty_services.note_create(
                by=None,
                text="",
                stage=ConversationNote.Stage.FIRST_CONTACT,
                place=where,
                date=date(2026, 10, 10),
                age_band=age,
                needs=needs,
            )
    response = coordinator_client.get(url("2026-10-01", "2026-10-31"))
    needs_by_age, places_by_age = (t[0] for t in response.context["age_tables"])
    child, senior = needs_by_age.bands.index("dziecko"), needs_by_age.bands.index("senior")
    by_need = {label: (cells, total) for label, cells, total in needs_by_age.rows()}
    assert set(by_need) == {heard.name, money.name}
    assert by_need[heard.name][0][child].text == "<5"
    assert by_need[heard.name][0][senior].text == "*"  # else the 2 children follow from the row total of 8
    assert by_need[heard.name][1].text == "8"  # totals stay exact
    places = {label: (cells, total) for label, cells, total in places_by_age.rows()}
    assert places["Podwórko"][0][senior].text == "5"
    assert places["Skwer"][0][child].text == "<5"
    assert places["Skwer"][0][senior].text == "*"  # else the 2 children follow from the row total of 8
    content = response.content.decode()
    assert "Potrzeby według wieku" in content and "Miejsca według wieku" in content
    xlsx = coordinator_client.get("/koordynator/raport.xlsx?od=2026-10-01&do=2026-10-31").content
    sheet = [
        [c for c in row if c is not None]
        for row in load_workbook(io.BytesIO(xlsx))["Potrzeby"].iter_rows(values_only=True)
    ]
    heading = sheet.index(["Miejsca według wieku"])
    assert sheet[heading + 1][0] == "Miejsce" and "senior" in sheet[heading + 1]
    yard_row = next(row for row in sheet[heading:] if row[0] == "Podwórko")
    assert yard_row[-1] == 5 and yard_row.count(5) == 2  # the yard's 5 seniors and its exact total
    assert ["Potrzeby według wieku"] in sheet
    page = coordinator_client.get("/koordynator/raport/?od=2026-10-01&do=2026-10-31").content.decode()
    assert 'data-table="needs-age-h"' in page and 'data-table="places-age-h"' in page
