"""Organiser accounts: sign up, verify the address, log in and out, passwords, rate limits."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, User
from django.core import mail
from django.template.loader import render_to_string
from django.utils import timezone

from healingtogether.accounts.models import Profile
from healingtogether.test import make_moderator, make_organiser, said

pytestmark = pytest.mark.django_db

PASSWORD = "a calm password 4 tests"
NEW_PASSWORD = "another quiet evening 7"


def sign_up(client, email="new@example.org", language="en", page="en", **extra):
    data = {
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "language": language,
        **extra,
    }
    return client.post(f"/{page}/account/signup/", data)


def links_in(message) -> list[str]:
    return re.findall(r"https?://[^\s\"<>]+", message.body)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def verification_path(message) -> str:
    [link] = [link for link in links_in(message) if "/account/verify/" in link]
    return path_of(link)


def log_in(client, email, password=PASSWORD, page="en", next=None, **environ):
    data = {"email": email, "password": password}
    if next:
        data["next"] = next
    return client.post(f"/{page}/account/login/", data, **environ)


# Sign-up and verification -----------------------------------------------------------------------


def test_signing_up_verifying_and_landing_in_the_workspace(client):
    response = sign_up(client, email="Nadia.Peeters@Example.org")
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    user = User.objects.get(username="nadia.peeters@example.org")
    assert not user.is_active
    assert user.profile.email_verified_at is None
    assert log_in(client, "nadia.peeters@example.org").status_code == 200  # not yet

    [message] = mail.outbox
    assert message.to == ["nadia.peeters@example.org"]
    link = verification_path(message)
    page = client.get(link)
    assert page.status_code == 200
    assert "Verify and open my account" in page.content.decode()

    response = client.post(link)
    assert response.status_code == 302
    assert response.url == "/en/workspace/"
    user.refresh_from_db()
    assert user.is_active
    assert user.profile.email_verified_at is not None
    assert client.get("/en/workspace/").status_code == 200


def test_the_verification_email_has_text_and_html_with_the_same_link(client):
    sign_up(client)
    [message] = mail.outbox
    [(html, mime)] = message.alternatives
    assert mime == "text/html"
    link = [link for link in links_in(message) if "/account/verify/" in link][0]
    assert link.replace("&", "&amp;") in html


def test_emails_follow_the_language_of_the_page_signed_up_on(client):
    page = client.get("/nl/account/signup/")
    assert re.search(r'<input[^>]*value="nl"[^>]*checked', page.content.decode())
    sign_up(client, page="nl", language="nl")
    assert verification_path(mail.outbox[0]).startswith("/nl/account/verify/")
    assert User.objects.get().profile.language == "nl"


def test_the_organiser_can_choose_another_language_for_emails(client):
    sign_up(client, page="en", language="de")
    assert verification_path(mail.outbox[0]).startswith("/de/account/verify/")


def test_a_used_link_says_the_address_is_already_verified(client):
    sign_up(client)
    link = verification_path(mail.outbox[0])
    client.post(link)
    client.post("/en/account/logout/")

    again = client.get(link)
    assert again.status_code == 200
    assert "already verified" in again.content.decode()
    assert 'href="/en/account/login/"' in again.content.decode()
    assert client.post(link).status_code == 200  # shows the same page, signs nobody in
    assert "_auth_user_id" not in client.session


def test_a_forged_link_says_so_and_offers_a_new_one(client):
    sign_up(client)
    link = verification_path(mail.outbox[0])
    forged = link[:-3] + ("aaa" if not link.endswith("aaa/") else "bbb") + "/"
    response = client.get(forged)
    assert response.status_code == 400
    content = response.content.decode()
    assert "This link does not work" in content
    assert 'action="/en/account/verify/resend/"' in content
    assert client.post(forged).status_code == 400
    assert not User.objects.get().is_active

    for uid in ("bm9ib2R5", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "%%%"):
        assert client.get(f"/en/account/verify/{uid}/1abc:def/").status_code == 400


def test_an_expired_link_says_so_and_a_new_one_works(client):
    sign_up(client)
    link = verification_path(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        response = client.get(link)
        assert response.status_code == 400
        assert "This link has expired" in response.content.decode()
        assert client.post(link).status_code == 400

        client.post("/en/account/verify/resend/", {"email": "new@example.org"})
        fresh = verification_path(mail.outbox[-1])
        assert client.post(fresh).status_code == 302
    assert User.objects.get().is_active


def test_signing_up_with_a_registered_address_reveals_nothing(client):
    make_organiser(email="known@example.org", language="nl")
    fresh = sign_up(client, email="someone-new@example.org")
    mail.outbox.clear()

    known = sign_up(client, email="Known@example.org")
    assert known.status_code == 200
    assert known.content.decode().replace("known@", "X@") == fresh.content.decode().replace(
        "someone-new@", "X@"
    )
    assert User.objects.filter(email__iexact="known@example.org").count() == 1
    # The owner hears about it, in their language, with no link that opens anything.
    [message] = mail.outbox
    assert message.to == ["known@example.org"]
    assert all("/account/verify/" not in link for link in links_in(message))
    assert any(path_of(link) == "/nl/account/login/" for link in links_in(message))
    assert log_in(client, "known@example.org").status_code == 302


def test_signing_up_again_before_verifying_replaces_the_first_link_and_password(client):
    sign_up(client)
    first = verification_path(mail.outbox[0])
    client.post(
        "/en/account/signup/",
        {
            "email": "new@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "language": "fr",
        },
    )
    second = verification_path(mail.outbox[1])
    assert second.startswith("/fr/")
    assert client.get(first).status_code == 400
    assert client.post(second).status_code == 302
    client.post("/en/account/logout/")
    assert log_in(client, "new@example.org", NEW_PASSWORD).status_code == 302


def test_sign_up_checks_the_passwords_next_to_the_fields(client):
    response = client.post(
        "/en/account/signup/",
        {"email": "not an address", "password1": "1234", "password2": "12345", "language": "en"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in content
    assert 'id="id_email_error"' in content
    assert 'aria-describedby="id_email_helptext id_email_error"' in content
    assert "The two passwords are not the same." in content

    response = client.post(
        "/en/account/signup/",
        {"email": "a@example.org", "password1": "1234", "password2": "1234", "language": "en"},
    )
    assert "This password is too short" in response.content.decode()
    assert not mail.outbox


def test_sign_up_carries_next_through_the_email(client):
    sign_up(client, next="/en/invitations/abc/")
    link = verification_path(mail.outbox[0])
    assert "next=%2Fen%2Finvitations%2Fabc%2F" in link
    assert client.post(link).url == "/en/invitations/abc/"


def test_sign_up_ignores_a_next_on_another_site(client):
    sign_up(client, next="https://evil.example/steal")
    link = verification_path(mail.outbox[0])
    assert "evil" not in link
    assert client.post(link).url == "/en/workspace/"


def test_sign_up_is_limited_to_five_an_hour_per_client(client):
    for n in range(5):
        assert sign_up(client, email=f"person{n}@example.org").status_code == 200
    response = sign_up(client, email="person6@example.org", page="fr")
    assert response.status_code == 429
    assert '<html lang="fr">' in response.content.decode()
    assert not User.objects.filter(username="person6@example.org").exists()
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        assert sign_up(client, email="person6@example.org").status_code == 200


# Login and logout -------------------------------------------------------------------------------


def test_login_by_email_goes_to_the_workspace(client):
    make_organiser(email="ann@example.org")
    response = log_in(client, "ANN@example.org ")
    assert response.status_code == 302
    assert response.url == "/en/workspace/"


def test_a_moderator_logs_in_with_their_email_too(client):
    make_moderator()
    assert log_in(client, "moderator@example.org").status_code == 302


def test_login_honours_next_on_this_site_only(client):
    make_organiser(email="ann@example.org")
    response = log_in(client, "ann@example.org", next="/en/account/")
    assert response.url == "/en/account/"
    client.post("/en/account/logout/")
    response = log_in(client, "ann@example.org", next="https://evil.example/")
    assert response.url == "/en/workspace/"


def test_a_wrong_password_gets_a_plain_message(client):
    make_organiser(email="ann@example.org")
    response = log_in(client, "ann@example.org", "not it")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    unknown = log_in(client, "nobody@example.org", "not it")
    assert "do not match an account" in unknown.content.decode()


def test_an_unverified_account_is_asked_to_verify_and_can_get_a_new_link(client):
    sign_up(client)
    mail.outbox.clear()
    response = log_in(client, "new@example.org")
    content = response.content.decode()
    assert "verify your email address first" in content
    assert 'action="/en/account/verify/resend/"' in content
    assert "_auth_user_id" not in client.session

    client.post("/en/account/verify/resend/", {"email": "new@example.org"})
    assert client.post(verification_path(mail.outbox[0])).status_code == 302


def test_an_unverified_account_with_a_wrong_password_learns_nothing(client):
    sign_up(client)
    content = log_in(client, "new@example.org", "not it").content.decode()
    assert "verify your email" not in content
    assert "do not match an account" in content


def test_login_answers_429_after_five_failures_per_client(client):
    make_organiser(email="ann@example.org")
    for n in range(5):
        assert log_in(client, f"guess{n}@example.org", "wrong").status_code == 200
    blocked = log_in(client, "ann@example.org", page="nl")
    assert blocked.status_code == 429
    assert '<html lang="nl">' in blocked.content.decode()
    assert blocked["Retry-After"] == "900"
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert log_in(client, "ann@example.org").status_code == 302


def test_wrong_passwords_from_anywhere_do_not_lock_the_owner_out(client):
    make_organiser(email="ann@example.org", language="nl")
    moderator = make_moderator()
    for n in range(5):
        response = log_in(client, "ann@example.org", "wrong", REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 200
    # The owner, on a device that made no mistake, gets in with the right password.
    assert log_in(client, "ann@example.org", REMOTE_ADDR="10.0.1.1").status_code == 302
    client.post("/en/account/logout/")
    # A device that already failed for this account waits, even with the right password.
    assert log_in(client, "ann@example.org", REMOTE_ADDR="10.0.0.4").status_code == 429
    # A new device gets one try: after a wrong password it waits too.
    assert log_in(client, "ann@example.org", "wrong", REMOTE_ADDR="10.0.2.1").status_code == 200
    assert log_in(client, "ann@example.org", REMOTE_ADDR="10.0.2.1").status_code == 429
    assert log_in(client, "other@example.org", "x", REMOTE_ADDR="10.0.1.1").status_code == 200

    # Our moderators hear about it, once for the quarter of an hour.
    [message] = mail.outbox
    assert message.to == [moderator.email]
    assert "ann@example.org" in message.body
    assert "ann@example.org" not in message.subject
    assert said("Repeated wrong passwords on Healing Together", "en") == message.subject


def test_logout_is_a_post(client):
    make_organiser(email="ann@example.org")
    log_in(client, "ann@example.org")
    assert client.get("/en/account/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    account = client.get("/en/account/").content.decode()
    assert 'action="/en/account/logout/"' in account
    response = client.post("/en/account/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_account_links_show_a_logout_button_to_signed_in_users_only(rf):
    request = rf.get("/en/")
    request.user = AnonymousUser()
    assert render_to_string("accounts/_account_nav.html", request=request).strip() == ""
    request.user = make_organiser(email="ann@example.org")
    links = render_to_string("accounts/_account_nav.html", request=request)
    assert 'action="/en/account/logout/"' in links
    assert "Log out" in links


# Password reset and change ----------------------------------------------------------------------


def test_password_reset_in_the_users_language(client):
    make_organiser(email="ann@example.org", language="nl")
    response = client.post("/en/account/password/reset/", {"email": "Ann@example.org"})
    assert response.url == "/en/account/password/reset/sent/"
    [message] = mail.outbox
    assert message.to == ["ann@example.org"]
    assert message.alternatives[0][1] == "text/html"
    [link] = [path_of(link) for link in links_in(message) if "/password/reset/" in link]
    assert link.startswith("/nl/account/password/reset/")

    form = client.get(link, follow=True)
    assert said("Choose a new password", "nl") in unescape(form.content.decode())
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.url == "/nl/account/password/reset/done/"
    assert log_in(client, "ann@example.org", NEW_PASSWORD).status_code == 302
    # The link worked once.
    client.post("/en/account/logout/")
    assert said("This link does not work", "nl") in unescape(
        client.get(link, follow=True).content.decode()
    )


def test_password_reset_answers_the_same_for_an_unknown_address(client):
    response = client.post("/en/account/password/reset/", {"email": "nobody@example.org"})
    assert response.url == "/en/account/password/reset/sent/"
    assert not mail.outbox


def test_password_reset_sends_an_unverified_account_its_verification_link(client):
    sign_up(client)
    mail.outbox.clear()
    client.post("/en/account/password/reset/", {"email": "new@example.org"})
    [message] = mail.outbox
    assert client.post(verification_path(message)).status_code == 302


def rendered(response) -> list[str]:
    """The templates a request rendered, pages and emails alike, in order."""
    return [template.name for template in response.templates]


def test_password_reset_does_the_same_work_whatever_the_address(client):
    make_organiser(email="ann@example.org")
    sign_up(client)  # new@example.org, not verified yet
    mail.outbox.clear()
    work = {
        address: rendered(client.post("/en/account/password/reset/", {"email": address}))
        for address in ("ann@example.org", "new@example.org", "nobody@example.org")
    }
    assert "emails/password_reset.txt" in work["nobody@example.org"]
    assert "emails/verify.txt" in work["nobody@example.org"]
    assert work["ann@example.org"] == work["new@example.org"] == work["nobody@example.org"]
    # Only the real emails go out.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "ann@example.org",
        "new@example.org",
    ]


def test_resending_the_verification_does_the_same_work_whatever_the_address(client):
    make_organiser(email="ann@example.org")
    sign_up(client)
    mail.outbox.clear()
    work = {
        address: rendered(client.post("/en/account/verify/resend/", {"email": address}))
        for address in ("ann@example.org", "new@example.org", "nobody@example.org")
    }
    assert "emails/verify.txt" in work["nobody@example.org"]
    assert work["ann@example.org"] == work["new@example.org"] == work["nobody@example.org"]
    [message] = mail.outbox
    assert message.to == ["new@example.org"]
    assert client.post(verification_path(message)).status_code == 302


def test_password_reset_is_limited_to_five_an_hour_per_client(client):
    for n in range(5):
        response = client.post("/en/account/password/reset/", {"email": f"x{n}@example.org"})
        assert response.status_code == 302
    response = client.post("/de/account/password/reset/", {"email": "x@example.org"})
    assert response.status_code == 429
    assert '<html lang="de">' in response.content.decode()


def test_password_change_from_the_account_page(client):
    user = make_organiser(email="ann@example.org")
    client.force_login(user)
    assert 'href="/en/account/password/change/"' in client.get("/en/account/").content.decode()
    response = client.post(
        "/en/account/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.url == "/en/account/password/change/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


# The account page -------------------------------------------------------------------------------


def test_the_account_page_changes_the_language_of_emails(client):
    user = make_organiser(email="ann@example.org", language="fr")
    client.force_login(user)
    page = client.get("/en/account/").content.decode()
    assert "ann@example.org" in page
    response = client.post("/en/account/", {"language": "de"})
    assert response.url == "/en/account/"
    assert Profile.objects.get(user=user).language == "de"

    invalid = client.post("/en/account/", {"language": "xx"})
    assert invalid.status_code == 200
    assert 'id="id_language_error"' in invalid.content.decode()


def test_the_account_page_works_for_a_moderator_without_a_profile(client):
    client.force_login(make_moderator())
    assert client.get("/en/account/").status_code == 200


def test_the_account_page_sends_anonymous_visitors_to_login(client):
    response = client.get("/en/account/")
    assert response.status_code == 302
    assert response.url.startswith("/en/account/login/?next=")


# The admin's login ------------------------------------------------------------------------------


def admin_log_in(client, username, password=PASSWORD, **environ):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, **environ
    )


def test_the_admin_login_still_works(client):
    make_moderator()
    assert client.get("/admin/login/").status_code == 200
    response = admin_log_in(client, "moderator")
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_waits_after_five_wrong_passwords_from_one_client(client):
    make_moderator()
    for n in range(5):
        assert admin_log_in(client, f"guess{n}", "wrong").status_code == 200
    blocked = admin_log_in(client, "moderator")
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session
    assert client.get("/en/moderation/").status_code == 302  # to the login page
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert admin_log_in(client, "moderator").status_code == 302


def test_the_admin_login_counts_wrong_passwords_per_account_with_the_organisers_login(client):
    make_moderator()
    for n in range(3):
        admin_log_in(client, "moderator", "wrong", REMOTE_ADDR=f"10.0.0.{n}")
    for n in range(3, 5):
        log_in(client, "moderator@example.org", "wrong", REMOTE_ADDR=f"10.0.0.{n}")
    # 5 failures for the account: clients that failed wait, on either page.
    assert admin_log_in(client, "moderator", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert admin_log_in(client, "moderator", REMOTE_ADDR="10.0.0.9").status_code == 302
