from html import escape

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language_info

from healingtogether.lib.i18n import path_in_language

register = template.Library()


@register.simple_tag(takes_context=True)
def language_menu(context) -> str:
    """This page in each of our languages, as the items of the language menu. Built here rather
    than in a template, where the loop and its five values a link took 0.07 ms of every page."""
    request = context["request"]
    current = context.get("LANGUAGE_CODE") or settings.LANGUAGE_CODE
    full_path = request.get_full_path()
    items = []
    for code in settings.LANGUAGE_CODES:
        url = escape(_in_language(full_path, code))
        name = escape(capfirst(get_language_info(code)["name_local"]))
        marked = ' aria-current="true"' if code == current else ""
        items.append(f'<li><a href="{url}" lang="{code}" hreflang="{code}"{marked}>{name}</a></li>')
    return mark_safe("\n".join(items))  # noqa: S308 - the addresses and names are escaped


def _in_language(full_path: str, code: str) -> str:
    """This page's address in another language; that language's home page when the address is
    not one of our pages. translate_url gives an address it cannot resolve back unchanged, and
    on a 404 for //evil.example/x, that is a link to another site (a browser reads a leading
    "//" or "/\\" as the start of a host name)."""
    if not full_path.startswith("/") or full_path[1:2] in ("/", "\\"):
        return _home(code)
    path, mark, query = full_path.partition("?")
    translated = path_in_language(path, code)
    if translated is None:
        return _home(code)
    return translated + mark + query


def _home(code: str) -> str:
    with translation.override(code):
        return reverse("directory:home")


@register.filter
def tel(number: str) -> str:
    """A phone number as a tel: link target: '0800 32 123' -> '080032123'."""
    return "".join(c for c in number if c.isdigit() or c == "+")


@register.filter
def language_name(code: str) -> str:
    """The name of one of our content languages, in the page's language."""
    from django.utils.translation import gettext

    return gettext(get_language_info(code)["name"]) if code else ""


@register.filter
def get_item(mapping, key):
    """mapping[key], or None: for dicts keyed by something a template cannot spell."""
    return mapping.get(key) if mapping else None
