"""Small numbers: one threshold and one marker for a withheld figure, for every app that shows counts of people.

The rule that decides which answers count lives with the answers (surveys.results.pooling); counts of people from
the register follow `protect` below.
"""

from django.conf import settings


def threshold():
    """Fewer respondents than this in a group: nothing of the group is shown (settings.SMALL_NUMBER_THRESHOLD)."""
    return settings.SMALL_NUMBER_THRESHOLD


class Suppressed:
    """A figure withheld because it rests on fewer people than the threshold."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __str__(self):
        return f"fewer than {threshold()}"

    def __repr__(self):
        return "SUPPRESSED"

    def __bool__(self):
        return False


SUPPRESSED = Suppressed()


def is_suppressed(value):
    return value is SUPPRESSED


def protect(cells):
    """{key: count} with every count of 1 to T-1 withheld, and enough others with them that none can be worked out.

    A row's total is shown beside its cells, so the withheld cells must together be none or T or more: while they
    add up to fewer, the smallest cell still shown is withheld too (as statistical offices do, "secondary
    suppression").
    """
    limit = threshold()
    shown = {key: count for key, count in cells.items() if not 0 < count < limit}
    hidden = sum(count for key, count in cells.items() if key not in shown)
    while 0 < hidden < limit and any(shown.values()):
        key = min((key for key, count in shown.items() if count), key=lambda key: shown[key])
        hidden += shown.pop(key)
    return {key: shown.get(key, SUPPRESSED) for key in cells}
