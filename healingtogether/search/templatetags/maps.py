from django import template

from healingtogether.search.map import map_context

register = template.Library()


@register.inclusion_tag("search/_map.html")
def belgium_map(kind="adult", points=None, highlight=None):
    """Our map of Belgium with the networks of one kind ("adult" or "youth"), each area a link.

    points: search results to mark, as [{"lat", "lon", "label", "url"}]; highlight: the ids of
    the networks to emphasise, such as the person's own.
    """
    return map_context(kind, points=points, highlight=highlight)
