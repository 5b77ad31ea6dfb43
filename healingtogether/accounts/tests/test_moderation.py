"""The moderation pages: the queue, reviewing a revision, credentials, reports and the audit log.

Each test acts as a person would, through the real pages, and checks what they would notice: what
the page says, what the public sees afterwards, which emails arrive and what the log records.
"""

import re
import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.db import connections
from django.test import Client
from django.utils import timezone

from healingtogether.accounts import proposals
from healingtogether.accounts.models import AuditEntry, Membership, Report, Revision
from healingtogether.directory import listing
from healingtogether.directory.models import Group, Status, Topic
from healingtogether.test import (
    make_group,
    make_moderator,
    make_organisation,
    make_organiser,
    make_stranger,
)

pytestmark = pytest.mark.django_db

QUEUE = "/en/moderation/"


def make_team_member(username="colleague") -> User:
    """A moderator through the permission alone, as our team's accounts are (not superusers)."""
    user = User.objects.create_user(username, f"{username}@example.org", "a calm password 4 tests")
    user.user_permissions.add(Permission.objects.get(codename="moderate"))
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def moderator():
    return make_moderator()


@pytest.fixture
def team(moderator) -> Client:
    return signed_in(moderator)


def proposal(**fields) -> dict:
    """What an organiser sends for a new group: a grief group meeting in Namur."""
    return {
        "name_fr": "Groupe deuil Namur",
        "description_fr": "Un groupe **entre pairs**.\n<script>alert('x')</script>",
        "kind": Group.Kind.SUPPORT_GROUP,
        "facilitation": Group.Facilitation.PROFESSIONAL,
        "format": Group.Format.IN_PERSON,
        "topics": ["grief"],
        "credential_kind": Group.Credential.INAMI,
        "credential_number": "1-23456-78-901",
        "locations": [{"postcode": "5000", "address": "Rue de Fer 1"}],
        "schedules": [
            {
                "freq": "WEEKLY",
                "interval": 1,
                "byday": "TU",
                "dtstart": "2026-01-06",
                "opens_at": "19:00",
                "closes_at": "21:00",
            }
        ],
        **fields,
    }


def new_listing(organiser, **fields) -> Group:
    organisation = organiser.memberships.get().organisation
    return proposals.create_group(organisation, proposal(**fields), organiser)


def pending_revision(group) -> Revision:
    return group.revisions.get(state=Revision.State.PENDING)


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# The queue -----------------------------------------------------------------------------------


def test_the_queue_shows_each_kind_of_item(team):
    organiser = make_organiser(language="fr")
    new = new_listing(organiser, name_fr="Groupe tout neuf")
    published = make_group(name_fr="Groupe du mardi")
    Membership.objects.create(user=organiser, organisation=published.organisation)
    proposals.submit(
        published, listing.data_of(published) | {"name_fr": "Groupe du jeudi"}, organiser
    )
    reported = make_group(name_fr="Groupe signalé")
    Report.objects.create(group=reported, message="Le numéro ne répond plus.", language="fr")
    stale = make_group(name_fr="Groupe oublié", confirmed_at=timezone.now() - timedelta(days=200))

    html = page(team, QUEUE)

    assert "Groupe tout neuf" in html and "Groupe du mardi" in html
    assert html.count('class="badge badge-new"') == 1
    assert "Report about Groupe signalé" in html
    assert "Le numéro ne répond plus." in html
    assert "1-23456-78-901" in html  # the new group's credential waits for a check
    assert "Groupe oublié" in html and "200 days ago" in html
    assert "2 listings and changes to review" in html
    assert "1 report from visitors" in html
    assert "1 credential to check" in html
    assert "1 listing that may be out of date" in html
    assert f'href="{stale.get_absolute_url()}"' in html
    assert f'href="/en/moderation/revisions/{pending_revision(new).pk}/"' in html


