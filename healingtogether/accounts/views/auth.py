"""Organiser accounts: sign-up with a verified address, login, logout, passwords, invitations.

Links in emails are signed with a timestamp (Django's TimestampSigner) and expire. They stay
readable after use, so a second click can say "already done" instead of "this link is broken".
Nothing here ever tells a visitor whether an address has an account: sign-up and password reset
answer the same whatever the address, and only the owner of the address hears more, by email.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.forms.forms import NON_FIELD_ERRORS
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes, force_str
from django.utils.http import (
    urlencode,
    urlsafe_base64_decode,
    urlsafe_base64_encode,
)
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from healingtogether.lib import emails
from healingtogether.lib.http import safe_next
from healingtogether.lib.ratelimit import client_key, limited, mark, mark_once, marked

from ..auth_forms import (
    EmailForm,
    InvitationForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
    is_waiting_for_verification,
    user_with_email,
)
from ..models import (
    AuditEntry,
    Invitation,
    Membership,
    Profile,
    is_moderator,
    language_of,
    organisations_of,
)
from ..tokens import Verdict

# (attempts, seconds) before a client or an address has to wait.
LOGIN_FAILURES, LOGIN_WINDOW = 5, 15 * 60
SIGNUPS, SIGNUP_WINDOW = 5, 3600
RESETS, RESET_WINDOW = 5, 3600
INVITATIONS, INVITATION_WINDOW = 20, 3600

VERIFY_SALT = "healingtogether.accounts.verify"
INVITATION_SALT = "healingtogether.accounts.invitation"


# Shared helpers ---------------------------------------------------------------------------------


def too_many_attempts(request, window: int):
    """429 with a calm page in the page's language that says how long to wait."""
    minutes = max(1, window // 60)
    response = render(request, "accounts/rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(window)
    return response


def with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


# Verification of an address ---------------------------------------------------------------------


def _verification_signer():
    return signing.TimestampSigner(salt=VERIFY_SALT)


def _verification_value(user) -> str:
    # Never sent: the link carries only the timestamp and the signature of this value. The
    # password hash is part of it, so a second sign-up with the same address (which sets a new
    # password) or a password change makes older links invalid.
    return f"{user.pk}|{user.email}|{user.password}"


def verification_link(user, language: str, next_url: str = "") -> str:
    value = _verification_value(user)
    token = _verification_signer().sign(value)[len(value) + 1 :]
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    url = emails.localized_url(language, "accounts:verify", uidb64=uidb64, token=token)
    return with_next(url, next_url)


def _user_from_uid(uidb64: str):
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.select_related("profile").filter(pk=pk).first()


def read_verification(uidb64: str, token: str):
    """(Verdict, user) for a verification link: VALID, USED (address already verified), EXPIRED
    or INVALID (forged, mistyped, or replaced by a newer link)."""
    user = _user_from_uid(uidb64)
    if user is None:
        return Verdict.INVALID, None
    value = f"{_verification_value(user)}:{token}"
    try:
        _verification_signer().unsign(value, max_age=settings.PASSWORD_RESET_TIMEOUT)
        state = Verdict.VALID
    except signing.SignatureExpired:
        state = Verdict.EXPIRED
    except signing.BadSignature:
        return Verdict.INVALID, None
    if email_verified(user):
        return Verdict.USED, user
    return state, user


def verification_email(user, language: str, next_url: str = ""):
    return emails.build(
        "verify",
        user.email,
        language,
        {
            "verify_url": verification_link(user, language, next_url),
            "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        },
    )


def send_verification(user, language: str, next_url: str = "") -> None:
    verification_email(user, language, next_url).send()


def decoy_email(name: str, address: str, link_name: str) -> None:
    """Write the email `name` for `address` as if it had an account, with a link that leads
    nowhere, and drop it: the request does the same work whether or not the address is ours."""
    language = get_language()
    link = emails.localized_url(language, link_name, uidb64="MA", token="set-password")
    emails.build(
        name,
        address,
        language,
        {
            "verify_url": link,
            "reset_url": link,
            "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        },
    )


def email_verified(user) -> bool:
    # Checked on the profile, not on is_active: an account our team switched off after it was
    # verified must not come back to life through an old link.
    return Profile.objects.filter(user=user, email_verified_at__isnull=False).exists()


def activate(user) -> bool:
    """The address is the user's: the account can log in from now on. False if somebody
    verified it a moment earlier (two clicks at once)."""
    with transaction.atomic():
        won = Profile.objects.filter(user=user, email_verified_at__isnull=True).update(
            email_verified_at=timezone.now()
        )
        if won:
            User.objects.filter(pk=user.pk).update(is_active=True)
            user.is_active = True
    return bool(won)


# Sign-up ----------------------------------------------------------------------------------------


def register(email: str, password: str, language: str, next_url: str = "") -> None:
    """Create an inactive account and send the verification link, or, if the address is taken,
    tell its owner by email (the page says the same either way)."""
    user = user_with_email(email)
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, email, password, is_active=False)
                Profile.objects.create(user=user, language=language)
        except IntegrityError:  # the same address signed up twice at the same moment
            user = user_with_email(email)
        else:
            send_verification(user, language, next_url)
            return
    if is_waiting_for_verification(user):
        # The latest sign-up wins: its password is the one the verification link unlocks, so a
        # stranger who signed up first with someone else's address cannot keep a way in.
        user.set_password(password)
        user.save(update_fields=["password"])
        Profile.objects.filter(user=user).update(language=language)
        send_verification(user, language, next_url)
        return
    make_password(password)  # as slow as a new account, so timing does not tell them apart
    owner_language = language_of(user)
    emails.send(
        "verify_existing",
        user.email,
        owner_language,
        {
            "login_url": emails.localized_url(owner_language, "accounts:login"),
            "reset_url": emails.localized_url(owner_language, "accounts:password_reset"),
        },
    )


def signup(request):
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            if limited("signup", client_key(request), SIGNUPS, SIGNUP_WINDOW):
                return too_many_attempts(request, SIGNUP_WINDOW)
            data = form.cleaned_data
            register(
                data["email"],
                data["password1"],
                data["language"],
                safe_next(request, data["next"]),
            )
            return render(request, "accounts/signup_done.html", {"email": data["email"]})
    else:
        form = SignupForm(initial={"next": safe_next(request)})
    return render(request, "accounts/signup.html", {"form": form})


def verify(request, uidb64, token):
    """GET shows what the link is worth; POST (a button) verifies and signs in. A button rather
    than the GET itself, so mail scanners that open links cannot use it up, and a page elsewhere
    cannot sign a visitor into somebody else's account."""
    state, user = read_verification(uidb64, token)
    next_url = safe_next(request)
    if state == Verdict.VALID and request.method == "POST":
        if activate(user):
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Thank you: your email address is verified."))
            return redirect(next_url or landing(user))
        state = Verdict.USED
    context = {
        "state": state,
        "next": next_url,
        "login_url": with_next(reverse("accounts:login"), next_url),
        "form": EmailForm(),
    }
    return render(
        request,
        "accounts/verify.html",
        context,
        status=400 if state in (Verdict.EXPIRED, Verdict.INVALID) else 200,
    )


def resend_verification(request):
    """A new verification link for an account still waiting; same answer for any address."""
    if request.method == "POST":
        form = EmailForm(request.POST)
        if form.is_valid():
            if limited("signup", client_key(request), SIGNUPS, SIGNUP_WINDOW):
                return too_many_attempts(request, SIGNUP_WINDOW)
            email = form.cleaned_data["email"]
            user = user_with_email(email)
            outbox = []
            if is_waiting_for_verification(user):
                outbox.append(verification_email(user, language_of(user), safe_next(request)))
            else:
                decoy_email("verify", email, "accounts:verify")
            response = render(request, "accounts/signup_done.html", {"email": email})
            emails.send_after_response(response, outbox)
            return response
    else:
        form = EmailForm()
    return render(request, "accounts/resend_verification.html", {"form": form})


# Login and logout -------------------------------------------------------------------------------


def _account_key(account: str) -> str:
    """One counter per account, whether it is named by its address (our login page) or by its
    username (the admin's); hashed before it becomes part of a cache key, like the client's
    address. An address without an account is counted under its own name."""
    user = user_with_email(account)
    name = f"user:{user.pk}" if user else account.strip().lower()
    return salted_hmac("login-email", name).hexdigest()


def login_blocked(request, account: str) -> bool:
    """Whether this login attempt must wait. A client that failed too often waits. An account
    that too many wrong passwords were tried for, from anywhere, only refuses clients that have
    failed themselves: its owner, on a device that made no mistake, still gets in with the
    right password, so wrong guesses elsewhere cannot lock them out."""
    client = client_key(request)
    if marked("login-client-blocked", client):
        return True
    return marked("login-email-blocked", _account_key(account)) and marked(
        "login-client-failed", client
    )


def count_failed_login(request, account: str) -> None:
    """One more wrong password for this client and this account. The failure that reaches the
    limit blocks the client for a whole window, and puts the account under watch (see
    login_blocked); our moderators hear about it."""
    client = client_key(request)
    mark("login-client-failed", client, LOGIN_WINDOW)
    if limited("login-client", client, LOGIN_FAILURES - 1, LOGIN_WINDOW):
        mark("login-client-blocked", client, LOGIN_WINDOW)
    key = _account_key(account)
    if limited("login-email", key, LOGIN_FAILURES - 1, LOGIN_WINDOW):
        mark("login-email-blocked", key, LOGIN_WINDOW)
        tell_moderators_of_guessing(account)


def moderators():
    perm = Q(user_permissions__codename="moderate") | Q(groups__permissions__codename="moderate")
    return User.objects.filter(Q(is_superuser=True) | perm, is_active=True).distinct()


def tell_moderators_of_guessing(account: str) -> None:
    """Email the moderators that somebody keeps guessing an account's password: at most one
    email per window for the whole site, so an attack on many addresses is not a flood."""
    if not mark_once("told-moderators", "login-guessing", LOGIN_WINDOW):
        return
    user = user_with_email(account)
    named = (user.email or user.get_username()) if user else ""
    for moderator in moderators():
        if not moderator.email:
            continue
        language = language_of(moderator)
        emails.send(
            "login_guessing",
            moderator.email,
            language,
            {
                "account": named,
                "failures": LOGIN_FAILURES,
                "minutes": LOGIN_WINDOW // 60,
            },
        )


def landing(user) -> str:
    """Where a person lands after signing in without a `next`: our team on the moderation
    queue, organisers in their workspace."""
    return "accounts:moderation" if is_moderator(user) else settings.LOGIN_REDIRECT_URL


def login_view(request):
    next_url = safe_next(request)
    if request.method == "POST":
        email = request.POST.get("email", "").strip().lower()
        if login_blocked(request, email):
            return too_many_attempts(request, LOGIN_WINDOW)
        form = LoginForm(request, data=request.POST)
        if form.is_valid():
            login(request, form.user)
            return redirect(next_url or landing(form.user))
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            count_failed_login(request, email)
    else:
        form = LoginForm(request)
    context = {
        "form": form,
        "next": next_url,
        "signup_url": with_next(reverse("accounts:signup"), next_url),
    }
    return render(request, "accounts/login.html", context)


def admin_login(request, extra_context=None):
    """Django's admin login behind the same counters as ours: per client and per account (the
    admin asks for a username, which for organisers is their address)."""
    account = request.POST.get("username", "") if request.method == "POST" else ""
    if request.method == "POST" and login_blocked(request, account):
        return too_many_attempts(request, LOGIN_WINDOW)
    response = admin.site.login(request, extra_context)
    # A refused login shows the form again; a successful one redirects.
    if request.method == "POST" and response.status_code == 200:
        count_failed_login(request, account)
    return response


@require_POST
def logout_view(request):
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


# Passwords --------------------------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetPasswordForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        if limited("password-reset", client_key(self.request), RESETS, RESET_WINDOW):
            return too_many_attempts(self.request, RESET_WINDOW)
        response = super().form_valid(form)  # writes the reset email into form.outbox
        email = form.cleaned_data["email"]
        if not form.outbox:
            decoy_email("password_reset", email, "accounts:password_reset_confirm")
        # Someone who never verified cannot reset yet; what they need is the verification link.
        user = user_with_email(email)
        if is_waiting_for_verification(user):
            form.outbox.append(verification_email(user, language_of(user)))
        else:
            decoy_email("verify", email, "accounts:verify")
        # Whatever was written goes out after the answer: an answer as quick for any address.
        emails.send_after_response(response, form.outbox)
        return response


password_urls = [
    path("account/password/reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "account/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "account/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "account/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "account/password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change_form.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "account/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]


# The account page -------------------------------------------------------------------------------


@login_required
def account(request):
    profile, _created = Profile.objects.get_or_create(
        user=request.user, defaults={"language": language_of(request.user)}
    )
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved: we will write to you in the language you chose."))
        return redirect("accounts:account")
    return render(request, "accounts/account.html", {"form": form})


# Invitations ------------------------------------------------------------------------------------


def _invitation_signer():
    return signing.TimestampSigner(salt=INVITATION_SALT)


def invitation_link(invitation, language: str) -> str:
    token = _invitation_signer().sign(str(invitation.pk))
    return emails.localized_url(language, "accounts:accept_invitation", token=token)


def read_invitation(token: str):
    """(state, invitation): VALID, USED (someone accepted it already), REVOKED (a member revoked
    it, or whoever sent it is no longer a member), EXPIRED or INVALID."""
    try:
        pk = int(_invitation_signer().unsign(token, max_age=settings.EMAIL_LINK_MAX_AGE))
    except signing.SignatureExpired:
        return Verdict.EXPIRED, None
    except (signing.BadSignature, ValueError):
        return Verdict.INVALID, None
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(pk=pk).first()
    )
    if invitation is None:
        return Verdict.INVALID, None
    if invitation.accepted_at:
        return Verdict.USED, invitation
    inviter_is_member = Membership.objects.filter(
        user_id=invitation.invited_by_id, organisation_id=invitation.organisation_id
    ).exists()
    if invitation.revoked_at or not inviter_is_member:
        return Verdict.REVOKED, invitation
    return Verdict.VALID, invitation


def is_invited_account(invitation, user) -> bool:
    """Whether `user` is the one the invitation was sent to: the invitation's address is the
    account's own, and verified. A link forwarded to, or found by, somebody else does nothing."""
    return (
        user.is_authenticated
        and user.email.lower() == invitation.email.lower()
        and email_verified(user)
    )


@login_required
def invite(request, public_id):
    organisation = get_object_or_404(organisations_of(request.user), public_id=public_id)
    if organisation.approved_at is None:  # its name would reach strangers unreviewed
        # Our team has not read this organisation's name yet: it may not reach anyone's inbox.
        return render(
            request, "accounts/invite.html", {"organisation": organisation, "approved": False}
        )
    form = InvitationForm(organisation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if form.already_member():
            messages.info(
                request,
                _("%(email)s is already a member of %(organisation)s.")
                % {"email": email, "organisation": organisation.name},
            )
            return redirect("accounts:workspace")
        if limited("invite", str(request.user.pk), INVITATIONS, INVITATION_WINDOW):
            return too_many_attempts(request, INVITATION_WINDOW)
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, invited_by=request.user
        )
        AuditEntry.record(request.user, AuditEntry.Action.INVITED, organisation, note=email)
        language = form.cleaned_data["language"]
        emails.send(
            "invitation",
            email,
            language,
            {
                "organisation": organisation.name,
                "inviter": request.user.email,
                "accept_url": invitation_link(invitation, language),
                "valid_days": settings.EMAIL_LINK_MAX_AGE // 86400,
            },
        )
        messages.success(
            request,
            _("We sent an invitation to %(email)s. It works for %(days)s days.")
            % {"email": email, "days": settings.EMAIL_LINK_MAX_AGE // 86400},
        )
        return redirect("accounts:workspace")
    context = {"form": form, "organisation": organisation, "approved": True}
    return render(request, "accounts/invite.html", context)


@login_required
@require_POST
def revoke_invitation(request, pk):
    """A member withdraws a pending invitation of one of their organisations; its link stops
    working at once."""
    invitation = get_object_or_404(
        Invitation.objects.pending().filter(organisation__in=organisations_of(request.user)),
        pk=pk,
    )
    with transaction.atomic():
        won = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if won:
            AuditEntry.record(
                request.user,
                AuditEntry.Action.REVOKED,
                invitation.organisation,
                note=invitation.email,
            )
    messages.success(
        request,
        _("The invitation for %(email)s is withdrawn: its link no longer works.")
        % {"email": invitation.email},
    )
    return redirect("accounts:workspace")


def join(invitation, user) -> bool:
    """Make `user` a member through `invitation`, once: of two clicks at the same moment, one
    joins and the other hears the invitation was used."""
    with transaction.atomic():
        won = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(accepted_at=timezone.now())
        if not won:
            return False
        Membership.objects.get_or_create(user=user, organisation=invitation.organisation)
        AuditEntry.record(
            user, AuditEntry.Action.JOINED, invitation.organisation, note=invitation.email
        )
    return True


def accept_invitation(request, token):
    state, invitation = read_invitation(token)
    user = request.user
    is_member = (
        state in (Verdict.VALID, Verdict.USED)
        and user.is_authenticated
        and Membership.objects.filter(user=user, organisation=invitation.organisation).exists()
    )
    wrong_account = (
        state == Verdict.VALID
        and user.is_authenticated
        and not is_member
        and not is_invited_account(invitation, user)
    )
    if state == Verdict.VALID and request.method == "POST" and not is_member:
        if not user.is_authenticated:
            return redirect(with_next(reverse("accounts:login"), request.path))
        # Signed in with another account: nothing changes, the page says whose invitation it is.
        if not wrong_account:
            if join(invitation, user):
                messages.success(
                    request,
                    _("Welcome: you are now a member of %(organisation)s.")
                    % {"organisation": invitation.organisation.name},
                )
                return redirect("accounts:workspace")
            state = Verdict.USED
    context = {
        "state": state,
        "invitation": invitation,
        "is_member": is_member,
        "wrong_account": wrong_account,
        "login_url": with_next(reverse("accounts:login"), request.path),
        "signup_url": with_next(reverse("accounts:signup"), request.path),
    }
    status = 400 if state in (Verdict.EXPIRED, Verdict.INVALID, Verdict.REVOKED) else 200
    if wrong_account and request.method == "POST":
        status = 403
    return render(request, "accounts/invitation.html", context, status=status)


urlpatterns = [
    path("account/", account, name="account"),
    path("account/signup/", signup, name="signup"),
    path("account/verify/resend/", resend_verification, name="resend_verification"),
    path("account/verify/<uidb64>/<token>/", verify, name="verify"),
    path("account/login/", login_view, name="login"),
    path("account/logout/", logout_view, name="logout"),
    *password_urls,
    path("workspace/organisations/<uuid:public_id>/invite/", invite, name="invite"),
    path("invitations/<str:token>/", accept_invitation, name="accept_invitation"),
    path("workspace/invitations/<int:pk>/revoke/", revoke_invitation, name="revoke_invitation"),
]
