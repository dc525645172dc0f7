"""Workshops services."""

import csv
import datetime
import io
import logging
import secrets
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from coprod import audit, panels
from coprod.models import Membership, Organisation, Sector
from workshops import selectors
from workshops.models import (
    NOTE_MAX_LENGTH,
    Attendance,
    AttendanceStatus,
    Attendee,
    AttendeeRole,
    Certificate,
    Programme,
    Session,
    SessionStatus,
    hash_note_key,
)

logger = logging.getLogger(__name__)

# --- Sessions and attendance ---

SESSION_FIELDS = {
    "kind",
    "title",
    "locality",
    "programme",
    "date",
    "start_time",
    "end_time",
    "venue",
    "is_online",
    "aim_codesign",
    "aim_local_projects",
    "aim_resources",
    "aim_alliance",
    "aims_other",
    "status",
    "notes",
}
ERASED_NAME = "Erased attendee"


def _session_check(*, partnership, values, facilitators):
    """Refuse what the database cannot check on its own, with one message per field."""
    unknown = set(values) - SESSION_FIELDS
    if unknown:
        raise TypeError(f"Unknown session fields: {sorted(unknown)}")
    errors = {}
    start, end = values.get("start_time"), values.get("end_time")
    if start and end and end <= start:
        errors["end_time"] = "The session must end after it starts: check the end time."
    if not values.get("is_online") and not (values.get("venue") or "").strip():
        errors["venue"] = "Give the venue, or tick “Online” for an online session."
    locality = values.get("locality")
    if locality is not None and locality.partnership_id != partnership.pk:
        errors["locality"] = f"{locality} is not a locality of {partnership}: choose one of its own localities."
    programme = values.get("programme")
    if programme is not None and programme.partnership_id != partnership.pk:
        errors["programme"] = f"“{programme}” is a programme of another partnership: choose one of {partnership}'s."
    if facilitators:
        members = set(
            Membership.objects.filter(partnership=partnership, user__in=facilitators).values_list("user_id", flat=True)
        )
        outsiders = [str(user) for user in facilitators if user.pk not in members]
        if outsiders:
            errors["facilitators"] = f"Not members of {partnership}: {', '.join(outsiders)}."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def session_create(*, partnership, created_by, facilitators=(), facilitating_organisations=(), **fields):
    _session_check(partnership=partnership, values=fields, facilitators=facilitators)
    session = Session.objects.create(partnership=partnership, created_by=created_by, **fields)
    session.facilitators.set(facilitators)
    session.facilitating_organisations.set(facilitating_organisations)
    return session


@transaction.atomic
def session_update(*, session, facilitators=None, facilitating_organisations=None, **fields):
    """Change the given fields only. A session stays in its partnership: its register belongs there."""
    session = Session.objects.select_for_update().select_related("partnership").get(pk=session.pk)
    values = {name: getattr(session, name) for name in SESSION_FIELDS} | fields
    _session_check(
        partnership=session.partnership,
        values=values,
        facilitators=list(session.facilitators.all()) if facilitators is None else facilitators,
    )
    for name, value in fields.items():
        setattr(session, name, value)
    session.save(update_fields=[*fields, "updated_at"])
    if facilitators is not None:
        session.facilitators.set(facilitators)
    if facilitating_organisations is not None:
        session.facilitating_organisations.set(facilitating_organisations)
    return session


@transaction.atomic
def session_cancel(*, session):
    """Cancel the session; its register stays as it was, closed to changes."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError("This session is already cancelled.")
    session.status = SessionStatus.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    return session


def _open_session(session):
    """Lock the session row and refuse a cancelled one: its register is closed."""
    session = Session.objects.select_for_update().select_related("partnership").get(pk=session.pk)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError("This session was cancelled: its register is closed. Reinstate it to record attendance.")
    return session


def _clean_name(name):
    return " ".join((name or "").split())


def _by_email(queryset, emails):
    """Filter on the lower-cased email, the expression the unique constraint indexes."""
    return queryset.alias(email_lower=Lower("email")).filter(email_lower__in=list(emails))


def _organisation_get_or_add(*, name, sector, partnership):
    """The register's organisation of that name (ignoring case), or a new one linked to the partnership."""
    existing = Organisation.objects.filter(name__iexact=name).first()
    if existing:
        existing.partnerships.add(partnership)  # it works here now: offered in this partnership's lists from now on
        return existing
    if not sector:
        raise ValidationError({"sector": f"Choose a sector: {name} is new to the register and needs one."})
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(name=name, sector=sector)
    except IntegrityError:  # added by someone else a moment ago
        return Organisation.objects.get(name__iexact=name)
    organisation.partnerships.add(partnership)
    return organisation


