"""Peer 2: django-form-surveys 2.5.0 (apps `djf_surveys` and `tinymce`), served at /surveys/."""

from common_settings import *  # noqa: F403 - what every bench project shares
from common_settings import INSTALLED_APPS, TEMPLATES, database

INSTALLED_APPS = [*INSTALLED_APPS, "djf_surveys", "tinymce"]
ROOT_URLCONF = "peer2.urls"
DATABASES = database("coprod_bench_peer2")

# Its pages extend the template this context processor names (the package's installation steps).
TEMPLATES[0]["OPTIONS"]["context_processors"].append("djf_surveys.context_processors.surveys_context")
