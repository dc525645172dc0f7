"""The project's URLs plus a page that fails, for the 500 page's test (tests/test_security_headers.py)."""

from django.urls import path

from coprod.urls import handler500, urlpatterns

__all__ = ["handler500", "urlpatterns"]

FAILURE_DETAIL = "internal detail 7f3a: settings.SECRET_KEY"


def broken(request):
    raise RuntimeError(FAILURE_DETAIL)


urlpatterns = [path("broken/", broken), *urlpatterns]
