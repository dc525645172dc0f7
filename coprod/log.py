"""Logging helpers with no Django imports: logging is configured before the apps load."""

import logging
import re
from contextvars import ContextVar

request_id = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every log record, so one request's lines can be found together."""

    def filter(self, record):
        record.request_id = request_id.get()
        return True


SURVEY_PATH = re.compile(r"/s/[^/\s]+")


class RedactSurveyTokens(logging.Filter):
    """Survey addresses carry their token: Django's own lines ("Not Found: /s/<token>/") get /s/… instead."""

    def filter(self, record):
        message = record.getMessage()
        if "/s/" in message:
            record.msg, record.args = SURVEY_PATH.sub("/s/…", message), None
        return True
