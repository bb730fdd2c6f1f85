import io
from datetime import date, timedelta
from decimal import Decimal
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from insight import services
from insight.costs import period_costs
from insight.defaults import model_card_defaults
from insight.models import CostSettings, Investment, MonthlyCost, ReportRecipient, ReportSend
from insight.periods import Period
from insight.selectors import totals

from . import world

pytestmark = pytest.mark.django_db

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


def only_costs(*, bike: str = "12000", months: int = 60, monthly: str = "600") -> None:
    Investment.objects.all().delete()
    MonthlyCost.objects.all().delete()
    Investment.objects.create(
        name="Rower", amount=Decimal(bike), bought_on=date(2026, 1, 1), amortisation_months=months
    )
    MonthlyCost.objects.create(kind=MonthlyCost.Kind.SUPPLIES, amount=Decimal(monthly), valid_from=date(2026, 1, 1))


def test_the_model_card_figures_are_the_defaults():
    Investment.objects.all().delete()
    MonthlyCost.objects.all().delete()
    CostSettings.objects.all().delete()
    model_card_defaults(Investment, MonthlyCost, CostSettings, start=date(2026, 1, 1))
    assert sorted(Investment.objects.values_list("amount", "amortisation_months")) == [
        (Decimal("3500.00"), 36),
        (Decimal("12500.00"), 60),
    ]
    assert sorted(MonthlyCost.objects.values_list("kind", "amount")) == [
        ("club", Decimal("400.00")),
        ("salaries", Decimal("3000.00")),
        ("supplies", Decimal("200.00")),
    ]


def test_cost_per_contact_first_contact_club_visit_and_problem_settled():
    only_costs()  # 200 zł a month of amortisation + 600 zł of supplies = 800 zł in October
    here = world.place("Podwórko")
    world.held_shift(here, world.at("2026-10-06", 10), first_time=10, returning=30)
    world.club_session(world.at("2026-10-08", 17), children=8, adults=8)
    costs = period_costs(OCTOBER, totals(OCTOBER))
    assert costs.total == Decimal("800.00")
    per = {u.key: u for u in costs.per}
    assert per["contact"].amount == Decimal("20.00")
    assert per["first_contact"].amount == Decimal("80.00")
    assert per["club_visit"].amount == Decimal("50.00")
    assert per["settled"].amount is None  # nothing settled: no cost per problem over fewer than 5


def test_a_part_of_a_month_costs_its_share_of_days_and_amortisation_ends():
    only_costs(bike="3100", months=10)  # 310 zł a month, January to October
    ten_days = Period(date(2026, 10, 22), date(2026, 11, 10))  # 10 days of October, 10 of November
    costs = period_costs(ten_days, totals(ten_days))
    lines = {line.key: line.amount for line in costs.lines}
    assert lines["investments"] == Decimal("100.00")
    assert lines["supplies"] == Decimal("393.55")  # 600 × 10/31 + 600 × 10/30


def test_staff_time_from_hours_on_duty_replaces_salaries():
    only_costs(monthly="0")
    MonthlyCost.objects.create(kind=MonthlyCost.Kind.SALARIES, amount=Decimal("3000"), valid_from=date(2026, 1, 1))
    settings_row = CostSettings.current()
    settings_row.staff_cost_per_hour = Decimal("40")
    settings_row.save()
    world.held_shift(world.place("Park"), world.at("2026-10-06", 10), hours=3, first_time=5)
    lines = {line.key: line.amount for line in period_costs(OCTOBER, totals(OCTOBER)).lines}
    assert "salaries" not in lines
    assert lines["staff_hours"] == Decimal("120.00")


def test_the_xlsx_report_has_every_sheet_with_polish_headers_and_small_numbers_hidden(coordinator_client):
    here, other = world.place("Podwórko A"), world.place("Podwórko B")
    world.held_shift(here, world.at("2026-10-06", 10), first_time=3)
    world.held_shift(other, world.at("2026-10-07", 10), first_time=20)
    world.held_shift(world.place("Podwórko C"), world.at("2026-10-08", 10), first_time=9)
    world.club_session(world.at("2026-10-08", 17), children=7)
    response = coordinator_client.get(reverse("insight:report_xlsx") + "?od=2026-10-01&do=2026-10-31")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Podsumowanie", "Miesiące", "Miejsca", "Potrzeby", "Problemy", "Klub", "Koszty"]
    places = {row[0]: row for row in wb["Miejsca"].iter_rows(min_row=2, values_only=True)}
    assert wb["Miejsca"]["A1"].value == "Miejsce"
    assert places["Podwórko A"][4] == "<5"
    assert places["Podwórko B"][4] == 20
    assert places["Podwórko C"][4] == "*"  # else A = 32 − 20 − 9
    rows = list(wb["Miejsca"].iter_rows(values_only=True))
    by_month = rows[rows.index(("Rozmowy z mieszkańcami według miesięcy i miejsc",) + (None,) * 7) + 1 :]
    assert by_month[0][:5] == ("Miesiąc", "Podwórko A", "Podwórko B", "Podwórko C", "Razem")
    assert by_month[1][:5] == ("2026-10", "<5", 20, "*", 32)
    summary = {row[0]: row[1] for row in wb["Podsumowanie"].iter_rows(min_row=2, values_only=True)}
    assert summary["Pierwsze kontakty"] == 32  # totals are exact


