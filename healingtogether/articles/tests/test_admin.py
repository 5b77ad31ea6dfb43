import pytest

from healingtogether.articles.models import Article
from healingtogether.test import make_moderator

from .factory import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(client):
    client.force_login(make_moderator())
    return client


def test_the_change_page_links_to_a_preview_in_each_language(moderator_client):
    draft = make_article(status=Article.Status.DRAFT)
    html = moderator_client.get(f"/admin/articles/article/{draft.pk}/change/").content.decode()
    for code in ("en", "fr", "nl", "de"):
        assert f'href="/{code}/guides/{draft.slug}/preview/"' in html
    assert moderator_client.get(f"/fr/guides/{draft.slug}/preview/").status_code == 200


def test_a_moderator_writes_a_guide_in_the_admin(moderator_client):
    response = moderator_client.post(
        "/admin/articles/article/add/",
        {
            "slug": "talking-helps",
            "status": "draft",
            "published": "2026-06-01",
            "author": "The Healing Together team",
            "order": "7",
            "title_en": "Talking helps",
            "summary_en": "Why saying it out loud helps.",
            "body_en": "It **helps**.",
        },
    )
    assert response.status_code == 302
    guide = Article.objects.get(slug="talking-helps")
    assert guide.status == Article.Status.DRAFT
    assert moderator_client.get("/en/guides/talking-helps/preview/").status_code == 200


def test_a_title_without_its_text_is_refused(moderator_client):
    response = moderator_client.post(
        "/admin/articles/article/add/",
        {
            "slug": "half-a-guide",
            "status": "draft",
            "published": "2026-06-01",
            "author": "The Healing Together team",
            "order": "0",
            "title_nl": "Een halve gids",
        },
    )
    assert response.status_code == 200
    assert "Write the text in this language, or remove its title." in response.content.decode()
    assert not Article.objects.filter(slug="half-a-guide").exists()


def test_the_feed_address_cannot_be_taken_by_a_guide(moderator_client):
    response = moderator_client.post(
        "/admin/articles/article/add/",
        {
            "slug": "feed",
            "status": "draft",
            "published": "2026-06-01",
            "author": "The Healing Together team",
            "order": "0",
            "title_en": "Feed",
            "body_en": "Text.",
        },
    )
    assert response.status_code == 200
    assert "This address is taken by the site." in response.content.decode()