def test_the_queue_leaves_out_what_is_done(team, moderator):
    checked = make_group(
        name_fr="Groupe vérifié", credential_number="123", credential_checked_at=timezone.now()
    )
    make_group(name_fr="Groupe archivé", credential_number="456", status=Status.ARCHIVED)
    make_group(name_fr="Groupe frais", confirmed_at=timezone.now() - timedelta(days=20))
    Report.objects.create(
        group=checked, message="Déjà réglé", resolved_at=timezone.now(), resolved_by=moderator
    )

    html = page(team, QUEUE)

    for done in ("Groupe vérifié", "Groupe archivé", "Groupe frais", "Déjà réglé"):
        assert done not in html
    assert "Nothing waits for review." in html
    assert "No open reports." in html


def test_the_queue_shows_the_oldest_items_first_and_says_when_it_shows_only_some(team):
    now = timezone.now()
    for n in range(27):
        make_group(name_fr=f"Vieux groupe {n:02}", confirmed_at=now - timedelta(days=400 + n))
    html = page(team, QUEUE)
    assert "27 listings that may be out of date" in html
    assert "Showing the oldest 25." in html
    assert html.index("Vieux groupe 26") < html.index("Vieux groupe 25")
    assert "Vieux groupe 01" not in html


# Reviewing a revision ------------------------------------------------------------------------


def test_an_edit_is_shown_field_by_field_beside_what_the_public_sees(team):
    grief, anxiety = Topic.objects.get(slug="grief"), Topic.objects.get(slug="anxiety")
    group = make_group(name_fr="Groupe du mardi", topics=[grief])
    organiser = make_organiser(organisation=group.organisation)
    data = listing.data_of(group) | {
        "name_fr": "Groupe du jeudi",
        "topics": ["anxiety", "grief"],
        "description_fr": "Nouveau <b>texte</b>",
    }
    revision = proposals.submit(group, data, organiser)

    html = page(team, f"/fr/moderation/revisions/{revision.pk}/")

    assert '<th scope="col">' in html and '<th scope="row">' in html
    assert "Groupe du mardi" in html and "Groupe du jeudi" in html
    assert grief.label_fr in html and anxiety.label_fr in html  # labels, not slugs
    assert "anxiety" not in html
    assert "Nouveau &lt;b&gt;texte&lt;/b&gt;" in html  # shown as text, never as HTML
    assert "<b>texte</b>" not in html
    assert 'lang="fr"' in html
    # Fields that do not change are not listed.
    assert html.count("<tr>") == 1 + 3


def test_a_new_listing_is_shown_whole_with_places_and_times_readable(team):
    group = new_listing(make_organiser())
    revision = pending_revision(group)

    html = page(team, f"/en/moderation/revisions/{revision.pk}/")

    assert "New listing" in html
    assert "Public now" not in html
    assert "Rue de Fer 1, 5000 Namur" in html
    assert "Every week on Tuesday, 19:00–21:00, from 6 January 2026" in html
    assert "Led by a professional" in html  # a choice's label, not its code
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "organiser@example.org" in html
    assert 'value="approve"' in html and 'value="reject"' in html


def test_a_schedule_that_cannot_be_read_is_shown_as_it_was_sent(team):
    group = make_group()
    organiser = make_organiser(organisation=group.organisation)
    broken = [{"freq": "WEEKLY", "byday": "TU", "dtstart": "2026-01-06", "note": "après 19h"}]
    revision = proposals.submit(group, listing.data_of(group) | {"schedules": broken}, organiser)

    html = page(team, f"/en/moderation/revisions/{revision.pk}/")

    assert "freq: WEEKLY, byday: TU, dtstart: 2026-01-06 — après 19h" in html


def test_points_to_check_are_shown_in_the_queue_and_on_the_revision(team):
    group = new_listing(make_organiser())
    revision = pending_revision(group)
    revision.flags = ["Une adresse <hors> de Belgique a été laissée de côté."]
    revision.save()

    assert "1 point to check" in page(team, QUEUE)
    html = page(team, f"/en/moderation/revisions/{revision.pk}/")
    assert "Points to check" in html
    assert "Une adresse &lt;hors&gt; de Belgique" in html


