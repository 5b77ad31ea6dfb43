"""The guides in data/articles/, as the test database loaded them (see conftest.py)."""

from html import unescape

import pytest

from healingtogether.articles.loading import ARTICLES_DIR
from healingtogether.articles.models import Article

pytestmark = pytest.mark.django_db

SLUGS = sorted(p.name for p in ARTICLES_DIR.iterdir() if p.is_dir())


def test_there_are_at_least_six_bundled_guides():
    assert len(SLUGS) >= 6
    assert Article.objects.filter(slug__in=SLUGS).count() == len(SLUGS)


@pytest.mark.parametrize("language", ["en", "fr", "nl", "de"])
@pytest.mark.parametrize("slug", SLUGS)
def test_each_bundled_guide_reads_well_in_each_language(client, slug, language):
    response = client.get(f"/{language}/guides/{slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    body = html[html.index('<div class="guide-body">') : html.index("</article>")]
    # Written in the page's language, with no HTML typed into the Markdown.
    assert "<h1 lang=" not in html
    assert "&lt;" not in body
    assert "<h2>" in body or "<p>" in body


@pytest.mark.parametrize(
    ("language", "team"),
    [
        ("en", "The Healing Together team"),
        ("fr", "L’équipe de Healing Together"),
        ("nl", "Het team van Healing Together"),
        ("de", "Das Team von Healing Together"),
    ],
)
def test_our_guides_are_signed_by_the_team_in_the_readers_language(client, language, team):
    html = unescape(client.get(f"/{language}/guides/{SLUGS[0]}/").content.decode())
    byline = html[html.index('class="byline"') : html.index("</p>", html.index('class="byline"'))]
    assert team in byline