@transaction.atomic
def attendance_add(
    *,
    session,
    name,
    role,
    sector="",
    email="",
    organisation=None,
    new_organisation="",
    status=AttendanceStatus.REGISTERED,
):
    """Put one person on the session's register.

    Someone already known to the partnership by this email (ignoring case) is the same attendee record;
    without an email a new record is made (a lead can merge duplicates later).
    """
    session = _open_session(session)
    partnership = session.partnership
    name, email, new_organisation = _clean_name(name), (email or "").strip().lower(), _clean_name(new_organisation)
    errors = {}
    if not name:
        errors["name"] = "Enter the person's name."
    if organisation is not None and new_organisation:
        errors["new_organisation"] = "Choose an organisation from the register or type a new one, not both."
    if role not in AttendeeRole.values:
        errors["role"] = "Choose the person's role."
    if sector and sector not in Sector.values:
        errors["sector"] = "Choose a sector from the list."
    if not sector and organisation is None and not new_organisation:
        errors["sector"] = "Choose the person's sector (or their organisation, whose sector is then used)."
    if errors:
        raise ValidationError(errors)

    attendee = _by_email(Attendee.objects.filter(partnership=partnership), [email]).first() if email else None
    on_register = session.attendances.all()
    if attendee is not None and on_register.filter(attendee=attendee).exists():
        raise ValidationError({"email": f"{attendee.name} ({email}) is already on this register."})
    if attendee is None and not email and on_register.filter(attendee__name__iexact=name).exists():
        raise ValidationError(
            {"name": f"{name} is already on this register. Give an email address if this is someone else."}
        )

    if attendee is None:  # a known person keeps their record's details, organisation included
        if new_organisation:
            organisation = _organisation_get_or_add(name=new_organisation, sector=sector, partnership=partnership)
        attendee = Attendee(
            partnership=partnership,
            name=name,
            email=email,
            organisation=organisation,
            sector=sector or organisation.sector,
            role=role,
        )
        try:
            with transaction.atomic():
                attendee.save()
        except IntegrityError:
            raise ValidationError({"email": "Someone with this email was added a moment ago: try again."}) from None
    try:
        with transaction.atomic():
            return Attendance.objects.create(session=session, attendee=attendee, status=status)
    except IntegrityError:  # the unique constraint: added twice at the same moment
        raise ValidationError({"name": f"{attendee.name} is already on this register."}) from None


REMOVED_MEANWHILE = (
    "This person was taken off the register or merged with another record meanwhile: nothing was marked."
)


@transaction.atomic
def attendance_mark(*, attendance, status):
    if status not in AttendanceStatus.values:
        raise ValidationError("Choose attended or did not attend.")
    _open_session(attendance.session)
    # Locked after the session, as removal and merging lock it: a row removed meanwhile is a message, not a 500.
    if not Attendance.objects.select_for_update().filter(pk=attendance.pk).exists():
        raise ValidationError(REMOVED_MEANWHILE)
    attendance.status = status
    attendance.save(update_fields=["status", "updated_at"])
    return attendance


@transaction.atomic
def attendance_remove(*, attendance):
    """Take the person off this register; their record stays for the partnership's other sessions."""
    _open_session(attendance.session)
    attendance.delete()


STATUS_STRENGTH = {AttendanceStatus.REGISTERED: 0, AttendanceStatus.ABSENT: 1, AttendanceStatus.ATTENDED: 2}


