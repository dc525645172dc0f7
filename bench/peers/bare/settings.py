"""The bare project: an empty view behind Django's default seven middleware, and the same view behind none.

No database: the bare view never needs one, and an accidental query fails instead of being measured.
"""

from common_settings import *  # noqa: F403 - what every bench project shares

ROOT_URLCONF = "bare.urls"
DATABASES = {}
