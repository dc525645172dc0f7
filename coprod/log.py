"""Logging helpers with no Django imports: logging is configured before the apps load."""

import datetime
import json
import logging
import re
from contextvars import ContextVar

request_id = ContextVar("request_id", default="-")

SURVEY_PATH = re.compile(r"/([sq])/[^/\s]+")  # a questionnaire's token, or its short code
EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(\.[\w-]+)+")
# PostgreSQL's constraint errors quote the row: DETAIL:  Key (partnership_id, email)=(1, someone@example.org) ...
DATABASE_DETAIL = re.compile(r"DETAIL:.*")


def scrub(text):
    """Survey tokens, email addresses and database DETAIL lines out of a message or a traceback."""
    text = SURVEY_PATH.sub(r"/\1/…", text)
    text = EMAIL.sub("[email]", text)
    return DATABASE_DETAIL.sub("DETAIL: [removed]", text)


class LogfmtFormatter(logging.Formatter):
    """One line per record: time=... level=... logger=... request=<id> msg="..." [exc="<traceback>"].

    msg and exc are quoted and escaped, so a newline in a path cannot forge a line, and scrubbed, so a 500's
    traceback cannot carry an email address or a survey token into the log.
    """

    def format(self, record):
        line = (
            f"time={datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec='milliseconds')}"
            f" level={record.levelname} logger={record.name} request={request_id.get()}"
            f" msg={quote(record.getMessage())}"
        )
        if record.exc_info:
            line += f" exc={quote(self.formatException(record.exc_info))}"
        if record.stack_info:
            line += f" stack={quote(self.formatStack(record.stack_info))}"
        return line


def quote(text):
    return json.dumps(scrub(text), ensure_ascii=False)
