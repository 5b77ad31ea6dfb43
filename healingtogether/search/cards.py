"""Result cards as HTML, rendered once and reused: a search page shows twenty cards or more,
and the same groups come back on search after search.

A card is kept under its group, the group's last change (`Summary.stamp`), the language, and
what varies with the search or the clock (the distance, "may be out of date"); a change to the
group gives it a new key, so nothing stale is ever shown. The cache is per process and bounded.
"""

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from healingtogether.lib.i18n import current_language
from healingtogether.lib.kept import Kept

from . import summary

# Cards kept in a process, about 1.5 KB each with their keys (some 30 MB when full). The
# benchmark's 400 searches in four languages show 7,151 different cards: with 5,000 kept, going
# round them again found almost none (the least recently used was always the next one needed),
# and its search page took 12 ms in one process instead of 6.3-6.8 ms.
CACHE_SIZE = 20_000
_cards = Kept(CACHE_SIZE)


def render(found: summary.Summary, language_labels: dict, distance: float | None = None) -> str:
    """The card of one result, as safe HTML."""
    language = current_language()
    key = (found.pk, found.stamp, language, found.is_stale, distance)
    return _cards.get(key, lambda: _card(found, language_labels, distance, language))


def _card(found: summary.Summary, language_labels: dict, distance, language: str) -> str:
    group = summary.CardGroup(found, language_labels)
    return mark_safe(  # noqa: S308 - a template's output, escaped by it
        get_template("directory/_group_card.html").render(
            {"group": group, "distance": distance, "LANGUAGE_CODE": language}
        )
    )
