from datetime import date

import pytest

from healingtogether.articles.models import Article

from .factory import make_article

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_the_three_latest_guides(client):
    Article.objects.all().delete()
    oldest = make_article(published=date(2026, 1, 1))
    middle = make_article(published=date(2026, 2, 1))
    newer = make_article(published=date(2026, 3, 1))
    newest = make_article(published=date(2026, 4, 1))
    draft = make_article(published=date(2026, 5, 1), status=Article.Status.DRAFT)

    html = client.get("/de/").content.decode()
    guides = html[html.index('id="guides-title"') :]
    positions = [guides.index(g.title_de) for g in (newest, newer, middle)]
    assert positions == sorted(positions)
    assert oldest.title_de not in html
    assert draft.title_de not in html
    assert 'href="/de/guides/"' in guides


def test_the_home_page_keeps_the_search_the_finder_and_the_network_lookup(client):
    html = client.get("/en/").content.decode()
    assert '<form method="get" action="/en/search/"' in html
    assert '<label for="near">' in html
    assert 'href="/en/search/finder/"' in html
    assert '<form method="get" action="/en/networks/for/"' in html
    assert '<label for="place">' in html


def test_the_home_page_has_no_guides_section_without_guides(client):
    Article.objects.all().delete()
    assert 'id="guides-title"' not in client.get("/en/").content.decode()
