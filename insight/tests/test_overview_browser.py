"""The overview in a desktop browser: charts and the map are drawn, and nothing leaves the machine."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import ARTIFACTS, PASSWORD
from duty.models import ConversationNote
from insight.models import Investment, MonthlyCost

from . import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}


def _busy_month() -> None:
    today = timezone.localdate()
    first = today.replace(day=1)
    heard, lonely, money = (
        world.need("being_heard", "Rozmowa"),
        world.need("loneliness", "Samotność"),
        world.need("money", "Brak pieniędzy"),
    )
    spots = [
        ("Podwórko przy Kościuszki", "50.0952", "18.5440", 14),
        ("Ławka przy sklepie", "50.0985", "18.5389", 9),
        ("Park Wiśniowy", "50.1012", "18.5475", 3),
        ("Przed Klubem", "50.0968", "18.5501", 22),
    ]
    for i, (name, lat, lon, n) in enumerate(spots):
        here = world.place(name, lat, lon)
        for d in range(0, max(1, min(today.day, 28)), 3):
            day = first + timedelta(days=d)
            world.held_shift(here, world.at(day.isoformat(), 10 + i), onlookers=n, first_time=n // 2, returning=n)
            world.note(here, day.isoformat(), needs=[heard, lonely][: 1 + d % 2], stage=ConversationNote.Stage.USING)
            if d % 6 == 0:
                world.note(here, day.isoformat(), needs=[money], stage=ConversationNote.Stage.SHARING)
        for _ in range(i + 1):
            world.problem(here, world.at(first.isoformat(), 9) - timedelta(days=10 * i))
    world.problem(None, world.at(first.isoformat(), 9), location="Przejście pod torami")
    world.club_session(world.at(first.isoformat(), 16), children=9, youth=6, adults=5, seniors=2, first_time=4)
    start = first.replace(month=1)
    Investment.objects.create(name="Rower gastronomiczny", amount=Decimal("12500"), bought_on=start)
    MonthlyCost.objects.create(kind=MonthlyCost.Kind.SUPPLIES, amount=Decimal("200"), valid_from=start)
    MonthlyCost.objects.create(kind=MonthlyCost.Kind.SALARIES, amount=Decimal("3000"), valid_from=start)


def test_the_overview_draws_its_charts_and_map_at_desktop_size(browser, live_server, coordinator, settings):
    settings.MAP_TILES_URL = ""  # no tiles from outside in tests: the places on a plain background
    _busy_month()
    context = browser.new_context(viewport=DESKTOP, locale="pl-PL", timezone_id="Europe/Warsaw")
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on(
        "request", lambda r: None if r.url.startswith((live_server.url, "data:", "blob:")) else outside.append(r.url)
    )
    try:
        page.goto(live_server.url + "/konto/login/")
        page.fill("#id_username", coordinator.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(live_server.url + "/koordynator/")
        page.wait_for_selector("html[data-charts-ready='1']")
        page.wait_for_selector("#places-map[data-ready='4'] path.leaflet-interactive")
        assert page.locator("#places-map path.leaflet-interactive").count() == 4
        for chart in ("funnel", "weekly", "needs", "ageing", "club"):
            width = page.evaluate(f"document.getElementById('chart-{chart}').width")
            assert width > 100, chart
        page.locator("#places-map path.leaflet-interactive").first.click()
        page.wait_for_selector(".leaflet-popup-content")
        assert "Rozmowy z mieszkańcami" in page.inner_text(".leaflet-popup-content")
        path = ARTIFACTS / "screenshots" / "overview-desktop.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        page.goto(live_server.url + "/koordynator/miejsca/")
        page.wait_for_selector("table.hotspots tbody tr[data-place]")
        assert page.locator("table.hotspots tbody tr[data-place]").count() == 4
        page.screenshot(path=str(path.with_name("hotspots-desktop.png")), full_page=True)
        page.goto(live_server.url + "/koordynator/raport/")
        page.wait_for_selector("html[data-charts-ready='1']")
        page.emulate_media(media="print")
        page.screenshot(path=str(path.with_name("report-print.png")), full_page=True)
        assert not errors, errors
        assert not outside, outside
    finally:
        context.close()
