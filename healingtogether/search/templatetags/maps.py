from django import template

from healingtogether.search.map import drawn_map

register = template.Library()


@register.simple_tag
def belgium_map(kind="adult", points=None, highlight=None) -> str:
    """Our map of Belgium with the networks of one kind ("adult" or "youth"), each area a link.

    points: search results to mark, as [{"lat", "lon", "label", "url"}]; highlight: the ids of
    the networks to emphasise, such as the person's own.
    """
    return drawn_map(kind, points=points, highlight=highlight)
