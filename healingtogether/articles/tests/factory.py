"""Guides for tests, written the way a moderator would in the admin."""

import itertools
from datetime import date

from healingtogether.articles.models import Article
from healingtogether.directory.models import Topic

_counter = itertools.count(1)


def make_article(*, topics=(), languages=("en", "fr", "nl", "de"), **fields) -> Article:
    """A published guide written in `languages`, with whatever fields the test cares about."""
    n = next(_counter)
    defaults = {
        "slug": f"guide-{n}",
        "author": "The Healing Together team",
        "published": date(2026, 3, 1),
        "status": Article.Status.PUBLISHED,
    }
    for code in languages:
        defaults[f"title_{code}"] = f"Guide {n} ({code})"
        defaults[f"summary_{code}"] = f"What guide {n} is about ({code})."
        defaults[f"body_{code}"] = f"The text of guide {n} ({code}).\n\n## A part\n\nMore text."
    article = Article.objects.create(**{**defaults, **fields})
    article.topics.set(Topic.objects.filter(slug__in=topics))
    return article
