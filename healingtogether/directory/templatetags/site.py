from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """This page in each of our languages: [{code, name, url, current}]."""
    request = context["request"]
    current = context.get("LANGUAGE_CODE") or settings.LANGUAGE_CODE
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": translate_url(request.get_full_path(), code),
            "current": code == current,
        }
        for code in settings.LANGUAGE_CODES
    ]


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
