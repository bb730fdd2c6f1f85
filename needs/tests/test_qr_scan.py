"""The printed cards and the Club poster carry QR codes a standard decoder reads.

Each page is rendered by Chromium for print (A4 at 300 dpi) and on a phone screen, the PNG is
decoded by zxing-cpp, and the decoded URLs must be the pages the codes promise. The printed edge of
every code is measured in the page (at least 25 mm on a card, 40 mm on the poster).
"""

import io

import pytest
import zxingcpp
from django.conf import settings
from django.urls import reverse
from PIL import Image

from core.qr import MIN_MM
from duty.tests.factories import ShiftFactory
from needs.tests.factories import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4 = {"width": 794, "height": 1123}  # CSS pixels at 96 per inch
DPI_300 = 300 / 96
MM_PER_PX = 25.4 / 96


def decoded(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png)).convert("L")
    return sorted(b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.barcode_formats_from_str("QRCode")))


def printed(browser, url: str, *, storage_state=None) -> tuple[bytes, list[float]]:
    """The page as printed on A4 at 300 dpi, and the edge of each QR code in millimetres."""
    context = browser.new_context(viewport=A4, device_scale_factor=DPI_300, storage_state=storage_state)
    try:
        page = context.new_page()
        page.emulate_media(media="print")
        page.goto(url)
        page.wait_for_selector("svg.qr-code")
        edges = page.eval_on_selector_all("svg.qr-code", "els => els.map(e => e.getBoundingClientRect().width)")
        return page.screenshot(full_page=True), [px * MM_PER_PX for px in edges]
    finally:
        context.close()


def signed_in_state(phone_factory, username: str):
    phone = phone_factory()
    phone.login(username)
    return phone.context.storage_state()


def test_every_card_on_a_printed_sheet_scans_to_its_status_page(browser, live_server, phone_factory, assistant):
    shift = ShiftFactory.create(assistants=[assistant])
    problems = [report(place=shift.place) for _ in range(3)]
    codes = ",".join(p.code for p in problems)
    state = signed_in_state(phone_factory, assistant.username)

    png, edges = printed(browser, live_server.url + reverse("needs:cards") + f"?kody={codes}", storage_state=state)

    expected = sorted(f"{settings.SITE_URL}/z/{p.code}/" for p in problems)
    assert decoded(png) == expected
    assert len(edges) == 3 and min(edges) >= MIN_MM["card"]


def test_the_single_card_scans_printed_and_on_a_phone(browser, live_server, phone_factory, assistant):
    shift = ShiftFactory.create(assistants=[assistant])
    problem = report(place=shift.place)
    url = reverse("needs:card", args=[problem.code])
    state = signed_in_state(phone_factory, assistant.username)
    png, edges = printed(browser, live_server.url + url, storage_state=state)
    assert decoded(png) == [f"{settings.SITE_URL}/z/{problem.code}/"]
    assert edges[0] >= MIN_MM["card"]

    phone = phone_factory()
    phone.login(assistant.username)
    phone.goto(url)
    phone.page.wait_for_selector("svg.qr-code")
    assert decoded(phone.page.screenshot(full_page=True)) == [f"{settings.SITE_URL}/z/{problem.code}/"]


def test_the_club_poster_scans_to_the_schedule(browser, live_server):
    png, edges = printed(browser, live_server.url + reverse("club:poster"))
    assert decoded(png) == [settings.SITE_URL + reverse("club:schedule")]
    assert edges == [pytest.approx(edges[0])] and edges[0] >= MIN_MM["poster"]
