"""Log lines carry no residents' words: request lines lose their query strings.

An admin search for a note (``/admin/duty/conversationnote/?q=…``) puts what was searched for into
the URL; the development server and Django's request logger would write it out. The filter keeps
the method and the path and drops everything after ``?``. Gunicorn's access log is configured to
log the path without the query string (``%(U)s``, see the Procfile).
"""

import logging
import re

_REQUEST_LINE = re.compile(r"((?:GET|POST|HEAD|PUT|PATCH|DELETE|OPTIONS) [^\s?]*)\?[^\s\"]*")


def scrub(text: str) -> str:
    return _REQUEST_LINE.sub(r"\1", text)


class DropQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg, record.args = scrub(message), None
        return True
