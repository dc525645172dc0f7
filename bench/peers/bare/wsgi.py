"""Two Django handlers in one server: /bench/bare-no-middleware/ goes through a handler with no middleware at all,
everything else through the usual one with the settings' middleware (Django's default seven)."""

import os

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.test.utils import override_settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare.settings")
with_middleware = get_wsgi_application()
# A handler reads MIDDLEWARE once, when it is made: this one is made with none and keeps none.
with override_settings(MIDDLEWARE=[]):
    without_middleware = WSGIHandler()


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/bench/bare-no-middleware/":
        return without_middleware(environ, start_response)
    return with_middleware(environ, start_response)
