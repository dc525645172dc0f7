import logging
import sys

from django.db import OperationalError, connections
from django.shortcuts import render
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger("coprod.errors")


def server_error(request):
    """A 503 with Retry-After while the database cannot be reached; Django's 500 page otherwise.

    The app recovers by itself: at the end of the request Django drops the connection that failed
    (close_old_connections), and the next request opens a new one.
    """
    if isinstance(sys.exception(), OperationalError) and not _database_reachable():
        logger.error("database unreachable: answered 503")
        response = render(None, "503.html", status=503)
        response.headers["Retry-After"] = "30"
        return response
    return django_server_error(request)


def _database_reachable():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except OperationalError:
        return False
    return True
