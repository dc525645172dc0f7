"""The home page and the dashboard, put together from panels that the apps register.

Each app registers its panels in its AppConfig.ready(), so the core shows sessions, questionnaires and projects
without importing the apps that stand on it (STYLE.md). A panel builder takes keyword arguments (`home` for the home
page, `scope` for the dashboard) and returns a Panel, or None where it has nothing for this person or scope.

A panel that says what it `reads` (TOPICS) is cached once rendered (`rendered`): national figures take half a
second to build from millions of answers and change only when someone changes what they are read from. Each app
`watch`es the models behind a topic, so that any save or delete gives the topic a new token (PanelVersion) in the
same transaction, and calls `changed` itself where it writes without signals (bulk inserts and updates, raw SQL).
What changes by the clock alone (a questionnaire released when its window ends) goes in the page's `key`.
"""

import contextlib
import hashlib
import logging
import uuid
from dataclasses import dataclass, field

import redis
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import render_to_string

PAGES = ("home", "dashboard")
# What panels' figures are read from: sessions (with partnerships, localities, programmes), registers (people
# and their places at sessions, organisations), answers (questionnaires, statements, counted answers), projects.
TOPICS = ("sessions", "registers", "answers", "projects")
CACHE_SECONDS = 6 * 60 * 60  # a bound on what an unused entry costs; a change replaces an entry before this
_builders = {page: [] for page in PAGES}
logger = logging.getLogger(__name__)


@dataclass
class Panel:
    template: str  # rendered with the page's context plus `panel`
    context: dict = field(default_factory=dict)
    # The dashboard's figures as rows of dashboard.csv: (section, scope, period, figure, category, value, n)
    csv_rows: list = field(default_factory=list)


def register(page, order, builder, reads=()):
    """Show `builder`'s panel on `page`, in `order` (lowest first). Registering again replaces it.

    `reads`: the TOPICS its figures come from; `rendered` keeps the panel until one of them changes.
    """
    assert set(reads) <= set(TOPICS), reads
    entries = [entry for entry in _builders[page] if entry[1] is not builder]
    _builders[page] = sorted([*entries, (order, builder, tuple(reads))], key=lambda entry: entry[0])


def build(page, **kwargs):
    """The page's panels, in order, leaving out those with nothing to show."""
    return [panel for _, builder, _ in _builders[page] if (panel := builder(**kwargs)) is not None]


@dataclass
class Rendered:
    html: str
    csv_rows: list


def rendered(page, *, key, context, **kwargs):
    """The page's panels rendered (with `context` plus `panel`), as `build` gives them, each cached if it reads.

    `key`: everything besides the topics that the panels depend on (the scope, its filters as plain values, and
    what the clock changes), as a tuple of plain values.
    """
    versions = _versions()
    names = {}
    for _, builder, reads in _builders[page]:
        if reads:
            stamp = repr((page, builder.__module__, builder.__qualname__, key, [versions[topic] for topic in reads]))
            names[builder] = "panel:" + hashlib.sha256(stamp.encode()).hexdigest()
    try:
        found = cache.get_many(names.values())
    except redis.RedisError:  # Redis down: the page is built afresh, not refused
        logger.warning("dashboard cache unreachable")
        found = {}
    shown, built = [], {}
    for _, builder, _ in _builders[page]:
        name = names.get(builder)
        if name in found:
            item = found[name]
        else:
            panel = builder(**kwargs)
            # The html is a SafeString, and stays one in the cache.
            item = (
                (render_to_string(panel.template, {**context, "panel": panel.context}), panel.csv_rows) if panel else ()
            )
            if name:
                built[name] = item
        if item:
            shown.append(Rendered(*item))
    with contextlib.suppress(redis.RedisError):
        cache.set_many(built, CACHE_SECONDS)
    return shown


def changed(*topics):
    """The data behind `topics` has changed: panels that read them are built afresh from now on."""
    from coprod.models import PanelVersion

    PanelVersion.objects.bulk_create(
        [PanelVersion(topic=topic, token=uuid.uuid4().hex) for topic in topics],
        update_conflicts=True,
        unique_fields=["topic"],
        update_fields=["token"],
    )


def _versions():
    from coprod.models import PanelVersion

    versions = dict(PanelVersion.objects.values_list("topic", "token"))
    missing = [topic for topic in TOPICS if topic not in versions]
    if missing:  # a new database (or one emptied between tests): tokens no earlier cache entry can be under
        changed(*missing)
        versions = dict(PanelVersion.objects.values_list("topic", "token"))
    return versions


def watch(model, *topics):
    """Every save or delete of `model` (or, for a many-to-many table, every change of its links) changes `topics`."""

    def on_change(sender, action=None, **kwargs):
        if action in (None, "post_add", "post_remove", "post_clear"):
            changed(*topics)

    uid = f"panels:{model._meta.label}"
    if model._meta.auto_created:
        m2m_changed.connect(on_change, sender=model, weak=False, dispatch_uid=uid)
    else:
        post_save.connect(on_change, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(on_change, sender=model, weak=False, dispatch_uid=uid)


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