def test_approving_publishes_and_emails_the_author_in_their_language(
    team, moderator, client, django_capture_on_commit_callbacks
):
    organiser = make_organiser(language="nl")
    group = new_listing(organiser)
    revision = pending_revision(group)
    assert client.get(f"/en/groups/{group.slug}/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = team.post(
            f"/en/moderation/revisions/{revision.pk}/",
            {"decision": "approve", "note": "Welkom!"},
            follow=True,
        )

    assert response.redirect_chain[-1][0] == QUEUE
    assert "is approved and public" in response.content.decode()
    assert client.get(f"/en/groups/{group.slug}/").status_code == 200
    [email] = mail.outbox
    assert email.to == [organiser.email]
    assert "Welkom!" in email.body
    assert "/nl/workspace/" in email.body  # links in the organiser's own language
    assert f"/nl/groups/{group.slug}/" in email.body
    assert email.alternatives[0][1] == "text/html"
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.APPROVED, revision=revision, actor=moderator
    ).exists()


def test_a_rejection_needs_a_note(team):
    group = new_listing(make_organiser())
    revision = pending_revision(group)

    response = team.post(f"/en/moderation/revisions/{revision.pk}/", {"decision": "reject"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert html.count("Say what needs to change before you reject") == 2  # summary and field
    assert 'aria-describedby="id_note_helptext id_note_error"' in html
    assert 'aria-invalid="true"' in html
    revision.refresh_from_db()
    assert revision.state == Revision.State.PENDING
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REJECTED).exists()


def test_a_rejection_emails_the_note_and_the_group_stays_hidden(
    team, client, django_capture_on_commit_callbacks
):
    organiser = make_organiser(language="fr")
    group = new_listing(organiser, name_fr="Parents & enfants")
    revision = pending_revision(group)

    with django_capture_on_commit_callbacks(execute=True):
        team.post(
            f"/en/moderation/revisions/{revision.pk}/",
            {"decision": "reject", "note": "Ajoutez l'adresse complète, s'il vous plaît."},
        )

    group.refresh_from_db()
    assert group.status == Status.DRAFT
    assert client.get(f"/fr/groups/{group.slug}/").status_code == 404
    [email] = mail.outbox
    assert "Ajoutez l'adresse complète" in email.body
    assert "Parents & enfants" in email.body  # not "&amp;"
    assert "/fr/workspace/" in email.body


def test_two_moderators_deciding_one_after_the_other_make_one_decision(
    moderator, django_capture_on_commit_callbacks
):
    group = new_listing(make_organiser())
    revision = pending_revision(group)
    url = f"/en/moderation/revisions/{revision.pk}/"
    first, second = signed_in(moderator), signed_in(make_team_member())
    page(first, url)
    page(second, url)  # both opened the page before anyone decided

    with django_capture_on_commit_callbacks(execute=True):
        first.post(url, {"decision": "approve"})
        response = second.post(url, {"decision": "reject", "note": "Non."}, follow=True)

    assert "Another moderator already decided" in response.content.decode()
    assert "Approved by moderator@example.org" in response.content.decode()
    revision.refresh_from_db()
    assert revision.state == Revision.State.APPROVED
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(revision=revision).exclude(action="submitted").count() == 1


def test_a_decided_revision_shows_who_decided_and_offers_no_buttons(team, moderator):
    group = new_listing(make_organiser())
    revision = pending_revision(group)
    revision.decide(moderator, approve=False, note="Il manque l'horaire.")

    html = page(team, f"/en/moderation/revisions/{revision.pk}/")

    assert "Rejected by moderator@example.org on" in html
    assert "Il manque l&#x27;horaire." in html
    assert 'value="approve"' not in html and 'value="reject"' not in html


def test_a_replaced_version_points_to_the_newer_one(team):
    group = make_group()
    organiser = make_organiser(organisation=group.organisation)
    older = proposals.submit(group, listing.data_of(group) | {"name_fr": "Un"}, organiser)
    newer = proposals.submit(group, listing.data_of(group) | {"name_fr": "Deux"}, organiser)

    response = team.post(f"/en/moderation/revisions/{older.pk}/", {"decision": "approve"})
    html = page(team, response.url)

    assert "sent a newer version" in html
    assert f'href="/en/moderation/revisions/{newer.pk}/"' in html
    group.refresh_from_db()
    assert group.name_fr != "Un"


def test_an_organisation_change_is_reviewed_like_a_group(team):
    organisation = make_organisation(name_fr="Ancienne asbl")
    make_group(organisation=organisation)  # published, so the change waits for review
    organiser = make_organiser(organisation=organisation)
    data = listing.data_of(organisation) | {"name_fr": "Nouvelle asbl", "kind": "platform"}
    revision = proposals.submit(organisation, data, organiser)

    html = page(team, f"/en/moderation/revisions/{revision.pk}/")
    assert "Ancienne asbl" in html and "Nouvelle asbl" in html
    assert "Platform" in html

    team.post(f"/en/moderation/revisions/{revision.pk}/", {"decision": "approve"})
    organisation.refresh_from_db()
    assert organisation.name_fr == "Nouvelle asbl"


@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_at_the_same_moment_make_one_decision():
    moderators = [make_moderator(), make_team_member()]
    group = new_listing(make_organiser())
    revision = pending_revision(group)
    url = f"/en/moderation/revisions/{revision.pk}/"
    clients = [signed_in(m) for m in moderators]
    for c in clients:
        page(c, url)
    barrier = threading.Barrier(len(clients))
    statuses = []

    def decide(c, decision):
        try:
            barrier.wait(timeout=10)
            statuses.append(c.post(url, {"decision": decision, "note": "Non."}).status_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(c, d))
        for c, d in zip(clients, ["approve", "reject"], strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert statuses == [302, 302]
    revision.refresh_from_db()
    assert revision.state in (Revision.State.APPROVED, Revision.State.REJECTED)
    assert len(mail.outbox) == 1
    decisions = AuditEntry.objects.filter(revision=revision).exclude(action="submitted")
    assert decisions.count() == 1
    assert decisions.get().action == revision.state


# Credentials ---------------------------------------------------------------------------------


def test_checking_a_credential_is_recorded_once(team, moderator):
    group = make_group(credential_kind="visa", credential_number="98765")
    url = f"/en/moderation/groups/{group.public_id}/credential/"

    response = team.post(url, {"next": QUEUE}, follow=True)

    assert response.redirect_chain[-1][0] == QUEUE
    assert "98765" not in response.content.decode()  # gone from the queue
    group.refresh_from_db()
    assert group.credential_checked_at is not None
    team.post(url)
    assert (
        AuditEntry.objects.filter(
            action=AuditEntry.Action.CREDENTIAL_CHECKED, group=group, actor=moderator
        ).count()
        == 1
    )


def test_the_group_page_says_when_our_team_checked_the_credential(team, client):
    group = make_group(credential_kind="inami", credential_number="1-23456-78-901")
    team.post(f"/en/moderation/groups/{group.public_id}/credential/")
    group.refresh_from_db()
    html = page(client, f"/en/groups/{group.slug}/")
    checked = timezone.localtime(group.credential_checked_at)
    assert f"Credentials checked by our team on {checked:%-d %B %Y}" in html


def test_the_credential_check_is_offered_on_the_revision_page(team):
    group = new_listing(make_organiser())
    html = page(team, f"/en/moderation/revisions/{pending_revision(group).pk}/")
    assert f'action="/en/moderation/groups/{group.public_id}/credential/"' in html
    assert "not checked yet" in html


def test_a_group_without_a_credential_number_cannot_be_checked(team):
    group = make_group()
    response = team.post(f"/en/moderation/groups/{group.public_id}/credential/")
    assert response.status_code == 404


# Reports and confirming ----------------------------------------------------------------------


def test_a_report_shows_the_message_as_text_and_links_to_the_listing(team):
    group = make_group(name_fr="Groupe signalé")
    organiser = make_organiser(organisation=group.organisation)
    revision = proposals.submit(group, listing.data_of(group) | {"name_fr": "Corrigé"}, organiser)
    report = Report.objects.create(
        group=group, message="<img src=x onerror=alert(1)> faux numéro", language="fr"
    )

    html = page(team, f"/en/moderation/reports/{report.pk}/")

    assert "&lt;img src=x onerror=alert(1)&gt; faux numéro" in html
    assert "<img src=x" not in html
    assert f'href="{group.get_absolute_url()}"' in html
    assert f'href="/en/moderation/revisions/{revision.pk}/"' in html


def test_resolving_a_report_closes_it_once_and_logs_the_note(team, moderator):
    group = make_group()
    report = Report.objects.create(group=group, message="Plus de séances en été")
    url = f"/en/moderation/reports/{report.pk}/"

    response = team.post(url, {"note": "Appelé l'organisatrice."}, follow=True)

    assert "Plus de séances en été" not in response.content.decode()  # gone from the queue
    report.refresh_from_db()
    assert report.resolved_by == moderator and report.resolved_at is not None
    response = team.post(url, {"note": "Encore"}, follow=True)
    assert "Another moderator already resolved this report." in response.content.decode()
    [entry] = AuditEntry.objects.filter(action=AuditEntry.Action.REPORT_RESOLVED)
    assert (entry.report, entry.group, entry.note) == (report, group, "Appelé l'organisatrice.")
    assert "Resolved by moderator@example.org" in page(team, url)


def test_a_moderator_confirms_a_stale_listing_from_the_queue(team, moderator, client):
    group = make_group(name_fr="Groupe oublié", confirmed_at=timezone.now() - timedelta(days=400))

    response = team.post(
        f"/en/moderation/groups/{group.public_id}/confirm/", {"next": QUEUE}, follow=True
    )

    assert "Groupe oublié" in response.content.decode()  # in the message…
    assert "Groupe oublié</a>" not in response.content.decode()  # …not in the stale list
    group.refresh_from_db()
    assert not group.is_stale
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.CONFIRMED, group=group, actor=moderator
    ).exists()


def test_confirming_from_a_report_goes_back_to_the_report(team):
    group = make_group(confirmed_at=None)
    report = Report.objects.create(group=group, message="Toujours actif ?")
    report_url = f"/en/moderation/reports/{report.pk}/"
    assert f'action="/en/moderation/groups/{group.public_id}/confirm/"' in page(team, report_url)

    response = team.post(f"/en/moderation/groups/{group.public_id}/confirm/", {"next": report_url})

    assert response.url == report_url
    group.refresh_from_db()
    assert group.confirmed_at is not None


def test_an_address_elsewhere_is_never_followed_after_an_action(team):
    group = make_group()
    response = team.post(
        f"/en/moderation/groups/{group.public_id}/confirm/", {"next": "https://evil.example/"}
    )
    assert response.url == QUEUE


# The audit log -------------------------------------------------------------------------------


def test_the_audit_log_says_who_did_what_newest_first(team, moderator):
    group = make_group(name_fr="Groupe confirmé")
    proposals.confirm(group, None, note="Lien reçu par email")
    AuditEntry.record(moderator, AuditEntry.Action.CREDENTIAL_CHECKED, group, note="Visa vu")

    html = page(team, "/en/moderation/log/")

    assert "the organiser, through an emailed link" in html
    assert "moderator@example.org" in html
    assert "checked the credential of" in html and "confirmed the details of" in html
    assert html.index("Visa vu") < html.index("Lien reçu par email")


def test_the_audit_log_shows_fifty_lines_a_page(team, moderator):
    group = make_group()
    for n in range(51):
        AuditEntry.record(moderator, AuditEntry.Action.CONFIRMED, group, note=f"ligne {n}")

    first, second = page(team, "/en/moderation/log/"), page(team, "/en/moderation/log/?page=2")

    assert "ligne 50" in first and "ligne 1<" in first and "ligne 0<" not in first
    assert "ligne 0<" in second and "Page 2 of 2" in second
    assert len(re.findall(r"ligne \d+<", page(team, "/en/moderation/log/?page=oops"))) == 50


# Who may see what ----------------------------------------------------------------------------


def moderation_urls() -> list[tuple[str, str]]:
    group = make_group(credential_number="555")
    report = Report.objects.create(group=group, message="?")
    revision = new_listing(make_organiser(email="author@example.org"))
    revision = pending_revision(revision)
    return [
        ("get", QUEUE),
        ("get", f"/en/moderation/revisions/{revision.pk}/"),
        ("post", f"/en/moderation/revisions/{revision.pk}/"),
        ("get", f"/en/moderation/reports/{report.pk}/"),
        ("post", f"/en/moderation/reports/{report.pk}/"),
        ("post", f"/en/moderation/groups/{group.public_id}/credential/"),
        ("post", f"/en/moderation/groups/{group.public_id}/confirm/"),
        ("get", "/en/moderation/log/"),
        ("get", "/en/moderation/dashboard/"),
    ]


def test_an_anonymous_visitor_is_sent_to_login(client):
    for method, url in moderation_urls():
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/en/account/login/?next="), url


@pytest.mark.parametrize("persona", ["stranger", "organiser"])
def test_anyone_outside_our_team_gets_a_plain_not_found(persona):
    user = make_stranger() if persona == "stranger" else make_organiser()
    client = signed_in(user)
    urls = moderation_urls()
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url
    assert Revision.objects.filter(state=Revision.State.PENDING).count() == 1
    assert not AuditEntry.objects.exclude(action="submitted").exists()


def test_a_moderator_sees_every_page_and_unknown_objects_are_not_found(team):
    for method, url in moderation_urls():
        if method == "get":
            assert team.get(url).status_code == 200, url
    assert team.get("/en/moderation/revisions/999999/").status_code == 404
    assert team.get("/en/moderation/reports/999999/").status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert team.post(f"/en/moderation/groups/{missing}/confirm/").status_code == 404
    group = make_group(credential_number="1")
    assert team.get(f"/en/moderation/groups/{group.public_id}/credential/").status_code == 405


# The admin -----------------------------------------------------------------------------------


def test_the_admin_shows_moderation_records_without_letting_anyone_change_them(team):
    group = new_listing(make_organiser())
    revision = pending_revision(group)
    report = Report.objects.create(group=group, message="Adresse fausse")

    for model in ("profile", "membership", "invitation", "revision", "report", "auditentry"):
        assert team.get(f"/admin/accounts/{model}/").status_code == 200, model
    html = page(team, f"/admin/accounts/revision/{revision.pk}/change/")
    assert f'href="/en/moderation/revisions/{revision.pk}/"' in html
    assert "1-23456-78-901" in html  # the proposed data, readable
    assert f'href="/en/moderation/reports/{report.pk}/"' in page(
        team, f"/admin/accounts/report/{report.pk}/change/"
    )
    for model in ("revision", "report", "auditentry"):
        assert team.get(f"/admin/accounts/{model}/add/").status_code == 403, model
    response = team.post(f"/admin/accounts/revision/{revision.pk}/change/", {"state": "approved"})
    assert response.status_code == 403
    revision.refresh_from_db()
    assert revision.state == Revision.State.PENDING


# Sources to check: listings our team compiled from public pages ------------------------------


@pytest.fixture
def no_other_compiled_listings():
    """The real data may hold compiled listings too: these tests look at their own only."""
    listing.update(Group.objects.filter(checked_on__isnull=False), checked_on=None)


def compiled_group(**fields) -> Group:
    defaults = {
        "name_fr": "Groupe compilé",
        "checked_on": timezone.localdate(),
        "confirmed_at": None,
        "confidence": "medium",
        "sources": ["https://example.org/agenda"],
        "evidence": ["Réunion <script>alert('quote')</script> chaque mardi"],
    }
    return make_group(**{**defaults, **fields})


def test_sources_to_check_shows_each_source_as_a_link_and_each_quote_as_text(
    team, no_other_compiled_listings
):
    compiled_group(name_fr="Groupe deuil Liège", status=Status.PENDING, confidence="low")
    make_group(name_fr="Groupe inscrit par son organisateur")

    html = page(team, QUEUE)

    section = html[html.index('id="sources-title"') : html.index('id="reports-title"')]
    assert "Groupe deuil Liège" in section
    assert "Groupe inscrit par son organisateur" not in section
    assert '<a href="https://example.org/agenda" rel="noreferrer noopener">' in section
    assert "&lt;script&gt;alert(&#x27;quote&#x27;)&lt;/script&gt;" in section
    assert "<script>alert" not in html
    assert "Confidence: Low" in section
    assert "Waiting for review" in section
    assert "1 compiled listing whose sources to check" in html


def test_marking_the_sources_as_checked_confirms_the_listing_and_logs_it(
    team, moderator, no_other_compiled_listings
):
    group = compiled_group(name_fr="Groupe deuil Namur")

    response = team.post(
        f"/en/moderation/groups/{group.public_id}/sources-checked/", {"next": QUEUE}, follow=True
    )

    html = response.content.decode()
    assert "are marked as checked" in html
    section = html[html.index('id="sources-title"') : html.index('id="reports-title"')]
    assert "Groupe deuil Namur" not in section
    group.refresh_from_db()
    assert group.confirmed_at is not None
    assert not group.is_compiled
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CONFIRMED, group=group)
    assert entry.actor == moderator
    assert entry.note == "The sources were checked by a moderator."


