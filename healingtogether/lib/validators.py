"""Checks for what organisers type into forms: phone numbers, websites, credential numbers.

Each function either returns the value in the one form we store, or raises ValidationError with a
message a person can act on. Forms call them from `clean_<field>`.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

# A number typed without a country code is read as Belgian.
PHONE_REGION = "BE"

# Spaces, dots, dashes and slashes people put between groups of digits.
SEPARATORS = re.compile(r"[\s./-]+")


def normalise_phone(value: str) -> str:
    """A phone number in the international format ("+32 2 512 34 56"); "" stays "".

    The phonenumbers library knows which numbers can exist in each country, so a typo such as a
    missing digit is caught here rather than by a seeker who calls a wrong number.
    """
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_short_number(number):
        # Helplines such as 107 or 1813 are dialled as they are.
        return phonenumbers.national_significant_number(number)
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "This doesn't look like a phone number. Write it as 02 512 34 56 "
                "or +32 2 512 34 56."
            ),
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_web_url = URLValidator(
    schemes=["http", "https"],
    message=_("Enter a website address that starts with https:// or http://."),
)


def validate_web_url(value: str) -> None:
    """Only http(s) addresses: a listing's link must never run a script or open another app."""
    if value:
        _web_url(value)


def normalise_inami(value: str) -> str:
    """An INAMI/RIZIV number as its 11 digits ("1-23456-78-901" -> "12345678901").

    We check the shape only (11 digits, with any spaces, dots, dashes or slashes between them);
    our team checks the number itself against the official register before marking it checked.
    """
    digits = SEPARATORS.sub("", value or "")
    if not re.fullmatch(r"\d{11}", digits):
        raise ValidationError(
            _("An INAMI/RIZIV number has 11 digits, for example 1-23456-78-901."),
            code="invalid_inami",
        )
    return digits


def normalise_visa(value: str) -> str:
    """A Belgian health-professional visa number as its digits ("123 4567" -> "1234567").

    Visa numbers have no fixed length we can rely on, so we check that they are made of digits
    only (spaces, dots, dashes and slashes between them are allowed).
    """
    digits = SEPARATORS.sub("", value or "")
    if not re.fullmatch(r"\d{1,20}", digits):
        raise ValidationError(
            _("A visa number is made of digits only."),
            code="invalid_visa",
        )
    return digits
