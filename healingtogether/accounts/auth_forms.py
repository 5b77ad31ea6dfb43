"""Forms for organiser accounts: sign-up, login, password reset, language, invitations.

An organiser's username is their email address, lowercased, so that every address has at most one
account and people log in with the address they know.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from healingtogether.lib import emails
from healingtogether.lib.i18n import current_language

from .models import Membership, Profile, language_of

# Django's username holds the address, and it is at most 150 characters long.
EMAIL_MAX_LENGTH = 150


def email_field(**kwargs) -> forms.EmailField:
    return forms.EmailField(
        label=kwargs.pop("label", _("Email address")),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        **kwargs,
    )


def language_choices() -> list[tuple[str, str]]:
    """Each language named in itself (Nederlands, Français…): the reader picks the one they read."""
    return [
        (code, get_language_info(code)["name_local"].capitalize())
        for code in settings.LANGUAGE_CODES
    ]


def language_field(label, help_text) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, help_text=help_text, choices=language_choices, widget=forms.RadioSelect
    )


def normalise_email(address: str) -> str:
    return address.strip().lower()


def user_with_email(address: str) -> User | None:
    """The account that owns `address`: the one whose username is the address, else the only one
    with that address (accounts made in the admin, such as moderators, have other usernames)."""
    address = normalise_email(address)
    users = list(User.objects.filter(Q(username=address) | Q(email__iexact=address))[:3])
    for user in users:
        if user.username == address:
            return user
    return users[0] if len(users) == 1 else None


def is_waiting_for_verification(user) -> bool:
    """Signed up but never clicked the link in the verification email."""
    if user is None or user.is_active:
        return False
    try:
        return user.profile.email_verified_at is None
    except Profile.DoesNotExist:
        return False


class SignupForm(forms.Form):
    email = email_field(help_text=_("We send a link to this address to check it is yours."))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = language_field(
        _("Language of our emails to you"),
        _("You can change it later on your account page."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = current_language()

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password2:
            # The validators compare the password with the address, so build the user it would be.
            email = cleaned.get("email", "")
            candidate = User(username=email, email=email)
            try:
                password_validation.validate_password(password2, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(forms.Form):
    """Email and password. An account that never verified its address is told so, but only when
    the password is right: a stranger learns nothing about which addresses have accounts."""

    email = email_field()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        self.unverified = False
        super().__init__(*args, **kwargs)

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if not email or not password:
            return cleaned
        owner = user_with_email(email)
        username = owner.username if owner else email
        # authenticate() hashes the password even when no such user exists, so a wrong address
        # takes as long as a wrong password.
        self.user = authenticate(self.request, username=username, password=password)
        if self.user is None:
            if is_waiting_for_verification(owner) and owner.check_password(password):
                self.unverified = True
                raise forms.ValidationError(
                    _("Please verify your email address first: click the link we sent you."),
                    code="unverified",
                )
            raise forms.ValidationError(
                _("This email address and password do not match an account. Please try again."),
                code="invalid_login",
            )
        return cleaned


class EmailForm(forms.Form):
    """Just an address: to send a new verification link."""

    email = email_field()

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


class ResetPasswordForm(PasswordResetForm):
    """Django's reset form, whose email is written from our templates in the user's language.
    save() only writes it, into `outbox`: the view sends it after the response."""

    email = email_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outbox = []

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        user = context["user"]
        language = language_of(user)
        link = emails.localized_url(
            language,
            "accounts:password_reset_confirm",
            uidb64=context["uid"],
            token=context["token"],
        )
        self.outbox.append(
            emails.build(
                "password_reset",
                user.email,
                language,
                {
                    "user": user,
                    "reset_url": link,
                    "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
                },
            )
        )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["language"]
        widgets = {"language": forms.RadioSelect}
        help_texts = {"language": _("The language of the emails we send you.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()


class InvitationForm(forms.Form):
    email = email_field(label=_("Your colleague's email address"))
    language = language_field(
        _("Language of the invitation email"),
        _("Choose the language your colleague reads most easily."),
    )

    def __init__(self, organisation, *args, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = current_language()
        days = settings.EMAIL_LINK_MAX_AGE // 86400
        self.fields["email"].help_text = _(
            "We email them a link to join. It works for %(days)s days."
        ) % {"days": days}

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def already_member(self) -> bool:
        email = self.cleaned_data["email"]
        return Membership.objects.filter(
            Q(user__username=email) | Q(user__email__iexact=email),
            organisation=self.organisation,
        ).exists()
