"""Who a page speaks to, and the order of networks and helplines that follows from it: young
people see what is for young people first, everyone else what is for adults first; a person sees
the lines in their own language first."""

from django.utils.translation import gettext_lazy as _

from .context_processors import helplines_for
from .models import Group

YOUTH_AUDIENCES = {"children", "adolescents"}


def for_young_people(audiences) -> bool:
    """True when these audience slugs (a search's `audience`, the finder's answer) describe
    children or teenagers only."""
    chosen = set(audiences)
    return bool(chosen & YOUTH_AUDIENCES) and "adults" not in chosen


def network_blocks(adult: list, youth: list, *, young: bool) -> list[dict]:
    """The adult and youth networks of a place as two blocks, the person's own first. A block
    with no network says so (`missing`), so that a youth network never stands alone where an
    adult looked for theirs, nor the other way round."""
    blocks = [
        {
            "kind": "adult",
            "title": _("For adults"),
            "networks": adult,
            "missing": _("We don't know yet which network for adults covers this place."),
        },
        {
            "kind": "youth",
            "title": _("For children and young people"),
            "networks": youth,
            "missing": _(
                "We don't know yet which network for children and young people covers this place."
            ),
        },
    ]
    return blocks[::-1] if young else blocks


def _is_youth_line(line: Group) -> bool:
    return for_young_people(a.slug for a in line.audiences.all())


def helplines_in_order(language: str) -> list[Group]:
    """Every listed helpline: those answering in `language` first, then lines for adults
    before lines for children and teenagers; within that, the lines our pages feature for the
    language (lib/helplines.py) in their order, then by name."""
    featured = [g.pk for g in helplines_for(language)]
    lines = Group.objects.listed().helplines().prefetch_related("audiences", "session_languages")

    def order(line):
        speaks = language in {lang.slug for lang in line.session_languages.all()}
        rank = featured.index(line.pk) if line.pk in featured else len(featured)
        return (not speaks, _is_youth_line(line), rank, line.name.lower())

    return sorted(lines, key=order)


def crisis_lines(language: str) -> dict:
    """What a call box for a person thinking of suicide or in crisis offers, from the lines our
    pages feature for `language` (lib/helplines.py): the lines that answer day and night (their
    hours say 24/7), suicide-prevention lines first, and the emergency number apart."""
    lines = helplines_for(language)
    emergency = next((g for g in lines if g.phone.strip() == "112"), None)
    listening = [g for g in lines if g is not emergency and "24/7" in g.hours_en]
    listening.sort(key=lambda g: not g.topics.filter(slug="suicidal_thoughts").exists())
    return {"lines": listening, "emergency": emergency}