@transaction.atomic
def attendee_merge(*, keep, duplicate):
    """Fold the duplicate's attendances into `keep` and delete the duplicate.

    Where both records are on one register, one row stays with the stronger status
    (attended over did not attend over registered). Blank details of `keep` are filled from the duplicate.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError("Choose two different records to merge.")
    locked = {a.pk: a for a in Attendee.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk])}
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    if keep.partnership_id != duplicate.partnership_id:
        raise ValidationError("Only records of the same partnership can be merged.")
    if keep.erased_at or duplicate.erased_at:
        raise ValidationError("An erased record cannot be merged.")
    _certificates_move(keep=keep, duplicate=duplicate)

    theirs = list(duplicate.attendances.all())
    mine = {a.session_id: a for a in keep.attendances.filter(session_id__in=[a.session_id for a in theirs])}
    stronger, overlapping = [], []
    for attendance in theirs:
        kept = mine.get(attendance.session_id)
        if kept is None:
            continue
        overlapping.append(attendance.pk)
        if STATUS_STRENGTH[attendance.status] > STATUS_STRENGTH[kept.status]:
            kept.status, kept.updated_at = attendance.status, timezone.now()
            stronger.append(kept)
    Attendance.objects.filter(pk__in=overlapping).delete()
    Attendance.objects.bulk_update(stronger, ["status", "updated_at"])
    Attendance.objects.filter(attendee=duplicate).update(attendee=keep, updated_at=timezone.now())
    panels.changed("registers")  # bulk_update and update send no signals

    changed = []
    if not keep.email and duplicate.email:
        keep.email = duplicate.email
        changed.append("email")
    if keep.organisation_id is None and duplicate.organisation_id:
        keep.organisation_id = duplicate.organisation_id
        changed.append("organisation")
    duplicate.delete()  # first, so its email is free for `keep`
    if changed:
        keep.save(update_fields=[*changed, "updated_at"])
    return keep


def _certificates_move(*, keep, duplicate):
    """The duplicate's certificates become keep's: their numbers are on paper somewhere and must still check out.

    Where both records hold one for the same programme, neither number may be lost, so the merge is refused.
    """
    theirs = list(duplicate.certificates.select_related("programme"))
    if not theirs:
        return
    mine = set(keep.certificates.values_list("programme_id", flat=True))
    for certificate in theirs:
        if certificate.programme_id in mine:
            raise ValidationError(
                f"Both records have a certificate for “{certificate.programme}”, each with its own number that must "
                "stay checkable: these two records cannot be merged."
            )
    Certificate.objects.filter(attendee=duplicate).update(attendee=keep, updated_at=timezone.now())


@transaction.atomic
def attendee_erase(*, attendee):
    """Right to erasure: the identity goes, the attendance rows (and so every count) stay.

    Sector and role stay for the room's mix; the organisation goes too, since an organisation plus a
    role on a small register can point to one person. Their reflective notes go, and their note links stop
    working; a certificate already issued stays checkable by its number, saying the holder's details were erased.
    """
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    if attendee.erased_at:
        raise ValidationError("This attendee has already been erased.")
    attendee.name, attendee.email, attendee.organisation = ERASED_NAME, "", None
    attendee.erased_at = timezone.now()
    attendee.save(update_fields=["name", "email", "organisation", "erased_at", "updated_at"])
    Certificate.objects.filter(attendee=attendee).update(note="", note_key_hash=None, updated_at=attendee.erased_at)
    return attendee


# Bulk register: CSV rows in, a preview with every row's problems, then all rows saved or none.

BULK_MAX_BYTES = 1024 * 1024
BULK_MAX_ROWS = 5000
EMAIL_MAX_LENGTH = Attendee._meta.get_field("email").max_length  # 254: the longest an address can be
BULK_COLUMNS = ["name", "email", "organisation", "sector", "role"]
_COLUMN_ALIASES = {
    "name": "name",
    "fullname": "name",
    "email": "email",
    "emailaddress": "email",
    "organisation": "organisation",
    "organization": "organisation",
    "sector": "sector",
    "role": "role",
}


def _choice_key(text):
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


def _choice_lookup(choices):
    """Accept the stored value or the label, ignoring case, spaces, hyphens and underscores."""
    lookup = {}
    for value, label in choices:
        lookup[_choice_key(value)] = value
        lookup[_choice_key(label)] = value
    return lookup


SECTOR_LOOKUP = _choice_lookup(Sector.choices)
ROLE_LOOKUP = _choice_lookup(AttendeeRole.choices)


@dataclass
class BulkRow:
    number: int  # as in the spreadsheet: the header is row 1
    name: str
    email: str
    organisation_name: str
    sector: str = ""
    role: str = ""
    organisation: Organisation | None = None
    attendee: Attendee | None = None  # the partnership's existing record with this email
    problems: list = field(default_factory=list)

    @property
    def new_organisation(self):
        return bool(self.organisation_name) and self.organisation is None

    @property
    def sector_label(self):
        return Sector(self.sector).label if self.sector else ""

    @property
    def role_label(self):
        return AttendeeRole(self.role).label if self.role else ""


class CheckedRows:
    """A pasted or uploaded table checked row by row: `rows` (each with its `number` and `problems`) and `problems`
    about the whole of it. Saved all together or not at all, so it is valid only with rows and no problem."""

    @property
    def row_problems(self):
        return [(row.number, problem) for row in self.rows for problem in row.problems]

    @property
    def problem_count(self):
        return len(self.problems) + len(self.row_problems)

    @property
    def is_valid(self):
        return bool(self.rows) and not self.problem_count


@dataclass
class BulkPreview(CheckedRows):
    rows: list
    problems: list  # about the whole file

    @property
    def matched_count(self):
        return sum(1 for row in self.rows if row.attendee is not None)

    @property
    def new_count(self):
        return len(self.rows) - self.matched_count

    @property
    def new_organisations(self):
        names = {}
        for row in self.rows:
            if row.new_organisation:
                names.setdefault(row.organisation_name.casefold(), row.organisation_name)
        return sorted(names.values(), key=str.casefold)


def _bulk_read(text):
    """Split the text into rows, (spreadsheet row number, {column: value}), and list the file's problems."""
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return [], ["The file is empty: it has no rows."]
    first = next(line for line in lines if line.strip())
    delimiter = "\t" if "\t" in first and "," not in first else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        return [], [f"The file could not be read as CSV ({error}). Save it from your spreadsheet as “CSV UTF-8”."]
    numbered = [(number, record) for number, record in enumerate(records, start=1) if any(c.strip() for c in record)]
    columns = BULK_COLUMNS
    header = [_COLUMN_ALIASES.get("".join(ch for ch in cell.casefold() if ch.isalpha())) for cell in numbered[0][1]]
    if any(header):
        if "name" not in header:
            return [], ["The header row has no “name” column. The columns are: " + ", ".join(BULK_COLUMNS) + "."]
        columns, numbered = header, numbered[1:]
    if not numbered:
        return [], ["The file has a header row but no people in it."]
    if len(numbered) > BULK_MAX_ROWS:
        return [], [
            f"The file has {len(numbered):,} rows; the limit is {BULK_MAX_ROWS:,}. Split it into smaller files."
        ]
    rows = [
        (number, {column: value.strip() for column, value in zip(columns, record, strict=False) if column})
        for number, record in numbered
    ]
    return rows, []


