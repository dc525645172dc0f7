"""Peer 1: django-survey-and-report 1.5.0 (app `survey`), served at /survey/."""

from pathlib import Path

from common_settings import *  # noqa: F403 - what every bench project shares
from common_settings import INSTALLED_APPS, database

INSTALLED_APPS = [*INSTALLED_APPS, "survey"]
ROOT_URLCONF = "peer1.urls"
DATABASES = database("coprod_bench_peer1")

# The package reads these from the project's settings; the values are its own defaults (survey/settings.py).
_RESULTS = Path(__file__).resolve().parents[2] / "results" / "peers" / "peer1"
CSV_DIRECTORY = _RESULTS / "csv"
TEX_DIRECTORY = _RESULTS / "tex"
CHOICES_SEPARATOR = ","
DEFAULT_SURVEY_PUBLISHING_DURATION = 7
USER_DID_NOT_ANSWER = "Left blank"
EXCEL_COMPATIBLE_CSV = False
