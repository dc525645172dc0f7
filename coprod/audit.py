"""The audit trail: who changed what and when, and who exported what.

django-auditlog writes a `coprod.AuditEntry` for every create, update and delete of a registered model, in the
same transaction as the change, with the signed-in user, their address and the request id. Each app registers its
own models from its AppConfig.ready() through `register`, saying how to find an object's partnership: the entry is
filed under it, so a partnership's lead can read their partnership's trail in one indexed query, deletions
included.

What never goes in: questionnaire responses and answers (anonymous by construction: they are never registered),
passwords and tokens (excluded fields), and attendees' names, emails and organisations (masked: the trail says
they changed, not what to, so erasing an attendee leaves nothing of them behind here).
"""

import contextvars
import ipaddress
from collections import defaultdict

from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db.models import Count, Q

from coprod.log import request_id
from coprod.middleware import client_ip
from coprod.models import AuditEntry, Partnership

# Bookkeeping: the id is the entry's own object_pk, the timestamps change with every save.
ALWAYS_EXCLUDED = ["id", "created_at", "updated_at"]
PERSONAL = "[personal data]"
ACTION_LABELS = {
    AuditEntry.Action.CREATE: "Created",
    AuditEntry.Action.UPDATE: "Changed",
    AuditEntry.Action.DELETE: "Deleted",
    AuditEntry.Action.ACCESS: "Exported",  # reads: exports (export_record), or views through a link (view_record)
}

_partnership_resolvers = {}
_describers = {}


def own_partnership(obj):
    return obj.partnership_id


def via(*path):
    """The partnership of the object at the end of `path`, e.g. via("measure", "project") for a data point."""

    def resolve(obj):
        for name in path:
            obj = getattr(obj, name)
        return obj.partnership_id

    return resolve


def register(model, *, partnership=own_partnership, describe=None, fields=(), exclude=(), mask=(), m2m=()):
    """Audit the model's creates, updates and deletes (and changes to the `m2m` fields).

    `partnership(obj)` gives the id of the partnership the entry is filed under (None: ALLIANCE staff only);
    `describe(obj)` replaces str(obj) where that holds personal data; `fields` limits the diff to those fields,
    `exclude` leaves fields out (secrets), `mask` records that a field changed but not its values.
    """
    _partnership_resolvers[model] = partnership
    if describe is not None:
        _describers[model] = describe
    auditlog.register(
        model,
        # Its own columns only: a new object's entry would otherwise list its reverse relations too.
        include_fields=list(fields) or [field.name for field in model._meta.concrete_fields],
        exclude_fields=[*ALWAYS_EXCLUDED, *exclude],
        mask_fields=list(mask),
        mask_callable="coprod.audit.mask_personal",
        m2m_fields=set(m2m),
    )


def registered_models():
    return list(_partnership_resolvers)


def mask_personal(value):
    return "" if value in ("", "None") else PERSONAL


def partnership_of(obj):
    resolve = _partnership_resolvers.get(type(obj))
    if resolve is None:
        return None
    try:
        return resolve(obj)
    except ObjectDoesNotExist:  # a parent deleted in the same cascade
        return None


def describe(obj):
    try:
        return _describers.get(type(obj), str)(obj)
    except ObjectDoesNotExist:
        return f"{obj._meta.verbose_name} #{obj.pk}"


def current_request_id():
    """AUDITLOG_CID_GETTER: the request id of the log lines, so an entry and its request can be found together."""
    value = request_id.get()
    return None if value == "-" else value


def _address(request):
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:  # a proxy header holding something else: keep the entry, lose the address
        return None


_request = contextvars.ContextVar("coprod_audit_request", default=None)


def audit_context(get_response):
    """Middleware: entries written during the request name its user and address (`name_the_request`).

    The request is kept in a context variable that one permanent receiver reads. auditlog's own set_extra_data
    connects and disconnects a receiver on every request instead: that cost every request, a questionnaire's too,
    about 60 microseconds, and emptied the signal's cache of receivers each time.
    """

    def middleware(request):
        token = _request.set(request)
        try:
            return get_response(request)
        finally:
            _request.reset(token)

    return middleware


def name_the_request(sender, instance, **kwargs):
    """Before an entry is saved in a request: its user (unless it names one already) and address."""
    request = _request.get()
    if request is None:
        return
    user = request.user
    if instance.actor_id is None and user.is_authenticated:
        instance.actor = user
        instance.actor_email = user.email
    instance.remote_addr = _address(request)


def export_record(*, user, what, scope, filters=None):
    """File an export in the audit trail: who downloaded `what` (e.g. "Improvement projects register (CSV)").

    `scope` is the partnership exported, or None for everything the user may see (e.g. the national register);
    `filters`, if given, is a dict of the filters applied, as text.
    """
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Partnership),
        object_pk=str(scope.pk) if scope else "",
        object_id=scope.pk if scope else None,
        object_repr=what,
        action=AuditEntry.Action.ACCESS,
        actor=user,
        actor_email=user.email,
        partnership=scope,
        additional_data={
            "scope": str(scope) if scope else "Every partnership the user may see",
            "filters": {
                _clean(key): _clean(value) for key, value in (filters or {}).items() if value not in ("", None)
            },
        },
        cid=current_request_id(),
    )


