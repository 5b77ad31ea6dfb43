"""Who a page speaks to, and the order of networks and helplines that follows from it: young
people see what is for young people first, everyone else what is for adults first; a person sees
the lines in their own language first."""

from .context_processors import helplines_for
from .models import Group

YOUTH_AUDIENCES = {"children", "adolescents"}


def for_young_people(audiences) -> bool:
    """True when these audience slugs describe children or teenagers only."""
    chosen = set(audiences)
    return bool(chosen & YOUTH_AUDIENCES) and "adults" not in chosen


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
