"""The home page and the dashboard, put together from panels that the apps register.

Each app registers its panels in its AppConfig.ready(), so the core shows sessions, questionnaires and projects
without importing the apps that stand on it (STYLE.md). A panel builder takes keyword arguments (`home` for the home
page, `scope` for the dashboard) and returns a Panel, or None where it has nothing for this person or scope.
"""

from dataclasses import dataclass, field

PAGES = ("home", "dashboard")
_builders = {page: [] for page in PAGES}


@dataclass
class Panel:
    template: str  # rendered with the page's context plus `panel`
    context: dict = field(default_factory=dict)
    # The dashboard's figures as rows of dashboard.csv: (section, scope, period, figure, category, value, n)
    csv_rows: list = field(default_factory=list)


def register(page, order, builder):
    """Show `builder`'s panel on `page`, in `order` (lowest first). Registering again replaces it."""
    entries = [entry for entry in _builders[page] if entry[1] is not builder]
    _builders[page] = sorted([*entries, (order, builder)], key=lambda entry: entry[0])


def build(page, **kwargs):
    """The page's panels, in order, leaving out those with nothing to show."""
    return [panel for _, builder in _builders[page] if (panel := builder(**kwargs)) is not None]


NATIONAL_NAME = "Scotland"


@dataclass
class Scope:
    """What a dashboard shows: Scotland with every partnership side by side, or one partnership beside Scotland."""

    partnership: object = None  # a Partnership, or None for the national dashboard
    filters: dict = field(default_factory=dict)  # the results filters, cleaned (workshops.selectors.session_filter)
    period: str = "year"  # "year" or "quarter": the rows of the tables over time

    @property
    def name(self):
        return self.partnership.short_name if self.partnership else NATIONAL_NAME