def bulk_register_preview(*, session, text):
    """Parse and check every row against the partnership's records and the register, in a fixed number of queries."""
    records, problems = _bulk_read(text)
    if session.status == SessionStatus.CANCELLED:
        problems.insert(0, "This session was cancelled: its register is closed.")
    rows = []
    for number, values in records:
        row = BulkRow(
            number=number,
            name=_clean_name(values.get("name")),
            email=values.get("email", "").lower(),
            organisation_name=_clean_name(values.get("organisation")),
        )
        if not row.name:
            row.problems.append("name is missing")
        elif len(row.name) > Attendee._meta.get_field("name").max_length:
            row.problems.append("name is longer than 200 characters")
        if len(row.email) > EMAIL_MAX_LENGTH:
            row.problems.append(f"email is longer than {EMAIL_MAX_LENGTH} characters")
            row.email = ""
        elif row.email:
            try:
                validate_email(row.email)
            except ValidationError:
                row.problems.append(f"“{row.email}” is not a valid email address")
                row.email = ""
        if len(row.organisation_name) > Organisation._meta.get_field("name").max_length:
            row.problems.append("organisation name is longer than 200 characters")
        sector, role = values.get("sector", ""), values.get("role", "")
        row.sector = SECTOR_LOOKUP.get(_choice_key(sector), "")
        if sector and not row.sector:
            row.problems.append(f"unknown sector “{sector}”")
        row.role = ROLE_LOOKUP.get(_choice_key(role), "")
        if not role:
            row.problems.append("role is missing")
        elif not row.role:
            row.problems.append(f"unknown role “{role}”")
        rows.append(row)

    partnership = session.partnership
    emails = {row.email for row in rows if row.email}
    known = {a.email.lower(): a for a in _by_email(Attendee.objects.filter(partnership=partnership), emails)}
    names = {row.organisation_name.casefold() for row in rows if row.organisation_name}
    organisations = {
        o.name.casefold(): o for o in Organisation.objects.alias(lower=Lower("name")).filter(lower__in=names)
    }
    register = list(session.attendances.values_list("attendee__email", "attendee__name"))
    registered_emails = {email.lower() for email, _ in register if email}
    registered_names = {name.casefold() for _, name in register}

    seen = {}
    for row in rows:
        row.attendee = known.get(row.email)
        row.organisation = organisations.get(row.organisation_name.casefold())
        if not row.sector and row.organisation is not None:
            row.sector = row.organisation.sector
        if not row.sector and not any(p.startswith("unknown sector") for p in row.problems):
            needed = " (needed for a new organisation)" if row.new_organisation else ""
            row.problems.append(f"sector is missing{needed}")
        key = ("email", row.email) if row.email else ("name", row.name.casefold())
        if row.name or row.email:
            if key in seen:
                row.problems.append(f"duplicate of row {seen[key]}")
            else:
                seen[key] = row.number
        if row.email in registered_emails or (not row.email and row.name.casefold() in registered_names):
            row.problems.append("already on this register")
    return BulkPreview(rows=rows, problems=problems)


