"""The one listing writer: whatever changes what a group shows, search follows at once.

No test here rebuilds the index by hand (`index_groups`): each change goes through the path a
person or a command really takes, and the next search must already see it.
"""

import io
import json
import re
import shutil
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from healingtogether.directory import listing
from healingtogether.directory.loading import DATA_DIR
from healingtogether.directory.models import Group, Organisation, Status, Topic
from healingtogether.search.engine import SearchParams, run
from healingtogether.test import make_group, make_moderator, make_organisation

pytestmark = pytest.mark.django_db


def found(q: str) -> set[int]:
    return {g.pk for g in run(SearchParams(q=q)).groups}


class _Form(HTMLParser):
    """The values an admin change form would send back as it stands."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea, self._done = {}, None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self._done or "name" not in a and tag not in ("option",):
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "file", "checkbox"):
            self.data[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.data.setdefault(a["name"], []).append(a.get("value", "on"))
        elif tag == "select":
            self._select = a["name"]
            self.data.setdefault(a["name"], [] if "multiple" in a else "")
        elif tag == "option" and self._select and "selected" in a:
            value = a.get("value", "")
            if isinstance(self.data[self._select], list):
                self.data[self._select].append(value)
            else:
                self.data[self._select] = value
        elif tag == "textarea":
            self._textarea = a["name"]
            self.data[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._done = True

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def admin_form(client, url: str) -> dict:
    page = client.get(url).content.decode()
    start = re.search(r'<form[^>]*id="\w+_form"', page).start()
    form = _Form()
    form.feed(page[start:])
    return form.data


@pytest.fixture
def moderator_client(client):
    client.force_login(make_moderator())
    return client


def test_renaming_an_organisation_in_the_admin_finds_its_groups_by_the_new_name(
    moderator_client,
):
    organisation = make_organisation(name_fr="Entraide Quelconque")
    group = make_group(organisation=organisation)
    assert group.pk not in found("Vergissmeinnicht")
    url = f"/admin/directory/organisation/{organisation.pk}/change/"
    data = admin_form(moderator_client, url) | {"name_de": "Vergissmeinnicht"}
    response = moderator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert group.pk in found("Vergissmeinnicht")


def test_a_new_synonym_of_a_topic_in_the_admin_finds_its_groups_at_once(moderator_client):
    topic = Topic.objects.get(slug="grief")
    group = make_group(topics=[topic])
    assert group.pk not in found("chagrijnverdriet")
    url = f"/admin/directory/topic/{topic.pk}/change/"
    data = admin_form(moderator_client, url)
    data["synonyms_nl"] = f"{data['synonyms_nl']}, chagrijnverdriet"
    response = moderator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert group.pk in found("chagrijnverdriet")


def test_a_child_topic_follows_a_new_synonym_of_its_parent():
    parent = Topic.objects.get(slug="grief")
    child = Topic.objects.filter(parent=parent).first()
    group = make_group(topics=[child])
    parent.synonyms_en += ", heartachewords"
    parent.save()
    assert group.pk in found("heartachewords")


def test_a_group_edited_in_the_admin_is_found_by_its_new_name(moderator_client):
    group = make_group()
    url = f"/admin/directory/group/{group.pk}/change/"
    data = admin_form(moderator_client, url) | {"name_nl": "Praatgroep Zonnebloem"}
    response = moderator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert group.pk in found("zonnebloem")


def test_a_change_that_fails_reaches_neither_the_listing_nor_the_index():
    group = make_group(name_fr="Groupe des Tilleuls")
    with pytest.raises(RuntimeError), listing.changes():
        listing.save(group, {"name_fr": "Groupe des Marronniers"})
        raise RuntimeError("the disk is full")
    group.refresh_from_db()
    assert group.name_fr == "Groupe des Tilleuls"
    assert group.pk in found("tilleuls")
    assert group.pk not in found("marronniers")


def test_a_loader_run_leaves_the_index_right(tmp_path):
    records = json.loads((DATA_DIR / "be-resources.json").read_text(encoding="utf-8"))
    record = next(r for r in records if r["id"] == "tele-onthaal-106")
    record["name"]["nl"] = "Tele-Onthaal Luisterlijn Zeebries"
    (tmp_path / "be-resources.json").write_text(json.dumps(records), encoding="utf-8")
    shutil.copy(DATA_DIR / "be-resources.translations.json", tmp_path)
    group = Group.objects.get(source_key="be-resources:tele-onthaal-106")
    assert group.pk not in found("zeebries")
    call_command(
        "load_resources",
        "--file",
        str(tmp_path / "be-resources.json"),
        "--translations",
        str(tmp_path / "be-resources.translations.json"),
        stdout=io.StringIO(),
    )
    assert group.pk in found("zeebries")


def test_loading_the_same_files_again_announces_nothing():
    announced = []

    def note(sender, group_ids, **kwargs):
        announced.extend(group_ids)

    listing.listing_changed.connect(note)
    try:
        call_command("load_places", stdout=io.StringIO())
        call_command("load_resources", stdout=io.StringIO())
    finally:
        listing.listing_changed.disconnect(note)
    assert announced == []


def test_a_group_cannot_be_published_while_its_organisation_is_not_approved():
    organisation = make_organisation(approved_at=None)
    group = make_group(organisation=organisation, status=Status.PENDING)
    assert listing.set_status(Group.objects.filter(pk=group.pk), Status.PUBLISHED) == 0
    group.refresh_from_db()
    assert group.status == Status.PENDING
    Organisation.objects.filter(pk=organisation.pk).update(approved_at="2026-12-01T10:00Z")
    assert listing.set_status(Group.objects.filter(pk=group.pk), Status.PUBLISHED) == 1


def test_a_field_limit_comes_from_the_model():
    assert (
        listing.limit(Group, "contact_person") == Group._meta.get_field("contact_person").max_length
    )
    assert re.fullmatch(r"\d+", str(listing.limit(Organisation, "source_key")))
