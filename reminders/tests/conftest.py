import pytest


@pytest.fixture(autouse=True)
def emails(coordinator, assistant, club_staff):
    """Every persona has an address, so e-mail delivery is part of each test."""
    for user, address in (
        (coordinator, "koordynatorka@example.org"),
        (assistant, "asystentka@example.org"),
        (club_staff, "klub@example.org"),
    ):
        user.email = address
        user.save(update_fields=["email"])