class BulkRegisterInvalid(ValidationError):
    """The rows have problems (perhaps new since the preview): nothing was saved."""

    def __init__(self, preview):
        super().__init__("Nothing was saved: the rows have problems.")
        self.preview = preview


@transaction.atomic
def bulk_register_save(*, session, text, status=AttendanceStatus.REGISTERED):
    """Check the rows again, then save all of them or none: bulk inserts, never a query per row."""
    session = Session.objects.select_for_update().select_related("partnership").get(pk=session.pk)
    preview = bulk_register_preview(session=session, text=text)
    if not preview.is_valid:
        raise BulkRegisterInvalid(preview)
    partnership = session.partnership
    try:
        with transaction.atomic():
            new_organisations = {}
            for row in preview.rows:
                if row.new_organisation:
                    new_organisations.setdefault(
                        row.organisation_name.casefold(), Organisation(name=row.organisation_name, sector=row.sector)
                    )
            Organisation.objects.bulk_create(new_organisations.values())
            Link = Organisation.partnerships.through
            Link.objects.bulk_create(
                [Link(organisation_id=o.pk, partnership_id=partnership.pk) for o in new_organisations.values()]
            )
            for row in preview.rows:
                if row.new_organisation:
                    row.organisation = new_organisations[row.organisation_name.casefold()]
                if row.attendee is None:
                    row.attendee = Attendee(
                        partnership=partnership,
                        name=row.name,
                        email=row.email,
                        organisation=row.organisation,
                        sector=row.sector,
                        role=row.role,
                    )
            Attendee.objects.bulk_create([row.attendee for row in preview.rows if row.attendee.pk is None])
            Attendance.objects.bulk_create(
                [Attendance(session=session, attendee=row.attendee, status=status) for row in preview.rows]
            )
            panels.changed("registers", "projects")  # bulk inserts send no signals
    except IntegrityError:
        raise ValidationError(
            "Someone changed these records while you were saving. Nothing was saved: upload the file again."
        ) from None
    return preview


# --- Programmes and CPD certificates ---


def note_link_days():
    return settings.CERTIFICATE_NOTE_LINK_DAYS


def certificates_issue(*, programme, attendees):
    """Issue a certificate to each of these completers who has none for the programme yet; {attendee id: Certificate}.

    One query when all are issued already, three otherwise, however many people. A clash (the same person issued
    by another lead at the same moment, or a number drawn twice) is skipped by the insert, then read or drawn again.
    """
    ids = [attendee.pk for attendee in attendees]
    issued = selectors.issued_certificates(programme=programme, attendee_ids=ids)
    for _attempt in range(3):
        missing = [pk for pk in ids if pk not in issued]
        if not missing:
            return issued
        Certificate.objects.bulk_create(
            [Certificate(programme=programme, attendee_id=pk) for pk in missing], ignore_conflicts=True
        )
        issued = selectors.issued_certificates(programme=programme, attendee_ids=ids)
    raise IntegrityError("Certificates could not be given unique numbers: try again.")


