"""No residents' words in log lines: request lines are logged without their query strings."""

import logging
from pathlib import Path

import pytest

SEARCH = "GET /admin/duty/conversationnote/?q=STARA-ROZMOWA+o+remoncie&o=-1 HTTP/1.1"


@pytest.mark.parametrize("name", ["django.server", "django.request", "django"])
def test_request_lines_are_logged_without_query_strings(name):
    logger = logging.getLogger(name)
    chain = [logger] if not logger.propagate else [logger, logging.getLogger()]
    handlers = [h for lg in chain for h in lg.handlers if not type(h).__module__.startswith("_pytest")]
    written = []
    for handler in handlers:
        record = logger.makeRecord(name, logging.INFO, __file__, 1, '"%s" %s %s', (SEARCH, "200", "512"), None)
        if handler.level <= logging.INFO and handler.filter(record):
            written.append(handler.format(record))
    assert written
    for line in written:
        assert "STARA-ROZMOWA" not in line
        assert "GET /admin/duty/conversationnote/ HTTP/1.1" in line


def test_the_web_servers_access_log_has_no_query_strings():
    web = next(line for line in Path("Procfile").read_text().splitlines() if line.startswith("web:"))
    assert "--access-logformat" in web and "%(U)s" in web
    assert "%(r)s" not in web and "%(q)s" not in web
