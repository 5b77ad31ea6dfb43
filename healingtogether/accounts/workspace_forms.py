"""The forms organisers fill in to list an organisation or a group.

A form's cleaned input becomes a plain dict in the exact shape of `listing.data_of()`, so a new
listing, an edit and a moderator's diff all speak about the same data. Fields the form doesn't show
(several schedules, a precise point on the map) are carried over from the data the form started
from, so editing one thing never silently drops another.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from healingtogether.directory import listing

# The same JSON-safe values as listing.data_of(): dates and times as ISO strings.
from healingtogether.directory.listing import _plain
from healingtogether.directory.models import Group, Location, Organisation, Schedule
from healingtogether.directory.schedule_text import (
    DAY_CODES,
    as_schedule,
    ordinal_phrase,
    parse_days,
)
from healingtogether.directory.templatetags.site import language_name
from healingtogether.lib import markdown, validators
from healingtogether.lib.i18n import CONTENT_LANGUAGES, current_language
from healingtogether.lib.text import fold
from healingtogether.places.models import PostalCode

MARKDOWN_HELP = _(
    "A few short paragraphs. The example above shows how to write bold text, a list or a link."
)
# Shown next to what people see (see markdown_example()), so nobody has to learn the syntax.
MARKDOWN_EXAMPLE = _(
    "We meet in a **calm room** on the first floor.\n"
    "\n"
    "- Tea and coffee are ready.\n"
    "- You may just listen.\n"
    "\n"
    "More on [our website](https://example.org)."
)
NOT_SAID = ("", pgettext_lazy("a choice left empty", "Not said"))


def markdown_example() -> dict:
    """A short description as it is typed and as the public page shows it."""
    source = str(MARKDOWN_EXAMPLE)
    return {"source": source, "html": markdown.render(source)}


def _choices(choices) -> list:
    return [NOT_SAID, *choices]


def _date_input():
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _time_input():
    return forms.TimeInput(format="%H:%M", attrs={"type": "time"})


class TextsMixin:
    """Per-language texts (name_en, description_fr, …): one fieldset per language, at least one
    name, and a name wherever there is text, so no page shows a description without a title."""

    TEXT_FIELDS = ("name", "description")
    no_name_message = _("Give a name in at least one language.")

    def add_text_fields(self, description_label):
        """Name and description fields for each language; labels name the language, so the
        error summary says which one needs attention."""
        for code in CONTENT_LANGUAGES:
            language = {"language": language_name(code)}
            # The texts are in that language: `lang` lets spell checkers and screen readers know.
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name in %(language)s") % language,
                max_length=listing.limit(Group, f"name_{code}"),
                required=False,
                widget=forms.TextInput(attrs={"lang": code}),
            )
            # Optional one by one, but one of them is needed: the line above the fieldsets says
            # so, and "(optional)" beside each would contradict it.
            self.fields[f"name_{code}"].no_optional_mark = True
            self.fields[f"description_{code}"] = forms.CharField(
                label=description_label % language,
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 6, "lang": code}),
                help_text=MARKDOWN_HELP,
            )

    def markdown_example(self) -> dict:
        return markdown_example()

    def languages(self) -> list[dict]:
        """The text fields grouped by language, for one fieldset (a tab with JavaScript) each."""
        return [
            {
                "code": code,
                "name": language_name(code),
                "fields": [self[f"{field}_{code}"] for field in self.TEXT_FIELDS],
                "has_errors": any(self[f"{f}_{code}"].errors for f in self.TEXT_FIELDS),
            }
            for code in CONTENT_LANGUAGES
        ]

    def check_names(self, cleaned: dict) -> None:
        if not any(cleaned.get(f"name_{code}") for code in CONTENT_LANGUAGES):
            # On the name of the page's language: the first one the organiser sees.
            self.add_error(f"name_{current_language()}", self.no_name_message)
            return
        for code in CONTENT_LANGUAGES:
            others = [f for f in self.TEXT_FIELDS if f != "name"]
            if not cleaned.get(f"name_{code}") and any(cleaned.get(f"{f}_{code}") for f in others):
                self.add_error(
                    f"name_{code}",
                    _("Give a name in this language too, or leave its other texts empty."),
                )


class ContactMixin:
    """Website, email and phone, checked and stored in one form."""

    def clean_website(self):
        website = self.cleaned_data["website"].strip()
        validators.validate_web_url(website)
        return website

    def clean_phone(self):
        return validators.normalise_phone(self.cleaned_data["phone"])


class OrganisationForm(TextsMixin, ContactMixin, forms.Form):
    """An organisation: who runs the groups (association, practice, network, …)."""

    no_name_message = _("Give the organisation a name in at least one language.")

    kind = forms.ChoiceField(
        label=_("What kind of organisation is it?"),
        choices=_choices(Organisation.Kind.choices),
        required=False,
    )
    website = forms.CharField(
        label=_("Website"),
        max_length=listing.limit(Group, "website"),
        required=False,
        widget=forms.URLInput,
        help_text=_("Starts with https:// or http://."),
    )
    email = forms.EmailField(label=_("Email address"), required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=listing.limit(Group, "phone"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("A Belgian number, or an international one starting with +."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_text_fields(_("About the organisation, in %(language)s"))
        self.order_fields(
            [f"{f}_{code}" for code in CONTENT_LANGUAGES for f in self.TEXT_FIELDS]
            + ["kind", "website", "email", "phone"]
        )

    def clean(self):
        cleaned = super().clean()
        self.check_names(cleaned)
        return cleaned

    def listing_data(self) -> dict:
        """The organisation as `listing.data_of()` would give it."""
        return {name: _plain(self.cleaned_data[name]) for name in listing.ORGANISATION_FIELDS}

    @classmethod
    def initial_from(cls, data: dict) -> dict:
        return {name: data.get(name) for name in listing.ORGANISATION_FIELDS}


YES_NO = [("yes", pgettext_lazy("answer", "Yes")), ("no", pgettext_lazy("answer", "No"))]
POSITIONS = [1, 2, 3, 4, -1]


class GroupForm(TextsMixin, ContactMixin, forms.Form):
    """A group with every field an organiser may edit, its meeting place and its schedule, in
    two steps: the essentials (name, what, where, when, how to join), then the details (for
    whom, cost, practicalities, credential, contact). Each step shows only its own fields; the
    others are carried over from the data the form started from.

    Opening hours (`hours_xx`) are for helplines and the listings our team compiles: organisers
    describe when a group meets with the schedule builder, and any hours text is kept as it is.
    """

    ESSENTIALS, DETAILS = "essentials", "details"
    no_name_message = _("Give the group a name in at least one language.")

    # What kind of group (choices in __init__: only groups people join, see Group.GROUP_KINDS)
    kind = forms.ChoiceField(
        label=_("What kind of group is it?"),
        choices=[],
        error_messages={"required": _("Say what kind of group this is.")},
    )
    facilitation = forms.ChoiceField(
        label=_("Who leads the group?"),
        choices=_choices(Group.Facilitation.choices),
        required=False,
    )
    format = forms.ChoiceField(
        label=_("How does the group meet?"),
        choices=_choices(Group.Format.choices),
        required=False,
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"), required=False, widget=forms.CheckboxSelectMultiple
    )
    audiences = forms.MultipleChoiceField(
        label=_("Who is it for?"), required=False, widget=forms.CheckboxSelectMultiple
    )
    approaches = forms.MultipleChoiceField(
        label=_("Approaches"), required=False, widget=forms.CheckboxSelectMultiple
    )
    session_languages = forms.MultipleChoiceField(
        label=_("Languages spoken in the sessions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    age_min = forms.IntegerField(label=_("Minimum age"), required=False, min_value=0, max_value=120)
    age_max = forms.IntegerField(label=_("Maximum age"), required=False, min_value=0, max_value=120)

    # Joining and cost
    cohort = forms.ChoiceField(
        label=_("How can people join?"), choices=_choices(Group.Cohort.choices), required=False
    )
    next_start = forms.DateField(label=_("Next start date"), required=False, widget=_date_input())
    seats_left = forms.IntegerField(
        label=_("Seats left"), required=False, min_value=0, max_value=1000
    )
    cost = forms.ChoiceField(label=_("Cost"), choices=_choices(Group.Cost.choices), required=False)
    cost_amount = forms.CharField(
        label=_("Amount"),
        max_length=listing.limit(Group, "cost_amount"),
        required=False,
        help_text=_("For example: €15 a session, €5 with a reduced rate."),
    )
    referral_required = forms.ChoiceField(
        label=_("Is a referral needed?"), choices=_choices(YES_NO), required=False
    )
    step_free = forms.BooleanField(label=_("Step-free access"), required=False)
    hearing_loop = forms.BooleanField(label=_("Hearing loop"), required=False)
    childcare = forms.BooleanField(label=_("Childcare"), required=False)
    evening = forms.BooleanField(label=_("Meets in the evening"), required=False)

    # Facilitator's credential
    credential_kind = forms.ChoiceField(
        label=_("Kind of number"), choices=_choices(Group.Credential.choices), required=False
    )
    credential_number = forms.CharField(
        label=_("Number"),
        max_length=listing.limit(Group, "credential_number"),
        required=False,
        help_text=_(
            "An INAMI/RIZIV number has 11 digits; a visa number is made of digits only. Spaces, "
            "dots and dashes between the digits are fine. Our team checks the number before the "
            "page says so, and checks it again whenever it changes."
        ),
    )

    # Contact
    website = OrganisationForm.base_fields["website"]
    email = OrganisationForm.base_fields["email"]
    phone = OrganisationForm.base_fields["phone"]
    contact_person = forms.CharField(
        label=_("Contact person"), max_length=listing.limit(Group, "contact_person"), required=False
    )

    # Where (one place; more can be kept from earlier data but are not edited here)
    location_name = forms.CharField(
        label=_("Name of the place"), max_length=listing.limit(Location, "name"), required=False
    )
    location_address = forms.CharField(
        label=_("Street and number"), max_length=listing.limit(Location, "address"), required=False
    )
    location_postcode = forms.CharField(
        label=_("Postcode"),
        max_length=listing.limit(Location, "postcode"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        help_text=_("Needed unless the group meets online only."),
    )
    # Its help says when it is needed: "(optional)" beside it would contradict it.
    location_postcode.no_optional_mark = True
    location_access_notes = forms.CharField(
        label=_("How to get in"),
        max_length=listing.limit(Location, "access_notes"),
        required=False,
        help_text=_("For example: entrance at the back, second floor, ring at “Groups”."),
    )

    # When: the schedule builder. How often is one plain choice ("every 2 weeks"), which
    # becomes the rule's frequency and interval (see EVERY).
    schedule_every = forms.ChoiceField(
        label=_("How often?"),
        choices=[],  # in the page's language, see __init__
        initial=f"{Schedule.Freq.WEEKLY}:1",
        required=False,
    )
    schedule_days = forms.MultipleChoiceField(
        label=_("On which days?"),
        choices=[(code, WEEKDAYS[i]) for i, code in enumerate(DAY_CODES)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    schedule_monthly_by = forms.ChoiceField(
        label=_("For a monthly group: which day of the month?"),
        choices=[
            ("weekday", _("A weekday, such as the second Tuesday")),
            ("date", _("A date, such as the 15th")),
        ],
        initial="weekday",
        widget=forms.RadioSelect,
        required=False,
    )
    schedule_position = forms.TypedChoiceField(
        label=_("Which one in the month?"),
        coerce=int,
        choices=[],  # in the page's language, see __init__
        required=False,
        empty_value=None,
    )
    schedule_monthday = forms.IntegerField(
        label=_("Day of the month"), required=False, min_value=1, max_value=31
    )
    schedule_opens_at = forms.TimeField(label=_("Starts at"), required=False, widget=_time_input())
    schedule_closes_at = forms.TimeField(label=_("Ends at"), required=False, widget=_time_input())
    schedule_dtstart = forms.DateField(label=_("First date"), required=False, widget=_date_input())
    schedule_until = forms.DateField(
        label=_("Last date"),
        required=False,
        widget=_date_input(),
        help_text=_("Leave empty if the group goes on."),
    )
    schedule_note = forms.CharField(
        label=_("Note about the dates"),
        max_length=300,
        required=False,
        help_text=_("For example: no sessions in July and August."),
    )

    KINDS_WITHOUT_A_PLACE = (
        *Group.NETWORK_KINDS,
        Group.Kind.HELPLINE,
        Group.Kind.PLATFORM,
        Group.Kind.DIRECTORY,
    )
    TERM_FIELDS = ("topics", "audiences", "approaches", "session_languages")
    LOCATION_FORM_FIELDS = ("name", "address", "postcode", "access_notes")
    SCHEDULE_FORM_FIELDS = (
        "every",
        "days",
        "monthly_by",
        "position",
        "monthday",
        "opens_at",
        "closes_at",
        "dtstart",
        "until",
        "note",
    )

    # Sections of each step, in order, each a list of field names (see templates/accounts/
    # workspace/group_form.html and group_details.html).
    SECTIONS = {
        # The essentials: what, how to join, where (and when, the schedule builder).
        "about": ["kind", "facilitation", "format", "topics"],
        "joining": ["session_languages", "cohort", "next_start", "seats_left"],
        "location": [f"location_{f}" for f in LOCATION_FORM_FIELDS],
        # The details.
        "for_whom": ["audiences", "approaches", "age_min", "age_max"],
        "cost": ["cost", "cost_amount", "referral_required"],
        "practical": ["step_free", "hearing_loop", "childcare", "evening"],
        "credential": ["credential_kind", "credential_number"],
        "contact": ["website", "email", "phone", "contact_person"],
    }
    STEP_SECTIONS = {
        ESSENTIALS: ["about", "joining", "location"],
        DETAILS: ["for_whom", "cost", "practical", "credential", "contact"],
    }
    # How often, in plain words: (frequency, interval) choices the builder offers.
    EVERY = [(Schedule.Freq.WEEKLY, n) for n in (1, 2, 3, 4)] + [
        (Schedule.Freq.MONTHLY, n) for n in (1, 2, 3, 6)
    ]

    def __init__(self, *args, start: dict | None = None, step: str = ESSENTIALS, **kwargs):
        """`start` is the data the form began from (for an edit), to carry over what it hides;
        `step` is ESSENTIALS or DETAILS."""
        super().__init__(*args, **kwargs)
        self.start = start or {}
        self.step = step
        self.add_text_fields(_("Description in %(language)s"))
        for name, model in listing.TERMS_AND_LANGUAGES.items():
            terms = sorted(model.objects.all(), key=lambda term: fold(term.label))
            self.fields[name].choices = [(term.slug, term.label) for term in terms]
        self.fields["schedule_position"].choices = [
            (position, ordinal_phrase(position)) for position in POSITIONS
        ]
        self.fields["kind"].choices = self._kind_choices()
        self.fields["schedule_every"].choices = self._every_choices()
        # Only this step's fields, in the order of the page, so the error summary lists
        # problems from top to bottom.
        names = [f"{f}_{code}" for code in CONTENT_LANGUAGES for f in self.TEXT_FIELDS]
        if step == self.DETAILS:
            names = []
        for section in self.STEP_SECTIONS[step]:
            names += self.SECTIONS[section]
            if section == "location":
                names += [f"schedule_{f}" for f in self.SCHEDULE_FORM_FIELDS]
        for name in set(self.fields) - set(names):
            del self.fields[name]
        self.order_fields(names)

    def _kind_choices(self) -> list:
        """Organisers list groups people join; networks, lines, platforms, directories and
        associations are ours. A listing that already is one of those (a claimed helpline, say)
        keeps its kind as a choice, so saving never changes what it is."""
        kinds = list(Group.GROUP_KINDS)
        current = self.start.get("kind")
        if current and current not in kinds and current in Group.Kind.values:
            kinds.append(current)
        return [
            ("", pgettext_lazy("no choice made yet", "Choose…")),
            *[(kind, Group.Kind(kind).label) for kind in kinds],
        ]

    def _every_choices(self) -> list:
        every = list(self.EVERY)
        for schedule in (self.start.get("schedules") or [])[:1]:
            given = (schedule.get("freq"), schedule.get("interval") or 1)
            if given not in every and given[0] in (Schedule.Freq.WEEKLY, Schedule.Freq.MONTHLY):
                every.append(given)  # an interval the list doesn't offer stays as it was
        return [(f"{freq}:{n}", every_phrase(freq, n)) for freq, n in every]

    def sections(self) -> dict:
        """{section name: [bound fields]} of this step, for the template: `form.sections.cost`."""
        return {
            name: [self[f] for f in self.SECTIONS[name]] for name in self.STEP_SECTIONS[self.step]
        }

    def schedule_fields(self) -> dict:
        return {f: self[f"schedule_{f}"] for f in self.SCHEDULE_FORM_FIELDS}

    # Checks on single fields

    def clean_location_postcode(self):
        postcode = self.cleaned_data["location_postcode"].strip()
        if postcode and not PostalCode.objects.filter(code=postcode).exists():
            raise ValidationError(
                _("We don't know this postcode. Enter the 4 digits of a Belgian postcode.")
            )
        return postcode

    # Checks across fields

    def clean_schedule_every(self):
        """ "WEEKLY:2" → ("WEEKLY", 2), the frequency and interval of the rule."""
        value = self.cleaned_data["schedule_every"] or f"{Schedule.Freq.WEEKLY}:1"
        freq, _sep, interval = value.partition(":")
        return freq, int(interval)

    def clean(self):
        cleaned = super().clean()
        if self.step == self.ESSENTIALS:
            self.check_names(cleaned)
            self._check_location(cleaned)
            self._check_schedule(cleaned)
        else:
            self._check_ages(cleaned)
            self._check_credential(cleaned)
        return cleaned

    def _check_ages(self, cleaned):
        age_min, age_max = cleaned.get("age_min"), cleaned.get("age_max")
        if age_min is not None and age_max is not None and age_min > age_max:
            self.add_error(
                "age_max", _("The maximum age must be the same as the minimum age or higher.")
            )

    def _check_credential(self, cleaned):
        kind, number = cleaned.get("credential_kind"), cleaned.get("credential_number", "")
        if not number.strip():
            cleaned["credential_number"] = ""
            return
        if not kind:
            self.add_error("credential_kind", _("Say what kind of number this is."))
            return
        normalise = (
            validators.normalise_inami
            if kind == Group.Credential.INAMI
            else validators.normalise_visa
        )
        try:
            cleaned["credential_number"] = normalise(number)
        except ValidationError as error:
            self.add_error("credential_number", error)

    def _check_location(self, cleaned):
        """A place needs its postcode (for "near me"); a group that meets needs a place unless it
        meets online. Networks, lines and platforms are reached, not met, so they need none."""
        given = any(cleaned.get(f"location_{f}") for f in self.LOCATION_FORM_FIELDS)
        online = cleaned.get("format") == Group.Format.ONLINE
        met = cleaned.get("kind") not in self.KINDS_WITHOUT_A_PLACE
        if "location_postcode" in self.errors or cleaned.get("location_postcode"):
            return
        if given or (met and not online):
            self.add_error(
                "location_postcode",
                _("Give the postcode of the place where the group meets, or choose “Online”."),
            )

    def has_schedule(self) -> bool:
        """Did the organiser fill in the schedule builder at all? It is optional."""
        keys = ("days", "monthday", "opens_at", "closes_at", "dtstart", "until", "note")
        return any(self.cleaned_data.get(f"schedule_{k}") for k in keys) or any(
            f"schedule_{k}" in self.errors for k in keys
        )

    def _check_schedule(self, cleaned):
        if not self.has_schedule():
            return
        required = {
            "schedule_opens_at": _("Say when the sessions start."),
            "schedule_closes_at": _("Say when the sessions end."),
            "schedule_dtstart": _("Give the date of the first session."),
        }
        for name, message in required.items():
            if cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, message)
        rules = Schedule(
            opens_at=cleaned.get("schedule_opens_at"),
            closes_at=cleaned.get("schedule_closes_at"),
            dtstart=cleaned.get("schedule_dtstart"),
            until=cleaned.get("schedule_until"),
        )
        try:
            rules.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(f"schedule_{name}", messages)
        freq, interval = cleaned.get("schedule_every") or (Schedule.Freq.WEEKLY, 1)
        cleaned["schedule_freq"], cleaned["schedule_interval"] = freq, interval
        by_date = freq == Schedule.Freq.MONTHLY and cleaned.get("schedule_monthly_by") == "date"
        if by_date and not cleaned.get("schedule_monthday"):
            if "schedule_monthday" not in self.errors:
                self.add_error("schedule_monthday", _("Give the day of the month."))
        elif not by_date and not cleaned.get("schedule_days"):
            self.add_error("schedule_days", _("Choose at least one day."))
        if (
            freq == Schedule.Freq.MONTHLY
            and not by_date
            and cleaned.get("schedule_position") is None
            and "schedule_position" not in self.errors
        ):
            self.add_error("schedule_position", _("Choose which one in the month."))

    # From the form to the listing's data, and back

    def schedule_errors(self) -> bool:
        return any(name.startswith("schedule_") for name in self.errors)

    def shows_schedule(self) -> bool:
        return self.step == self.ESSENTIALS

    def schedule_data(self) -> dict | None:
        """The schedule builder's answer as HSDS fields, or None when it was left empty."""
        c = self.cleaned_data
        if not self.has_schedule() or self.schedule_errors():
            return None
        freq = c["schedule_freq"]
        byday = bymonthday = ""
        if freq == Schedule.Freq.MONTHLY and c.get("schedule_monthly_by") == "date":
            bymonthday = str(c["schedule_monthday"])
        elif freq == Schedule.Freq.MONTHLY:
            byday = ",".join(f"{c['schedule_position']}{day}" for day in c["schedule_days"])
        else:
            byday = ",".join(c["schedule_days"])
        earlier = (self.start.get("schedules") or [{}])[0]
        return {
            "freq": freq,
            "interval": c["schedule_interval"],
            "byday": byday,
            "bymonthday": bymonthday,
            "dtstart": _plain(c["schedule_dtstart"]),
            "until": _plain(c["schedule_until"]),
            # Not in the builder: kept as they were.
            "count": earlier.get("count"),
            "opens_at": _plain(c["schedule_opens_at"]),
            "closes_at": _plain(c["schedule_closes_at"]),
            "valid_from": earlier.get("valid_from"),
            "valid_to": earlier.get("valid_to"),
            "note": c["schedule_note"],
        }

    def unsaved_schedule(self) -> Schedule | None:
        """The schedule as an unsaved Schedule, for the preview's description and dates."""
        data = self.schedule_data()
        if data is None:
            return None
        return as_schedule(data)

    def location_data(self) -> dict | None:
        c = self.cleaned_data
        values = {f: c[f"location_{f}"] for f in self.LOCATION_FORM_FIELDS}
        if not any(values.values()):
            return None
        earlier = (self.start.get("locations") or [{}])[0]
        # A precise point stays only while the place stays in the same postcode.
        same_place = earlier.get("postcode") == values["postcode"]
        values["latitude"] = earlier.get("latitude") if same_place else None
        values["longitude"] = earlier.get("longitude") if same_place else None
        # So do a municipality known without a postcode and the "approximate" mark of its centre.
        values["municipality_id"] = earlier.get("municipality_id") if same_place else None
        values["approximate"] = bool(earlier.get("approximate")) if same_place else False
        return {name: values[name] for name in listing.LOCATION_FIELDS}

    def listing_data(self) -> dict:
        """The group as `listing.data_of()` would give it: this step's fields from the form,
        the other step's (and the opening hours) as they were."""
        c, start = self.cleaned_data, self.start
        data = {name: start.get(name) for name in listing.GROUP_FIELDS}
        data.update({name: _plain(c[name]) for name in listing.GROUP_FIELDS if name in c})
        if "referral_required" in c:
            data["referral_required"] = {"yes": True, "no": False}.get(c["referral_required"])
        for name in self.TERM_FIELDS:
            data[name] = sorted(c[name]) if name in c else list(start.get(name) or [])
        if self.step != self.ESSENTIALS:
            data["locations"] = list(start.get("locations") or [])
            data["schedules"] = list(start.get("schedules") or [])
            return data
        # The form edits the first place and schedule; any others are kept as they were.
        location, schedule = self.location_data(), self.schedule_data()
        data["locations"] = [v for v in [location] if v] + start.get("locations", [])[1:]
        data["schedules"] = [v for v in [schedule] if v] + start.get("schedules", [])[1:]
        return data

    @classmethod
    def initial_from(cls, data: dict) -> dict:
        """Form values from a listing's data (the group now, or its pending revision)."""
        initial = {name: data.get(name) for name in listing.GROUP_FIELDS}
        initial["referral_required"] = {True: "yes", False: "no"}.get(data.get("referral_required"))
        for name in cls.TERM_FIELDS:
            initial[name] = data.get(name, [])
        for location in data.get("locations", [])[:1]:
            for f in cls.LOCATION_FORM_FIELDS:
                initial[f"location_{f}"] = location.get(f) or ""
        for schedule in data.get("schedules", [])[:1]:
            initial.update(cls._schedule_initial(schedule))
        return initial

    @staticmethod
    def _schedule_initial(schedule: dict) -> dict:
        days = parse_days(schedule.get("byday") or "")
        month_days = [d for d in (schedule.get("bymonthday") or "").split(",") if d.strip()]
        positions = [position for position, _code in days if position]
        return {
            "schedule_every": f"{schedule.get('freq')}:{schedule.get('interval') or 1}",
            "schedule_days": [code for _position, code in days],
            "schedule_monthly_by": "date" if month_days and not days else "weekday",
            "schedule_position": positions[0] if positions else None,
            "schedule_monthday": int(month_days[0]) if month_days else None,
            "schedule_opens_at": (schedule.get("opens_at") or "")[:5],
            "schedule_closes_at": (schedule.get("closes_at") or "")[:5],
            "schedule_dtstart": schedule.get("dtstart"),
            "schedule_until": schedule.get("until"),
            "schedule_note": schedule.get("note") or "",
        }


def every_phrase(freq: str, interval: int) -> str:
    """ "Every week", "Every 2 weeks", "Every month", "Every 3 months"."""
    if freq == Schedule.Freq.MONTHLY:
        if interval == 1:
            return _("Every month")
        return _("Every %(count)s months") % {"count": interval}
    if interval == 1:
        return _("Every week")
    return _("Every %(count)s weeks") % {"count": interval}


class ClaimForm(forms.Form):
    """Which of the organiser's organisations asks to take over a compiled listing."""

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = forms.ModelChoiceField(
            queryset=organisations,
            empty_label=None,
            widget=forms.RadioSelect,
            label=_("On behalf of which organisation?"),
            help_text=_(
                "Once our team approves, this organisation looks after the listing: everyone "
                "in it can change and confirm it."
            ),
            to_field_name="public_id",
        )