class CertificateEmailsFailed(Exception):
    """The mail server refused the emails: nothing was recorded as sent."""


@dataclass(frozen=True)
class CertificatesSent:
    sent: int  # emails sent now
    no_email: int  # completers with no email on the register: their certificates are printed instead


def certificates_send(*, programme, user, absolute_url):
    """Email each completer who has an email on the register, and was not sent one before, their certificate's
    number and a private link to write their reflective note: single use, expiring after note_link_days().

    A fixed number of queries however many completers. The emails go before the commit: if the mail server
    fails, nobody is marked as sent and the lead can simply try again. `absolute_url(path)`: the full address.
    """
    days = note_link_days()
    with transaction.atomic():
        # Two clicks (or two leads) at once take turns: the second finds everyone already sent.
        Programme.objects.select_for_update().filter(pk=programme.pk).exists()
        completers = [completion.attendee for completion in selectors.programme_certificates(programme=programme)]
        with_email = [attendee for attendee in completers if attendee.email]
        issued = certificates_issue(programme=programme, attendees=with_email)
        now = timezone.now()
        expires = now + datetime.timedelta(days=days)
        check_url = absolute_url(reverse("workshops:certificate-check"))
        marked, emails = [], []
        for attendee in with_email:
            certificate = issued[attendee.pk]
            if certificate.note_link_sent_at is not None:
                continue
            key = secrets.token_urlsafe(32)
            certificate.note_key_hash = hash_note_key(key)
            certificate.note_link_sent_at, certificate.note_link_expires_at, certificate.updated_at = now, expires, now
            marked.append(certificate)
            context = {
                "attendee": attendee,
                "programme": programme,
                "certificate": certificate,
                "note_url": absolute_url(f"{reverse('workshops:certificate-note')}?{urlencode({'key': key})}"),
                "check_url": check_url,
                "expires": timezone.localtime(expires),
                "days": days,
            }
            emails.append(
                EmailMessage(
                    f"Your certificate for the {programme.title}: add your reflective note",
                    render_to_string("workshops/certificate_email.txt", context),
                    None,
                    [attendee.email],
                )
            )
        if marked:
            fields = ["note_key_hash", "note_link_sent_at", "note_link_expires_at", "updated_at"]
            Certificate.objects.bulk_update(marked, fields)
            audit.export_record(
                user=user,
                what=f"Certificates emailed to {len(marked)} completer{'s' if len(marked) != 1 else ''}",
                scope=programme.partnership,
                filters={"programme": programme.title},
            )
            try:
                mailers.default.send_messages(emails)
            except (smtplib.SMTPException, OSError) as error:  # raised inside the transaction: it rolls back
                logger.warning("certificate emails not sent: %s", error)
                raise CertificateEmailsFailed from error
    return CertificatesSent(sent=len(marked), no_email=len(completers) - len(with_email))


def note_clean(text):
    """The note as stored: line endings made plain and the ends trimmed, its own paragraphs kept."""
    return (text or "").replace("\r\n", "\n").strip()


def certificate_note_write(*, certificate, note):
    """Store the participant's note, once: True if stored, False if the link was spent, expired or erased meanwhile.

    One conditional UPDATE both stores the note and spends the link, so two submits at the same moment (a double
    click, two tabs) store one note, on SQLite as on PostgreSQL.
    """
    note = note_clean(note)
    if not note:
        raise ValidationError({"note": "Write your note, or close this page if you would rather not add one."})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": f"Your note is {len(note):,} characters: shorten it to {NOTE_MAX_LENGTH:,} or fewer."}
        )
    now = timezone.now()
    stored = Certificate.objects.filter(
        pk=certificate.pk,
        note_key_hash=certificate.note_key_hash,  # not erased (which clears the hash) since the page was opened
        note_key_hash__isnull=False,
        note_written_at__isnull=True,
        note_link_expires_at__gt=now,
    ).update(note=note, note_written_at=now, updated_at=now)
    return stored == 1