def test_the_xlsx_report_is_for_coordinators_only(assistant_client, anon_client):
    url = reverse("insight:report_xlsx") + "?od=2026-10-01&do=2026-10-31"
    assert assistant_client.get(url).status_code == 403
    assert anon_client.get(url).status_code == 302


def test_the_printable_report_counts_only_held_sessions(coordinator_client):
    world.club_session(world.at("2026-10-08", 17), children=7)
    world.club_session(world.at("2026-10-09", 17), cancelled=True)
    response = coordinator_client.get(reverse("insight:report") + "?od=2026-10-01&do=2026-10-31")
    assert response.status_code == 200
    assert response.context["r"].club.sessions == 1
    assert 'id="chart-funnel"' in response.content.decode()


def test_the_monthly_report_is_sent_at_most_once_even_with_two_beats():
    ReportRecipient.objects.create(email="fundacja@example.org")
    ReportRecipient.objects.create(email="urzad@example.org", active=False)
    first = services.report_send_monthly(today=date(2026, 11, 1))
    second = services.report_send_monthly(today=date(2026, 11, 1))
    assert first is not None and first.month == date(2026, 10, 1)
    assert second is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["fundacja@example.org"]
    assert mail.outbox[0].attachments[0][0] == "mobilny-asystent-raport-2026-10-01-2026-10-31.xlsx"
    assert "<5" in mail.outbox[0].body


def test_a_failed_sending_gives_the_month_back_for_the_retry(monkeypatch):
    ReportRecipient.objects.create(email="fundacja@example.org")
    real_send = services.EmailMessage.send

    def broken(self, fail_silently=False):
        raise SMTPServerDisconnected("down")

    monkeypatch.setattr(services.EmailMessage, "send", broken)
    with pytest.raises(SMTPServerDisconnected):
        services.report_send_monthly(today=date(2026, 11, 3))
    assert not ReportSend.objects.exists()
    monkeypatch.setattr(services.EmailMessage, "send", real_send)
    assert services.report_send_monthly(today=date(2026, 11, 3)) is not None
    assert services.report_send_monthly(today=date(2026, 11, 3)) is None
    assert len(mail.outbox) == 1


def test_send_a_test_to_me(coordinator, coordinator_client):
    coordinator.email = "koordynatorka@example.org"
    coordinator.save()
    response = coordinator_client.post(reverse("insight:report_test") + "?od=2026-10-01&do=2026-10-31")
    assert response.status_code == 302
    assert mail.outbox[0].to == ["koordynatorka@example.org"]
    assert mail.outbox[0].subject.startswith("[test]")
    assert not ReportSend.objects.exists()


def _places(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        here = world.place(f"Miejsce {i}")
        world.held_shift(here, world.at("2026-10-06", 8) + timedelta(minutes=5 * i), hours=0.05, first_time=3)
        world.note(here, "2026-10-06", needs=[world.need("being_heard", "Rozmowa")])
        world.problem(here, world.at("2026-10-02"), told=world.at("2026-10-03"))


@pytest.mark.parametrize("name", ["insight:report", "insight:report_xlsx"])
def test_the_reports_query_count_does_not_grow_with_places(name, coordinator_client, django_assert_max_num_queries):
    url = reverse(name) + "?od=2026-10-01&do=2026-10-31"
    _places(1)
    with CaptureQueriesContext(connection) as one:
        assert coordinator_client.get(url).status_code == 200
    _places(29, start=1)
    with django_assert_max_num_queries(len(one)):
        assert coordinator_client.get(url).status_code == 200


def test_the_policy_lets_the_map_load_tiles_from_the_tile_host_only(coordinator_client):
    header = coordinator_client.get(reverse("dashboard"))["Content-Security-Policy"]
    img = next(part for part in header.split(";") if part.strip().startswith("img-src"))
    assert img.split()[1:] == ["'self'", "data:", "blob:", "https://tile.openstreetmap.org"]
    assert "tile.openstreetmap.org" not in header.replace(img, "")


def test_the_beat_task_sends_last_months_report_once_when_run_twice():
    from insight.tasks import send_monthly_report

    ReportRecipient.objects.create(email="fundacja@example.org")
    assert send_monthly_report.apply().get() == 1
    assert send_monthly_report.apply().get() == 0
    assert len(mail.outbox) == 1
    assert ReportSend.objects.get().sent_at is not None
