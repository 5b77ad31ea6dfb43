from django.core.cache import caches
from django.utils.functional import SimpleLazyObject

from healingtogether.lib.helplines import HELPLINES
from healingtogether.lib.i18n import current_language

from .models import Group


def helplines_for(language: str) -> list[Group]:
    """The crisis lines for pages in `language`, in the order above; kept for five minutes in
    the process's memory (settings.CACHES["process"])."""
    cache = caches["process"]
    key = f"helplines:{language}"
    found = cache.get(key)
    if found is None:
        slugs = HELPLINES[language]
        by_slug = {g.slug: g for g in Group.objects.listed().helplines().filter(slug__in=slugs)}
        found = [by_slug[s] for s in slugs if s in by_slug]
        cache.set(key, found, 300)
    return found


def helplines(request):
    language = current_language()
    return {"helplines": SimpleLazyObject(lambda: helplines_for(language))}
