"""Emails from templates, in the recipient's language, as plain text with an HTML alternative.

Each email is three templates under templates/emails/: NAME.subject.txt, NAME.txt and NAME.html.
They are rendered with the recipient's language active, so {% translate %} and links built with
`absolute_url` come out in that language.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def localized_url(language: str, viewname: str, *args, **kwargs) -> str:
    """The full address of a page in `language`, for a link in an email."""
    with translation.override(language):
        return absolute_url(reverse(viewname, args=args, kwargs=kwargs))


def build(name: str, to: str, language: str, context: dict | None = None):
    """Render emails/NAME.* in `language` for one address, ready to send."""
    language = language if language in settings.LANGUAGE_CODES else settings.LANGUAGE_CODE
    context = {"site_url": settings.SITE_URL, "language": language, **(context or {})}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{name}.subject.txt", context).split())
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    return message


def send(name: str, to: str, language: str, context: dict | None = None) -> None:
    """Render emails/NAME.* in `language` and send it to one address."""
    build(name, to, language, context).send()


def send_after_response(response, messages) -> None:
    """Send `messages` once `response` has gone to the client (the server closes it then), so
    how long a page takes does not tell whether an email went out, nor for whom."""
    messages = list(messages)
    close = response.close

    def close_then_send():
        close()
        for message in messages:
            try:
                message.send()
            except Exception:  # the page already said "sent": tell the operators, not the visitor
                logger.exception("An email could not be sent after the response")

    response.close = close_then_send
