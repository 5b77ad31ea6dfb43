"""The organiser's group form in two steps (the essentials saved as a draft, then the details),
what it offers and says, and review seen from both sides: how long it takes, the preview of the
pending page, the moderator's full field list and where each person lands after login."""

import re
from datetime import datetime

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from healingtogether.accounts import proposals
from healingtogether.accounts.models import Revision
from healingtogether.accounts.tests.test_workspace import group_form, new_group_url
from healingtogether.directory import listing
from healingtogether.directory.models import Group, Status
from healingtogether.test import (
    make_group,
    make_location,
    make_moderator,
    make_organiser,
    make_schedule,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a calm password 4 tests"


@pytest.fixture
def organiser(client):
    user = make_organiser(language="en")
    client.force_login(user)
    return user


@pytest.fixture
def organisation(organiser):
    return organiser.memberships.get().organisation


def _label(page: str, field: str) -> str:
    match = re.search(rf'<label for="id_{field}"[^>]*>(.*?)</label>', page, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


# Item 10: what the form offers and says


def test_organisers_choose_only_kinds_of_group(client, organisation):
    page = client.get(new_group_url(organisation)).content.decode()
    select = re.search(r'<select name="kind".*?</select>', page, re.S).group(0)
    offered = re.findall(r'<option value="(\w+)"', select)
    assert sorted(offered) == sorted(Group.GROUP_KINDS)
    for ours in ("Helpline", "Platform", "Directory", "network", "Support association"):
        assert ours not in select

    response = client.post(new_group_url(organisation), group_form(kind=Group.Kind.HELPLINE))
    assert 'id="id_kind_error"' in response.content.decode()
    assert not Group.objects.filter(name_nl="Praatgroep Rouw").exists()


def test_no_opening_hours_in_the_form_and_an_edit_keeps_them(client, organisation):
    group = make_group(organisation=organisation, hours_fr="Le mardi de 19 h à 21 h")
    make_location(group)
    page = client.get(reverse("accounts:edit_group", args=[group.public_id])).content.decode()
    assert "Opening hours" not in page
    assert 'name="hours_fr"' not in page

    client.post(reverse("accounts:edit_group", args=[group.public_id]), group_form())
    revision = group.revisions.get(state=Revision.State.PENDING)
    assert revision.data["hours_fr"] == "Le mardi de 19 h à 21 h"
    client.post(reverse("accounts:group_details", args=[group.public_id]), group_form())
    revision = group.revisions.get(state=Revision.State.PENDING)
    assert revision.data["hours_fr"] == "Le mardi de 19 h à 21 h"


def test_labels_do_not_contradict_the_rules(client, organisation):
    page = client.get(new_group_url(organisation)).content.decode()
    assert "Give a name in at least one language." in page
    assert _label(page, "name_fr") == "Name in French"
    assert _label(page, "location_postcode") == "Postcode"
    assert "Needed unless the group meets online only." in page
    assert _label(page, "description_fr") == "Description in French (optional)"


def test_the_description_help_is_an_example_not_syntax(client, organisation):
    page = client.get(new_group_url(organisation)).content.decode()
    assert "What you type" in page and "What people see" in page
    assert "We meet in a **calm room** on the first floor." in page
    assert "We meet in a <strong>calm room</strong> on the first floor." in page
    assert "Markdown" not in page


def test_intervals_in_plain_words(client, organisation):
    page = client.get(new_group_url(organisation)).content.decode()
    for words in ("Every week", "Every 2 weeks", "Every month", "Every 3 months"):
        assert f">{words}</option>" in page
    group = make_group(organisation=organisation)
    make_location(group)
    make_schedule(group, freq="WEEKLY", interval=5, byday="MO")
    page = client.get(reverse("accounts:edit_group", args=[group.public_id])).content.decode()
    assert '<option value="WEEKLY:5" selected>Every 5 weeks</option>' in page


# Item 10: two steps, a draft in between


def test_a_new_group_is_a_draft_until_sent_for_review(client, organisation):
    response = client.post(new_group_url(organisation), group_form())
    group = Group.objects.get(name_nl="Praatgroep Rouw")
    assert response["Location"] == reverse("accounts:group_details", args=[group.public_id])
    assert group.status == Status.DRAFT
    assert not group.revisions.exists()
    assert client.get(group.get_absolute_url()).status_code == 404

    details = client.get(response["Location"]).content.decode()
    assert "Send for review" in details
    for label in ("Who is it for?", "Cost", "Step-free access", "Kind of number", "Website"):
        assert label in details
    assert group.name in details

    url = response["Location"]
    client.post(url, group_form(cost_amount="€5", save_draft="1"))
    group.refresh_from_db()
    assert (group.status, group.cost_amount) == (Status.DRAFT, "€5")
    assert not group.revisions.exists()

    page = client.post(url, group_form(cost_amount="€5"), follow=True).content.decode()
    group.refresh_from_db()
    assert group.status == Status.PENDING
    revision = group.revisions.get()
    assert revision.is_new
    assert revision.data["cost_amount"] == "€5"
    assert revision.data["schedules"][0]["byday"] == "2TU"
    assert "usually reviews a listing within 3 working days" in page


def test_the_first_step_is_short_and_the_details_come_after(client, organisation):
    first = client.get(new_group_url(organisation)).content.decode()
    for essential in ('name="name_fr"', 'name="kind"', 'name="location_postcode"'):
        assert essential in first
    assert 'name="schedule_every"' in first and 'name="cohort"' in first
    for detail in ("audiences", "cost", "step_free", "credential_number", "website"):
        assert f'name="{detail}"' not in first
    assert "Save the draft and continue" in first


@override_settings(REVIEW_DAYS=5)
def test_how_long_review_takes_follows_the_setting(client, organisation):
    group = make_group(organisation=organisation, status=Status.DRAFT)
    url = reverse("accounts:group_details", args=[group.public_id])
    page = client.post(url, {}, follow=True).content.decode()
    assert "usually reviews a listing within 5 working days" in page
    # The workspace says it again beside the group waiting.
    workspace = client.get(reverse("accounts:workspace")).content.decode()
    assert "within 5 working days" in workspace


# Item 11: the preview of a pending listing


@time_machine.travel(datetime(2026, 1, 1, 12, tzinfo=timezone.get_default_timezone()))
def test_the_organiser_previews_the_page_waiting_for_review(client, organisation, organiser):
    group = make_group(organisation=organisation, name_fr="Groupe du mardi")
    make_location(group)
    client.post(
        reverse("accounts:edit_group", args=[group.public_id]),
        group_form(name_fr="Groupe du jeudi", name_nl="", description_nl=""),
    )
    client.post(
        reverse("accounts:group_details", args=[group.public_id]),
        group_form(referral_required="no", step_free="on"),
    )
    response = client.get(reverse("accounts:preview_group", args=[group.public_id]))
    page = response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "Preview — not public yet." in page
    assert "Groupe du jeudi" in page
    assert "No referral needed." in page
    assert "Step-free access" in page
    assert "Every second Tuesday of the month" in page
    assert "13 January 2026" in page  # the next dates, from the proposed schedule
    assert "Veldstraat 1" in page and "Gent" in page
    assert "application/ld+json" not in page
    # Nothing was written: the public still sees the page as it was.
    public = client.get(group.get_absolute_url()).content.decode()
    assert "Groupe du mardi" in public and "Groupe du jeudi" not in public
    workspace = client.get(reverse("accounts:workspace")).content.decode()
    assert reverse("accounts:preview_group", args=[group.public_id]) in workspace


# Item 11: the moderator reads every field


def test_a_new_listing_shows_the_moderator_every_field(client, organisation, organiser):
    group = proposals.create_draft(organisation, {"name_fr": "Groupe du lundi"})
    data = listing.data_of(group) | {"referral_required": False, "step_free": False}
    revision = proposals.submit(group, data, organiser)
    client.force_login(make_moderator())
    page = client.get(reverse("accounts:revision", args=[revision.pk])).content.decode()
    rows = dict(
        (re.sub(r"<[^>]+>|\s+", " ", th).strip(), re.sub(r"<[^>]+>|\s+", " ", td).strip())
        for th, td in re.findall(
            r'<th scope="row">(.*?)</th>.*?<td class="after">(.*?)</td>', page, re.S
        )
    )
    for name in listing.GROUP_FIELDS:
        label = listing.field_label(Group, name)
        assert label[0].upper() + label[1:] in rows, name
    assert rows["Referral required"] == "No"
    assert rows["Step-free access"] == "No"
    assert rows["Name (fr)"] == "Groupe du lundi"


def test_a_change_to_no_referral_reaches_the_moderator(client, organisation, organiser):
    group = make_group(organisation=organisation)
    revision = proposals.submit(
        group, listing.data_of(group) | {"referral_required": False}, organiser
    )
    client.force_login(make_moderator())
    page = client.get(reverse("accounts:revision", args=[revision.pk])).content.decode()
    assert "Referral required" in page
    assert "This version changes nothing" not in page


# Item 11: where each person lands after login


def _log_in(client, email, next_url=None):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"email": email, "password": PASSWORD})


