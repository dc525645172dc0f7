"""Static files in production: hashed names (cache-busted), compressed copies, a year's cache (WhiteNoise).

The deploy steps run `collectstatic`; the tests run it first too (tests/conftest.py), with the same settings.
"""

import re

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import reverse


def test_production_names_hashed_files_and_keeps_compressed_copies():
    url = staticfiles_storage.url("css/coprod.css")

    assert re.fullmatch(r"/static/css/coprod\.[0-9a-f]{12}\.css", url)
    assert (settings.STATIC_ROOT / url.removeprefix("/static/")).with_suffix(".css.gz").exists()


def test_pages_link_the_hashed_files(client, db):
    html = client.get(reverse("login")).content.decode()

    assert f'href="{staticfiles_storage.url("css/coprod.css")}"' in html
    assert 'href="/static/css/coprod.css"' not in html


def test_a_hashed_file_goes_out_compressed_and_cached_for_a_year(client, db):
    response = client.get(staticfiles_storage.url("css/coprod.css"), headers={"accept-encoding": "gzip"})

    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
