"""What the moderation pages show of the feeds. A template tag, so that the moderation views
(accounts, below feeds) need not import this app: the queue's template asks for it."""

from django import template

from healingtogether.feeds.models import FAILING_AFTER, Source

register = template.Library()


@register.inclusion_tag("moderation/_failing_sources.html", takes_context=True)
def failing_sources(context) -> dict:
    """Sources that failed FAILING_AFTER syncs in a row: their listings no longer follow what
    the groups publish."""
    return {
        "failing_sources": list(Source.failing()),
        "failing_after": FAILING_AFTER,
        "perms": context.get("perms"),
    }
