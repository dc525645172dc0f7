import logging
import sys

from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger("coprod.errors")


def server_error(request):
    """A 503 with Retry-After when the database failed the request; Django's 500 page otherwise.

    Unreachable, dropped mid-request, restarting, a deadlock: each is an OperationalError or, on a connection
    already lost, an InterfaceError, and each passes, so the person is asked to try again in a moment. The
    handler itself never touches the database, so it cannot fail the same way. The app recovers by itself: at
    the end of the request Django drops the connection that failed (close_old_connections), and the next request
    opens a new one.
    """
    if isinstance(sys.exception(), (OperationalError, InterfaceError)):
        logger.error("database error: answered 503")
        response = render(None, "503.html", status=503)
        response.headers["Retry-After"] = "30"
        return response
    return django_server_error(request)