def view_record(*, obj, scope):
    """File a view of `obj` by someone without an account (a shared read-only link): which object, and when.

    `scope` is its partnership, or None (ALLIANCE staff only). Like every entry written in a request, it keeps the
    address the request came from (name_the_request), and nothing more of the viewer.
    """
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(obj.pk),
        object_id=obj.pk,
        object_repr=str(obj),
        action=AuditEntry.Action.ACCESS,
        partnership=scope,
        additional_data={"viewed": True, "scope": str(scope) if scope else "National"},
        cid=current_request_id(),
    )


def views_count(model, pks):
    """{pk: how many views view_record filed} of the `model` objects `pks`: one grouped query."""
    counts = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=list(pks),
            action=AuditEntry.Action.ACCESS,
        )
        .values_list("object_id")
        .annotate(n=Count("pk"))
    )
    return dict(counts)


def _clean(value):
    """Filter text as typed, short and without NUL characters (which PostgreSQL's JSON refuses)."""
    return str(value).replace("\x00", "")[:200]


# --- Reading the trail ---


def entry_types():
    """(value, label) of each audited kind of object, for the filter."""
    models = sorted(registered_models(), key=lambda model: str(model._meta.verbose_name).casefold())
    return [(model._meta.label_lower, str(model._meta.verbose_name).capitalize()) for model in models]


def entries(*, partnership=None, kind="", start=None, end=None):
    """The trail, newest first: one partnership's, or everything (partnership=None) for ALLIANCE staff."""
    queryset = AuditEntry.objects.select_related("content_type", "actor", "partnership").order_by("-timestamp", "-pk")
    if partnership is not None:
        queryset = queryset.filter(partnership=partnership)
    if kind == "export":
        queryset = queryset.filter(action=AuditEntry.Action.ACCESS)
    elif kind:
        app_label, _, model = kind.partition(".")
        queryset = queryset.filter(
            Q(content_type__app_label=app_label, content_type__model=model), ~Q(action=AuditEntry.Action.ACCESS)
        )
    if start:
        queryset = queryset.filter(timestamp__date__gte=start)
    if end:
        queryset = queryset.filter(timestamp__date__lte=end)
    return queryset


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _value_label(field, value, fk_labels):
    if value in ("None", None):
        return ""
    if value == PERSONAL or field is None:
        return str(value)
    if field.many_to_one or field.one_to_one:
        label = fk_labels.get((field.related_model, str(value)))
        return f"{label} (#{value})" if label else f"#{value} (deleted)"
    if field.choices:
        return str(dict(field.flatchoices).get(_typed(field, value), value))
    if field.get_internal_type() == "BooleanField":
        return {"True": "yes", "False": "no"}.get(str(value), str(value))
    return str(value)


def _typed(field, value):
    try:
        return field.to_python(value)
    except ValidationError:  # an old value of a field whose type changed since: shown as stored
        return value


def _fk_labels(page_entries):
    """The current names of the objects the page's changes point to: one query per kind of object."""
    wanted = defaultdict(set)
    for entry in page_entries:
        model = entry.content_type.model_class()
        for name, values in (entry.changes or {}).items():
            field = _field(model, name)
            if field is not None and (field.many_to_one or field.one_to_one) and isinstance(values, list):
                wanted[field.related_model] |= {v for v in values if v not in ("None", None, "", PERSONAL)}
    labels = {}
    for model, pks in wanted.items():
        valid = []
        for pk in pks:
            try:
                valid.append(model._meta.pk.to_python(pk))
            except ValidationError:
                continue  # not a key of that model: shown as stored
        for obj in model._default_manager.filter(pk__in=valid):
            labels[(model, str(obj.pk))] = str(obj)
    return labels


def _changes(entry, model, fk_labels):
    """Each change as {"label", "mode", "before", "after"}; mode: set, changed, cleared, added or removed."""
    changes = []
    for name, values in sorted((entry.changes or {}).items()):
        field = _field(model, name)
        label = str(getattr(field, "verbose_name", name))
        if isinstance(values, dict):  # many-to-many: {"operation": "add" or "delete", "objects": [...]}
            mode = "added" if values.get("operation") == "add" else "removed"
            changes.append({"label": label, "mode": mode, "before": "", "after": "; ".join(values.get("objects", []))})
        elif isinstance(values, list) and len(values) == 2:
            before, after = (_value_label(field, value, fk_labels) for value in values)
            if entry.action == entry.Action.CREATE:
                mode = "set"
            elif entry.action == entry.Action.DELETE:
                mode, after = "cleared", before
            else:
                mode = "changed"
            if mode != "changed" and not after:
                continue  # a new or deleted object's empty fields say nothing
            changes.append({"label": label, "mode": mode, "before": before, "after": after})
    return changes


def _kind_label(entry, model):
    return str(model._meta.verbose_name) if model else entry.content_type.model


def rows(page_entries):
    """What the page shows of each entry: when, who, what, and its changes (or an export's scope and filters)."""
    page_entries = list(page_entries)
    fk_labels = _fk_labels(page_entries)
    result = []
    for entry in page_entries:
        model = entry.content_type.model_class()
        export = entry.action == entry.Action.ACCESS
        data = entry.additional_data or {}
        viewed = export and data.get("viewed")
        result.append(
            {
                "entry": entry,
                "action": "Viewed" if viewed else ACTION_LABELS.get(entry.action, "Logged"),
                "kind": "" if export and not viewed else _kind_label(entry, model),
                "object": entry.object_repr,
                "scope": data.get("scope", "") if export else "",
                "filters": sorted((data.get("filters") or {}).items()) if export else [],
                "changes": [] if export else _changes(entry, model, fk_labels),
                "actor": entry.actor or entry.actor_email or "",
            }
        )
    return result