def test_a_moderator_lands_on_the_queue_and_an_organiser_in_the_workspace(client):
    make_moderator()
    make_organiser(email="ana@example.org")
    response = _log_in(client, "moderator@example.org")
    assert response["Location"] == reverse("accounts:moderation")
    client.logout()
    assert _log_in(client, "ana@example.org")["Location"] == reverse("accounts:workspace")


def test_a_safe_next_still_wins_for_a_moderator(client):
    make_moderator()
    audit = reverse("accounts:audit_log")
    assert _log_in(client, "moderator@example.org", audit)["Location"] == audit
    client.logout()
    response = _log_in(client, "moderator@example.org", "https://elsewhere.example/")
    assert response["Location"] == reverse("accounts:moderation")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ["L’essentiel", "Ce que vous écrivez", "Toutes les 2 semaines", "Chaque mois"]),
        ("nl", ["Het belangrijkste", "Wat je typt", "Om de 2 weken", "Elke maand"]),
        ("de", ["Das Wichtigste", "Was Sie eingeben", "Alle 2 Wochen", "Jeden Monat"]),
    ],
)
def test_the_steps_speak_the_page_language(client, organisation, lang, words):
    url = new_group_url(organisation).replace("/en/", f"/{lang}/")
    page = client.get(url).content.decode()
    for word in words:
        assert word in page
    group = make_group(organisation=organisation, status=Status.DRAFT)
    details = reverse("accounts:group_details", args=[group.public_id]).replace("/en/", f"/{lang}/")
    page = client.post(details, {}, follow=True).content.decode()
    assert {"fr": "jours ouvrables", "nl": "werkdagen", "de": "Arbeitstagen"}[lang] in page
    preview = reverse("accounts:preview_group", args=[group.public_id]).replace("/en/", f"/{lang}/")
    page = client.get(preview).content.decode()
    assert {"fr": "Aperçu — pas encore", "nl": "Voorbeeld — nog niet", "de": "Vorschau — noch"}[
        lang
    ] in page