def test_a_pending_compiled_listing_is_published_from_the_queue(
    team, moderator, client, no_other_compiled_listings
):
    group = compiled_group(name_fr="Café Alzheimer Mons", status=Status.PENDING)
    assert client.get(f"/en/groups/{group.slug}/").status_code == 404
    team.post(f"/en/moderation/groups/{group.public_id}/sources-checked/")
    # Checked but still waiting: it stays in the section, with only the button to publish it.
    section = page(team, QUEUE).split('id="sources-title"')[1].split('id="reports-title"')[0]
    assert "Café Alzheimer Mons" in section and "Mark the sources as checked" not in section

    response = team.post(f"/en/moderation/groups/{group.public_id}/publish/", follow=True)

    assert "“Café Alzheimer Mons” is published." in response.content.decode()
    assert client.get(f"/en/groups/{group.slug}/").status_code == 200
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.APPROVED, group=group, actor=moderator
    ).exists()


def test_a_compiled_listing_of_an_unapproved_organisation_is_not_published(team, client):
    group = compiled_group(organisation=make_organisation(approved_at=None), status=Status.PENDING)

    response = team.post(f"/en/moderation/groups/{group.public_id}/publish/", follow=True)

    assert "cannot be published yet" in response.content.decode()
    group.refresh_from_db()
    assert group.status == Status.PENDING
    assert client.get(f"/en/groups/{group.slug}/").status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.APPROVED).exists()


def test_only_compiled_listings_have_sources_to_check(team):
    own = make_group(confirmed_at=None)
    for action in ("sources-checked", "publish"):
        assert team.post(f"/en/moderation/groups/{own.public_id}/{action}/").status_code == 404
    own.refresh_from_db()
    assert own.confirmed_at is None
