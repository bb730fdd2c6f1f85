"""On a phone (390×844): tag a note with a need, open "Co może pomóc?", record "told", see the count.

Also offline from the kept duty screen, the Canvas on one A4 page and the A6 card's QR code.
"""

import re
import struct
import zlib

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from bundles.models import Bundle, ServiceTold
from bundles.tests.factories import BundleFactory, PartnerFactory, ServiceFactory, ServiceTypeFactory
from conftest import ARTIFACTS, PASSWORD
from core.tests.test_offline_browser import open_duty_screen, poll, queue_empty
from duty.models import Shift
from duty.tests.factories import NeedFactory, ShiftFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOLD = "Powiedziałem/am mieszkańcowi o tej usłudze"


@pytest.fixture
def debt_advice(assistant):
    money = NeedFactory.create(code="limited_money", name="Ograniczone środki")
    NeedFactory.create(code="childcare", name="Opieka nad dziećmi")
    service = ServiceFactory.create(
        needs=[money],
        name="Porada w sprawie długów",
        how_to_get="Wtorki 10–12, bez zapisów",
        partner=PartnerFactory.create(name="Fundacja „Dobry Adres”"),
    )
    ServiceFactory.create(needs=[money], name="Szybka ścieżka do MOPS", public=False)
    return service


@pytest.fixture
def live_shift(assistant):
    return ShiftFactory.create(
        assistants=[assistant], status=Shift.Status.STARTED, started_at=timezone.now(), planned_start=timezone.now()
    )


def open_what_helps(page):
    page.get_by_role("button", name="+ notatka").click()
    sheet = page.locator("#note-form-box.show")
    sheet.locator("textarea[name=text]").wait_for()
    need = sheet.get_by_text("Ograniczone środki")
    if not need.is_visible():  # the most used needs are out, the rest behind "more"
        sheet.locator("details.more-chips > summary").click()
    need.click()
    toggle = page.get_by_role("button", name=re.compile("Co może pomóc"))
    expect(toggle).to_contain_text("2")  # two services answer the ticked need
    toggle.click()
    return page.locator("[data-what-helps-items]")


def test_an_assistant_tags_a_need_sees_what_can_help_and_counts_told(phone, assistant, debt_advice, live_shift):
    phone.login(assistant.username)
    page = phone.page
    items = open_what_helps(page)
    card = items.locator(f'[data-service-id="{debt_advice.pk}"]')
    expect(card).to_contain_text("Porada w sprawie długów")
    expect(card).to_contain_text("Wtorki 10–12, bez zapisów")
    expect(items).to_contain_text("wewnętrzna")  # the team sees its internal service, marked
    card.get_by_role("button", name=f"{TOLD}: Porada w sprawie długów").click()
    expect(card.locator(f'[data-count="told:{debt_advice.pk}"]')).to_have_text("1")
    page.locator("[data-ma-pending]").wait_for(state="detached")
    phone.screenshot("bundles-what-helps")
    assert list(ServiceTold.objects.values_list("service_id", "shift_id", "kind")) == [
        (debt_advice.pk, live_shift.pk, "told")
    ]

    page.reload()  # the count comes back from the server, per shift
    items = open_what_helps(page)
    expect(items.locator(f'[data-count="told:{debt_advice.pk}"]')).to_have_text("1")
    assert not phone.has_horizontal_scroll()
    assert phone.console_errors == []
    assert phone.external_requests == []


def test_what_can_help_works_offline_from_the_kept_duty_screen(phone_factory, assistant, debt_advice, live_shift):
    phone = phone_factory(bypass_csp=True)  # the helpers poll the queue with scripts in the page
    page = open_duty_screen(phone, assistant)
    phone.context.set_offline(True)
    page.reload()  # served by the service worker
    items = open_what_helps(page)
    card = items.locator(f'[data-service-id="{debt_advice.pk}"]')
    expect(card).to_contain_text("Wtorki 10–12, bez zapisów")
    card.get_by_role("button", name=f"{TOLD}: Porada w sprawie długów").click()
    expect(card.locator(f'[data-count="told:{debt_advice.pk}"]')).to_have_text("1")
    poll(page, "MAQueue.items().then(items => items.length === 1)")
    assert not ServiceTold.objects.exists()

    phone.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    queue_empty(page)
    assert ServiceTold.objects.filter(service=debt_advice, shift=live_shift).count() == 1
    expect(card.locator(f'[data-count="told:{debt_advice.pk}"]')).to_have_text("1")


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_a_bundles_canvas_prints_on_one_a4_page(browser, live_server, coordinator):
    need = NeedFactory.create(code="limited_money", name="Ograniczone środki")
    partners = [PartnerFactory.create(name=f"Partner lokalny numer {i}") for i in range(4)]
    types = [ServiceTypeFactory.create(code=f"type_{i}", name=f"Typ usługi {i}") for i in range(3)]
    services = [
        ServiceFactory.create(
            name=f"Usługa o dość długiej nazwie numer {i}", partner=partners[i % 4], type=types[i % 3]
        )
        for i in range(8)
    ]
    block = ("Zdanie o tym, kto, co, jak i za ile w tej wiązce usług robi dla mieszkańców. " * 6)[: Bundle.CANVAS_MAX]
    bundle = BundleFactory.create(
        name="Nie starcza do pierwszego", needs=[need], services=services, **dict.fromkeys(Bundle.CANVAS, block)
    )
    context = browser.new_context(locale="pl-PL")  # a coordinator's desk, not a phone
    try:
        page = context.new_page()
        page.goto(live_server.url + "/konto/login/")
        page.fill("#id_username", coordinator.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(live_server.url + reverse("bundles:bundle_detail", args=[bundle.pk]))
        expect(page.locator(".canvas-block")).to_have_count(9)
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "bundle-canvas-a4.pdf").write_bytes(pdf)
    assert pdf_pages(pdf) == 1


def png_gray(png: bytes) -> tuple[int, int, bytes]:
    """Width, height and 8-bit grey pixels of a PNG screenshot (8-bit RGB or RGBA, not interlaced)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", data)
            assert (depth, colour, interlace) in ((8, 2, 0), (8, 6, 0))
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * bpp
    prev, grey = bytearray(stride), bytearray()
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a, b = line[i - bpp] if i >= bpp else 0, prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        grey += bytes(line[x * bpp] for x in range(width))  # black and white: one channel is enough
        prev = line
    return width, height, bytes(grey)


def test_the_a6_card_prints_on_one_page_and_its_qr_code_opens_the_needs_page(phone, assistant, debt_advice, settings):
    phone.login(assistant.username)
    page = phone.page
    page.goto(phone.base_url + reverse("bundles:card", args=["limited_money"]))
    qr = page.locator("[data-card] .qr svg")
    png = qr.screenshot()
    width, height, grey = png_gray(png)
    codes = zxingcpp.read_barcodes(memoryview(grey).cast("B", (height, width)))
    assert [c.text for c in codes] == [f"{settings.SITE_URL}/uslugi/limited_money/"]
    assert pdf_pages(page.pdf(prefer_css_page_size=True)) == 1


def test_the_residents_pages_have_no_accessibility_violations(phone_factory, debt_advice):
    from axe_playwright_python.sync_playwright import Axe

    phone = phone_factory(bypass_csp=True)  # axe-core is injected as a script
    axe = Axe()
    for path in ("/uslugi/", "/uslugi/limited_money/"):
        phone.goto(path)
        results = axe.run(phone.page)
        assert results.violations_count == 0, results.generate_report()
        assert not phone.has_horizontal_scroll()
    assert phone.external_requests == []
