import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_assistant_logs_in_on_a_phone(phone):
    call_command("seed_demo")
    phone.login("asystent", "demo-haslo-123")
    assert "/dyzur/" in phone.page.url
    assert phone.page.locator("h1").first.is_visible()
    assert not phone.has_horizontal_scroll()
    phone.screenshot("foundation-assistant-home")
    assert phone.console_errors == []
    assert phone.external_requests == []
