"""Bring an HSDS dataset into our directory as listings waiting for moderation.

Three steps, so that a bad file changes nothing:

1. `plan()` reads every record, checks it against the HSDS schema and against what our fields
   can hold, and maps it to listing data (the dict `directory.listing` works with). Each problem
   names its record and field. Points a moderator should look at (an address outside Belgium, a
   term we have no match for) become flags, not problems.
2. Nothing is written unless there were no problems.
3. `write()` stores the plan in one transaction: a record we imported before (source key
   `hsds:<id>`) or one of our own records coming back (same public id) is updated through
   `proposals.submit`, never duplicated; a new one is created as a draft and submitted. Either way
   the moderation queue gets one pending Revision, with the flags on it.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, time

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from healingtogether.accounts import proposals
from healingtogether.directory import listing
from healingtogether.directory.models import Group, Organisation, Schedule, Status
from healingtogether.lib.i18n import CONTENT_LANGUAGES, localized
from healingtogether.lib.text import fold, tidy
from healingtogether.lib.validators import normalise_phone
from healingtogether.places.models import PostalCode

from . import spec
from .files import Dataset
from .vocabulary import VOCABULARIES, Matcher, session_language, session_languages

SOURCE_PREFIX = "hsds:"
# Belgium and a margin: a point outside is a mistake or an address abroad.
BELGIUM_BOX = (49.45, 51.55, 2.50, 6.45)
BELGIAN_COUNTRY = {"", "be", "bel", "belgium", "belgique", "belgie", "belgien", "belgica"}
DAY_TOKEN = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")


@dataclass
class Planned:
    """One organisation or group to create or update."""

    model: type
    hsds_id: str
    origin: str
    name: str
    data: dict
    flags: list = field(default_factory=list)
    organisation_id: str | None = None  # for a group: the HSDS id of its organisation


@dataclass
class Plan:
    language: str
    organisations: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # "origin: field: message"
    notes: list = field(default_factory=list)  # said once to whoever runs the import
    known: dict = field(default_factory=dict)  # model -> Known

    @property
    def size(self) -> int:
        return len(self.organisations) + len(self.groups)


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list = field(default_factory=list)
    flagged: int = 0


def source_key(hsds_id: str) -> str:
    return f"{SOURCE_PREFIX}{hsds_id}"


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class Reader:
    """Reads the fields of one record into our values, noting problems against the record."""

    def __init__(self, plan: Plan, origin: str):
        self.plan, self.origin = plan, origin

    def problem(self, name: str, message: str) -> None:
        self.plan.problems.append(f"{self.origin}: {name}: {message}")

    def text(self, record: dict, name: str, limit: int | None = None, label: str = "") -> str:
        value = record.get(name)
        if value is None:
            return ""
        value = str(value).replace("\x00", "").strip()
        if limit and len(value) > limit:
            self.problem(
                label or name,
                _("Longer than %(limit)d characters (%(length)d).")
                % {"limit": limit, "length": len(value)},
            )
        return value

    def email(self, record: dict, name: str) -> str:
        value = self.text(record, name, 254)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.problem(name, _("“%(value)s” is not an email address.") % {"value": value})
        return value

    def url(self, record: dict, name: str) -> str:
        value = self.text(record, name, 200)
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                self.problem(name, _("“%(value)s” is not a web address.") % {"value": value})
        return value

    def whole(self, record: dict, name: str, low: int, high: int) -> int | None:
        value = record.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            self.problem(name, _("“%(value)s” is not a whole number.") % {"value": value})
            return None
        if not low <= int(value) <= high:
            self.problem(
                name,
                _("%(value)s is not between %(low)d and %(high)d.")
                % {"value": value, "low": low, "high": high},
            )
            return None
        return int(value)

    def day(self, record: dict, name: str) -> str | None:
        value = record.get(name)
        if value in (None, ""):
            return None
        try:
            return date.fromisoformat(str(value)[:10]).isoformat()
        except ValueError:
            self.problem(name, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value})
            return None

    def clock(self, record: dict, name: str) -> str | None:
        value = record.get(name)
        if value in (None, ""):
            return None
        text = str(value).strip()
        # "19:00", "19:00:00", or with a UTC offset we cannot honour ("19:00:00+01:00").
        match = re.match(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
        try:
            if not match:
                raise ValueError(text)
            return time(int(match[1]), int(match[2]), int(match[3] or 0)).isoformat()
        except ValueError:
            self.problem(name, _("“%(value)s” is not a time (HH:MM).") % {"value": value})
            return None


def _term_matches(dataset: Dataset, matcher: Matcher, owner_id: str) -> tuple[list, list]:
    """The (vocabulary, value) pairs of the terms linked to a record, and the terms we could not
    match (their names)."""
    found, unmatched = [], []
    for attribute in dataset.where("attribute", "link_id", owner_id):
        term = dataset.get("taxonomy_term", attribute.get("taxonomy_term_id"))
        if term is None:
            continue
        taxonomy = dataset.get("taxonomy", term.get("taxonomy_id")) or {}
        matched = matcher.match(term, term.get("taxonomy") or taxonomy.get("name"))
        if matched is None:
            unmatched.append(str(term.get("name") or term.get("code") or term.get("id")))
        elif matched not in [m[:2] for m in found]:
            found.append((*matched, attribute.get("value")))
    return found, unmatched


def _used_vocabularies(dataset: Dataset, matcher: Matcher) -> set[str]:
    """The vocabularies the dataset speaks: only their fields are set on import, so a dataset
    that says nothing about, say, cost never blanks the cost a moderator filled in."""
    used = set()
    for attribute in dataset.rows("attribute"):
        term = dataset.get("taxonomy_term", attribute.get("taxonomy_term_id"))
        if term is not None:
            taxonomy = dataset.get("taxonomy", term.get("taxonomy_id")) or {}
            matched = matcher.match(term, term.get("taxonomy") or taxonomy.get("name"))
            if matched:
                used.add(matched[0].key)
    return used


def _set_terms(
    data: dict, matches: list, used: set[str], entity: str, reader: "Reader"
) -> list[str]:
    """Write matched terms into the listing data; returns flags for choices given twice."""
    flags = []
    for vocabulary in VOCABULARIES:
        if vocabulary.entity != entity or vocabulary.key not in used:
            continue
        values = [value for v, value, _fact in matches if v is vocabulary]
        if vocabulary.key == "joining":
            facts = {value: fact for v, value, fact in matches if v is vocabulary}
            data["next_start"] = reader.day(facts, "next_start")
            data["seats_left"] = reader.whole(_numbers(facts), "seats_left", 0, 10_000)
        elif vocabulary.model is not None:
            data[vocabulary.field] = sorted(values)
        elif vocabulary.key == "practicality":
            for name in vocabulary.choices:
                data[name] = name in values
        elif vocabulary.key == "referral":
            data["referral_required"] = (values[0] == "required") if values else None
        else:
            data[vocabulary.field] = values[0] if values else ""
            if len(values) > 1:
                flags.append(
                    _("Several values for %(what)s (%(values)s); kept %(kept)s.")
                    % {"what": vocabulary.name, "values": ", ".join(values), "kept": values[0]}
                )
    return flags


def _numbers(facts: dict) -> dict:
    """Attribute values are text: "7" is the number 7."""
    found = {}
    for name, fact in facts.items():
        try:
            found[name] = int(str(fact).strip())
        except ValueError:
            found[name] = fact
    return found


def _is_belgian(country: str) -> bool:
    return fold(country).replace("-", "") in BELGIAN_COUNTRY


def _in_belgium(latitude, longitude) -> bool:
    south, north, west, east = BELGIUM_BOX
    return (
        isinstance(latitude, int | float)
        and isinstance(longitude, int | float)
        and south <= latitude <= north
        and west <= longitude <= east
    )


def _location(dataset: Dataset, reader: Reader, location: dict, flags: list) -> dict:
    """One HSDS location (with its first address) as our Location values."""
    values = {
        "name": reader.text(location, "name", 200),
        "address": "",
        "postcode": "",
        "access_notes": "",
        "latitude": None,
        "longitude": None,
        "municipality_id": None,
        "approximate": False,
    }
    addresses = dataset.where("address", "location_id", location.get("id"))
    address = next((a for a in addresses if a.get("address_type") == "physical"), None)
    address = address or (addresses[0] if addresses else None)
    latitude, longitude = location.get("latitude"), location.get("longitude")
    if address is not None:
        street = ", ".join(
            filter(None, (tidy(str(address.get(k) or ""), 200) for k in ("address_1", "address_2")))
        )
        postcode = tidy(str(address.get("postal_code") or ""), 20)
        country = tidy(str(address.get("country") or ""), 60)
        known = PostalCode.objects.filter(code=postcode).exists()
        if _is_belgian(country) and known:
            values["address"], values["postcode"] = street, postcode
            # What the listing writer would store: the postcode's municipality.
            municipality = listing.located(postcode)[0]
            values["municipality_id"] = municipality.code if municipality else None
            if len(street) > 200:
                Reader(reader.plan, dataset.origin("address", address)).problem(
                    "address_1", _("Longer than %(limit)d characters.") % {"limit": 200}
                )
        else:
            # Kept in words only: a foreign postcode may look like a Belgian one, and must never
            # give the place a point in Belgium.
            whole = ", ".join(
                filter(
                    None,
                    (
                        street,
                        " ".join(filter(None, (postcode, str(address.get("city") or "")))),
                        str(address.get("state_province") or ""),
                        country,
                    ),
                )
            )
            values["address"] = whole[:200]
            if _is_belgian(country):
                flags.append(
                    _("Unknown postcode “%(postcode)s”, kept without coordinates: %(place)s")
                    % {"postcode": postcode, "place": whole}
                )
            else:
                flags.append(
                    _("Address outside Belgium (%(country)s), kept without coordinates: %(place)s")
                    % {"country": country, "place": whole}
                )
            return {**values, **_access(dataset, reader, location)}
    if latitude is not None or longitude is not None:
        if _in_belgium(latitude, longitude):
            values["latitude"], values["longitude"] = float(latitude), float(longitude)
        else:
            flags.append(
                _("Coordinates %(latitude)s, %(longitude)s are not in Belgium; left out.")
                % {"latitude": latitude, "longitude": longitude}
            )
    if values["latitude"] is None and values["postcode"]:
        # What listing.apply() would store: the postcode's centre.
        _municipality, values["latitude"], values["longitude"] = listing.located(values["postcode"])
    if address is None and values["latitude"] is None:
        flags.append(_("A location without an address or coordinates was left out."))
        return {}
    return {**values, **_access(dataset, reader, location)}


def _access(dataset: Dataset, reader: Reader, location: dict) -> dict:
    notes = "; ".join(
        str(a.get("description") or a.get("details") or "").strip()
        for a in dataset.where("accessibility", "location_id", location.get("id"))
    ).strip("; ")
    if len(notes) > 300:
        reader.problem("accessibility", _("Longer than %(limit)d characters.") % {"limit": 300})
    return {"access_notes": notes}


def _schedule(reader: Reader, record: dict, flags: list) -> dict | None:
    """One HSDS schedule as our Schedule values; None when it has no rule we can keep (no
    frequency or no times): then its words describe the hours."""
    freq = str(record.get("freq") or "").upper()
    opens_at, closes_at = reader.clock(record, "opens_at"), reader.clock(record, "closes_at")
    if not freq or opens_at is None or closes_at is None:
        return None
    if freq not in ("WEEKLY", "MONTHLY"):
        reader.problem("freq", _("Only WEEKLY and MONTHLY schedules can be imported."))
        return None
    interval = reader.whole(record, "interval", 1, 52) or 1
    byday = []
    for token in filter(None, str(record.get("byday") or "").upper().replace(" ", "").split(",")):
        if DAY_TOKEN.match(token):
            byday.append(token.lstrip("+"))
        else:
            reader.problem(
                "byday", _("“%(value)s” is not a day such as MO or 2TU.") % {"value": token}
            )
    bymonthday = []
    for token in filter(None, str(record.get("bymonthday") or "").replace(" ", "").split(",")):
        if re.match(r"^-?\d{1,2}$", token) and 1 <= abs(int(token)) <= 31:
            bymonthday.append(str(int(token)))
        else:
            reader.problem(
                "bymonthday", _("“%(value)s” is not a day of the month.") % {"value": token}
            )
    if freq == "WEEKLY" and bymonthday:
        flags.append(
            _("A weekly schedule gave days of the month (%(days)s); they were left out.")
            % {"days": ",".join(bymonthday)}
        )
        bymonthday = []
    valid_from, valid_to = reader.day(record, "valid_from"), reader.day(record, "valid_to")
    dtstart = reader.day(record, "dtstart")
    if dtstart is None:
        dtstart = valid_from or timezone.localdate().isoformat()
        flags.append(_("A schedule had no start date; %(date)s was used.") % {"date": dtstart})
    until = reader.day(record, "until")
    count = reader.whole(record, "count", 1, 1000)
    if until and count:
        flags.append(
            _("A schedule gave both an end date and a number of sessions; the end date was kept.")
        )
        count = None
    try:
        Schedule(opens_at=opens_at, closes_at=closes_at, dtstart=dtstart, until=until).clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            reader.problem(name, " ".join(messages))
    for ignored in ("byweekno", "byyearday"):
        if record.get(ignored):
            flags.append(_("A schedule's %(field)s was left out.") % {"field": ignored})
    offset = record.get("timezone")
    if offset not in (None, "", 1, 2):
        flags.append(
            _("A schedule gives the UTC offset %(offset)s; its times are read as Brussels time.")
            % {"offset": offset}
        )
    return {
        "freq": freq,
        "interval": interval,
        "byday": ",".join(byday),
        "bymonthday": ",".join(bymonthday),
        "dtstart": dtstart,
        "until": until,
        "count": count,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "note": reader.text(record, "notes", 300, "notes"),
    }


class Planner:
    def __init__(self, dataset: Dataset, language: str):
        self.dataset = dataset
        self.plan = Plan(language=language)
        self.matcher = Matcher()
        self.used = _used_vocabularies(dataset, self.matcher)
        self.languages = session_languages()
        self.known = {
            Organisation: Known(Organisation, [r.get("id") for r in dataset.rows("organization")]
                                + [r.get("organization_id") for r in dataset.rows("service")]),
            Group: Known(Group, [r.get("id") for r in dataset.rows("service")]),
        }  # fmt: skip
        self._has = {}

    def reader_for(self, object_type: str, record: dict) -> Reader:
        """A reader whose problems name this record (a schedule, a location...) itself."""
        return Reader(self.plan, self.dataset.origin(object_type, record))

    def has(self, object_type: str, link: str) -> bool:
        """Whether the dataset has records of this type linked by `link` at all: only then do
        we set the field they fill (a dataset without phones never blanks our phones)."""
        key = (object_type, link)
        if key not in self._has:
            self._has[key] = any(r.get(link) is not None for r in self.dataset.rows(object_type))
        return self._has[key]

    def organisation(self, record: dict) -> Planned:
        origin = self.dataset.origin("organization", record)
        reader = Reader(self.plan, origin)
        language = self.plan.language
        name = reader.text(record, "name", 200)
        if not name:
            reader.problem("name", _("An organisation needs a name."))
        data = {
            f"name_{language}": name,
            f"description_{language}": reader.text(record, "description"),
            "website": reader.url(record, "website"),
            "email": reader.email(record, "email"),
        }
        flags = []
        if self.has("phone", "organization_id"):
            data["phone"] = self._phone(reader, "organization_id", record.get("id"), flags)
        matches, unmatched = _term_matches(self.dataset, self.matcher, record.get("id"))
        flags += _set_terms(data, matches, self.used, "organization", reader)
        flags += [_("Organisation term without a match: %(name)s") % {"name": n} for n in unmatched]
        return Planned(Organisation, str(record.get("id")), origin, name, data, flags)

    def _phone(self, reader: Reader, link: str, owner_id, flags: list) -> str:
        """The first phone number, as the source writes it (CSV files often quote it)."""
        phones = self.dataset.where("phone", link, owner_id)
        if not phones:
            return ""
        number = str(phones[0].get("number") or "").strip().strip("\"'").strip()
        if len(number) > 40:
            self.reader_for("phone", phones[0]).problem(
                "number", _("Longer than %(limit)d characters.") % {"limit": 40}
            )
        try:
            normalise_phone(number)
        except ValidationError:
            flags.append(_("Phone number “%(number)s” could not be checked.") % {"number": number})
        return number

    def group(self, record: dict) -> Planned:
        origin = self.dataset.origin("service", record)
        reader = Reader(self.plan, origin)
        language = self.plan.language
        service_id = record.get("id")
        flags = []
        name = reader.text(record, "name", 200)
        if not name:
            reader.problem("name", _("A service needs a name."))
        data = {
            f"name_{language}": name,
            f"description_{language}": reader.text(record, "description"),
            "website": reader.url(record, "url"),
            "email": reader.email(record, "email"),
            "age_min": reader.whole(record, "minimum_age", 0, 120),
            "age_max": reader.whole(record, "maximum_age", 0, 120),
        }
        ages = (data["age_min"], data["age_max"])
        if None not in ages and ages[0] > ages[1]:
            reader.problem("maximum_age", _("The maximum age is below the minimum age."))
        if record.get("status") not in (None, "active"):
            flags.append(
                _("The source says this service is %(status)s.") % {"status": record["status"]}
            )

        matches, unmatched = _term_matches(self.dataset, self.matcher, service_id)
        flags += _set_terms(data, matches, self.used, "service", reader)
        flags += [
            _("Term without a match in our taxonomy: %(name)s") % {"name": n} for n in unmatched
        ]
        if "kind" in self.used and not data.get("kind"):
            data.pop("kind")
        existing = self.known[Group].get(service_id)
        if "kind" not in data and existing is None:
            flags.append(_("The kind of group was not given; it is set to support group."))

        self._languages(data, service_id, flags)
        if self.has("phone", "service_id"):
            data["phone"] = self._phone(reader, "service_id", service_id, flags)
        if self.has("contact", "service_id"):
            contacts = self.dataset.where("contact", "service_id", service_id)
            data["contact_person"] = (
                self.reader_for("contact", contacts[0]).text(
                    contacts[0], "name", listing.limit(Group, "contact_person")
                )
                if contacts
                else ""
            )
        self._cost(reader, data, record, flags)
        self._locations(reader, data, service_id, flags)
        self._schedules(reader, data, service_id, flags)
        for name_, label in (("accreditations", _("accreditations")), ("licenses", _("licences"))):
            if record.get(name_):
                flags.append(
                    _("The source lists %(what)s to check: %(value)s")
                    % {"what": label, "value": record[name_]}
                )
        areas = [
            str(a.get("name") or "")
            for a in self.dataset.where("service_area", "service_id", service_id)
        ]
        if areas and not (existing and (existing.coverage or existing.service_area.exists())):
            flags.append(
                _("Service area not imported, set it by hand if needed: %(areas)s")
                % {"areas": "; ".join(areas)[:300]}
            )
        organisation_id = record.get("organization_id")
        return Planned(
            Group,
            str(service_id),
            origin,
            name,
            data,
            flags,
            organisation_id=str(organisation_id) if organisation_id else None,
        )

    def _languages(self, data: dict, service_id, flags: list) -> None:
        if not self.has("language", "service_id"):
            return
        found = []
        for record in self.dataset.where("language", "service_id", service_id):
            slug = session_language(record, self.languages)
            if slug is None:
                flags.append(
                    _("Session language not in our list: %(name)s")
                    % {"name": record.get("name") or record.get("code")}
                )
            elif slug not in found:
                found.append(slug)
        data["session_languages"] = sorted(found)

    def _cost(self, reader: Reader, data: dict, record: dict, flags: list) -> None:
        options = self.dataset.where("cost_option", "service_id", record.get("id"))
        if self.has("cost_option", "service_id"):
            amount = ""
            if options:
                option = options[0]
                amount = self.reader_for("cost_option", option).text(
                    option, "amount_description", 100
                )
                if isinstance(option.get("amount"), int | float):
                    currency = str(option.get("currency") or "").upper()
                    price = f"{option['amount']:g} {currency}".strip()
                    amount = f"{price} {amount}".strip()[:100]
                if "cost" not in self.used:
                    matched = self.matcher.match({"name": option.get("option")}, "cost")
                    if matched:
                        data["cost"] = matched[1]
            data["cost_amount"] = amount
        if not options and record.get("fees_description"):
            flags.append(
                _("Fees, in the source's words: %(fees)s") % {"fees": record["fees_description"]}
            )

    def _locations(self, reader: Reader, data: dict, service_id, flags: list) -> None:
        if not self.has("service_at_location", "service_id"):
            return
        found = []
        for link in self.dataset.where("service_at_location", "service_id", service_id):
            location = self.dataset.get("location", link.get("location_id"))
            if location is None:
                reader.problem(
                    "service_at_location",
                    _("No location with id %(id)s.") % {"id": link.get("location_id")},
                )
                continue
            if location.get("location_type") == "virtual":
                continue
            values = _location(self.dataset, self.reader_for("location", location), location, flags)
            if values:
                found.append(values)
        data["locations"] = found

    def _schedules(self, reader: Reader, data: dict, service_id, flags: list) -> None:
        if not self.dataset.rows("schedule"):
            return
        records = list(self.dataset.where("schedule", "service_id", service_id))
        for link in self.dataset.where("service_at_location", "service_id", service_id):
            records += [
                r
                for r in self.dataset.where("schedule", "service_at_location_id", link.get("id"))
                if r not in records
            ]
        schedules, hours = [], []
        for record in records:
            values = _schedule(self.reader_for("schedule", record), record, flags)
            if values is not None:
                schedules.append(values)
            elif record.get("description"):
                hours.append(str(record["description"]).strip())
            else:
                flags.append(_("A schedule without a frequency or times was left out."))
        data["schedules"] = schedules
        data[f"hours_{self.plan.language}"] = "; ".join(hours)
        if len(data[f"hours_{self.plan.language}"]) > 300:
            reader.problem(
                "schedules", _("The opening hours in words are longer than 300 characters.")
            )


def _check_schema(dataset: Dataset, plan: Plan) -> None:
    for object_type, table in dataset.tables.items():
        if object_type not in spec.JSON_FILES:
            continue
        validator = spec.cached_validator(object_type, False)
        for record in table.values():
            for error in validator.iter_errors(record):
                where = ".".join(str(p) for p in error.absolute_path)
                if error.validator == "required":
                    where = re.findall(r"'([^']+)'", error.message)[0]
                plan.problems.append(
                    f"{dataset.origin(object_type, record)}: {where or '?'}: {error.message}"
                )


def plan(dataset: Dataset, language: str | None = None) -> Plan:
    """Read and check everything; the plan says what would be written, or what is wrong."""
    declared = dataset.language()
    chosen = language or (declared if declared in CONTENT_LANGUAGES else None)
    planner = Planner(dataset, chosen or "en")
    result = planner.plan
    result.known = planner.known
    if chosen is None:
        result.notes.append(_("The dataset does not say its language; texts are read as English."))
    result.problems += [
        f"{origin}: {name or '?'}: {message}" for origin, name, message in dataset.problems
    ]
    _check_schema(dataset, result)
    ids = set()
    for record in dataset.rows("organization"):
        planned = planner.organisation(record)
        result.organisations.append(planned)
        ids.add(planned.hsds_id)
    for record in dataset.rows("service"):
        planned = planner.group(record)
        if planned.organisation_id is None:
            result.problems.append(
                f"{planned.origin}: organization_id: " + _("A service needs an organisation.")
            )
        elif (
            planned.organisation_id not in ids
            and planner.known[Organisation].get(planned.organisation_id) is None
        ):
            result.problems.append(
                f"{planned.origin}: organization_id: "
                + _("No organisation with id %(id)s in this dataset or in our directory.")
                % {"id": planned.organisation_id}
            )
        result.groups.append(planned)
    for planned in [*result.organisations, *result.groups]:
        room = listing.limit(planned.model, "source_key") - len(SOURCE_PREFIX)
        if len(str(planned.hsds_id)) > room:
            result.problems.append(
                f"{planned.origin}: id: " + _("Longer than %(limit)d characters.") % {"limit": room}
            )
    return result


class Known:
    """Our records that a dataset's ids stand for: imported before from that id (source key
    hsds:<id>), or our own coming back (same public id). Looked up once, in batches."""

    BATCH = 500

    def __init__(self, model, hsds_ids):
        self.model = model
        wanted = sorted({str(i) for i in hsds_ids if i is not None})
        self.pks = {}
        self.matched_by_public_id = set()
        for start in range(0, len(wanted), self.BATCH):
            batch = wanted[start : start + self.BATCH]
            keys = {source_key(i): i for i in batch}
            for pk, key in model.objects.filter(source_key__in=keys).values_list(
                "pk", "source_key"
            ):
                self.pks[keys[key]] = pk
            uuids = {u: i for i in batch if (u := _uuid(i)) is not None}
            for pk, public_id in model.objects.filter(public_id__in=uuids).values_list(
                "pk", "public_id"
            ):
                if uuids[public_id] not in self.pks:
                    self.pks[uuids[public_id]] = pk
                    self.matched_by_public_id.add(uuids[public_id])

    def by_public_id(self, hsds_id) -> bool:
        """Whether `hsds_id` named one of our own records by its public id."""
        return str(hsds_id) in self.matched_by_public_id

    def get(self, hsds_id):
        pk = self.pks.get(str(hsds_id)) if hsds_id is not None else None
        return self.model.objects.filter(pk=pk).first() if pk is not None else None


def _without_fallbacks(obj, data: dict, language: str) -> dict:
    """The data without texts the object already shows in `language` through the fallback to
    another language: an export in French gives a Dutch-only name as its French one, and reading
    it back must not copy it into the French column."""
    kept = dict(data)
    for name in ("name", "description", "hours"):
        key = f"{name}_{language}"
        if key in kept and not getattr(obj, key, ""):
            text, written_in = localized(obj, name, language)
            if text and text == kept[key] and written_in != language:
                del kept[key]
    return kept


def _unchanged(obj, data: dict) -> bool:
    """Whether the data says nothing new: the listing has it already, or it waits for review."""
    current = listing.data_of(obj)
    if all(current.get(name) == value for name, value in data.items()):
        return True
    waiting = obj.revisions.pending().first()
    return waiting is not None and waiting.data == data


def _new(planned: Planned, organisation=None):
    """A new draft from planned data, keeping the source's id as our public id when it is a
    UUID nobody uses, so that ids survive a round trip between directories."""
    model = planned.model
    record = {
        "slug": listing.free_slug(model, planned.name),
        "source_key": source_key(planned.hsds_id),
    }
    public_id = _uuid(planned.hsds_id)
    if public_id is not None and not model.objects.filter(public_id=public_id).exists():
        record["public_id"] = public_id
    fields = listing.ORGANISATION_FIELDS if model is Organisation else listing.GROUP_FIELDS
    data = {name: planned.data[name] for name in fields if name in planned.data}
    if model is Organisation:
        return listing.create_organisation(data, **record)
    data["kind"] = planned.data.get("kind") or Group.Kind.SUPPORT_GROUP
    return listing.create_group(organisation, data, **record)


def _store(planned: Planned, outcome: Outcome, language: str, known: Known, organisation=None):
    obj = known.get(planned.hsds_id)
    data = dict(planned.data)
    if obj is not None:
        data = _without_fallbacks(obj, data, language)
    if obj is None:
        obj = _new(planned, organisation)
        if planned.model is Group:
            data.setdefault("kind", obj.kind)
        outcome.created += 1
    else:
        if (
            planned.model is Group
            and known.by_public_id(planned.hsds_id)
            and obj.status in (Status.DRAFT, Status.ARCHIVED)
        ):
            # Our public ids are public: a dataset must not revive or fill an organiser's draft
            # or archived group by naming its id.
            outcome.skipped.append(
                f"{planned.origin}: " + _("not updated: this listing of ours is not public.")
            )
            return obj
        if obj.revisions.pending().filter(author__isnull=False).exists():
            outcome.skipped.append(
                f"{planned.origin}: "
                + _("not updated: its organiser's own change is waiting for review.")
            )
            return obj
        if _unchanged(obj, data):
            outcome.unchanged += 1
            return obj
        if (
            planned.model is Group
            and organisation is not None
            and obj.organisation_id != organisation.pk
        ):
            planned.flags.append(
                _("The source lists it under %(source)s; it stays with %(ours)s.")
                % {"source": organisation.name, "ours": obj.organisation.name}
            )
        outcome.updated += 1
    proposals.submit(obj, data, None, flags=planned.flags)
    if planned.flags:
        outcome.flagged += 1
    return obj


def write(plan: Plan, progress=None) -> Outcome:
    """Store a plan without problems, all or nothing. `progress` is called after each record."""
    assert not plan.problems, "a plan with problems is never written"
    outcome = Outcome()
    known = plan.known
    with transaction.atomic():
        organisations = {}
        for planned in plan.organisations:
            organisations[planned.hsds_id] = _store(
                planned, outcome, plan.language, known[Organisation]
            )
            if progress:
                progress()
        for planned in plan.groups:
            organisation = organisations.get(planned.organisation_id) or known[Organisation].get(
                planned.organisation_id
            )
            _store(planned, outcome, plan.language, known[Group], organisation)
            if progress:
                progress()
    return outcome
