import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from healingtogether.articles.models import Article
from healingtogether.test import make_moderator, make_stranger

from .factory import make_article

pytestmark = pytest.mark.django_db


def html_of(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status
    return response.content.decode()


def test_the_list_shows_published_guides_in_the_page_language(client):
    guide = make_article()
    html = html_of(client, "/nl/guides/")
    assert f"{guide.title_nl}</a>" in html
    assert guide.summary_nl in html
    assert f'href="/nl/guides/{guide.slug}/"' in html


def test_the_list_follows_the_chosen_order(client):
    Article.objects.all().delete()
    second = make_article(order=2, published=date(2026, 5, 1))
    first = make_article(order=1, published=date(2026, 1, 1))
    html = html_of(client, "/en/guides/")
    assert html.index(first.title_en) < html.index(second.title_en)


def test_drafts_and_guides_dated_later_are_not_listed(client):
    draft = make_article(status=Article.Status.DRAFT)
    later = make_article(published=timezone.localdate() + timedelta(days=1))
    html = html_of(client, "/en/guides/")
    assert draft.title_en not in html
    assert later.title_en not in html


def test_a_guide_page_shows_the_whole_guide_inside_an_article(client):
    guide = make_article(topics=["grief"], author="Our team of moderators")
    html = html_of(client, f"/fr/guides/{guide.slug}/")
    article = html[html.index("<article") : html.index("</article>")]
    assert f"<h1>{guide.title_fr}</h1>" in article
    assert '<time datetime="2026-03-01">1 mars 2026</time>' in article
    assert "Our team of moderators" in article
    assert "<h2>A part</h2>" in article
    assert "Deuil" in article  # the topic, in French


def test_a_guide_leads_to_groups_for_its_topics_near_the_reader(client):
    guide = make_article(topics=["grief", "loneliness"])
    html = html_of(client, f"/en/guides/{guide.slug}/")
    form = html[html.index('<form method="get" action="/en/search/"') :]
    form = form[: form.index("</form>")]
    assert '<input type="hidden" name="topic" value="grief">' in form
    assert '<input type="hidden" name="topic" value="loneliness">' in form
    assert '<label for="guide-near">' in form
    assert 'name="near"' in form

    # The form's search is one the search page understands.
    results = client.get("/en/search/", {"topic": ["grief", "loneliness"], "near": "5000"})
    assert results.status_code == 200
    assert "could not be used" not in results.content.decode()


def test_a_guide_ends_with_the_helplines_of_the_page_language(client):
    guide = make_article()
    html = html_of(client, f"/nl/guides/{guide.slug}/")
    ending = html[html.index('id="guide-help-title"') :]
    assert 'href="tel:1813"' in ending
    assert 'href="tel:106"' in ending


@pytest.mark.parametrize(
    "path, words",
    [
        ("/fr/guides/no-such-guide/", "Nous n"),
        ("/nl/guides/no-such-guide/", "niet vinden"),
        ("/en/guides/no-such-guide/", "We couldn't find this page"),
    ],
)
def test_an_unknown_guide_is_a_translated_404(client, path, words):
    assert words in html_of(client, path, status=404)


def test_a_draft_is_a_404_for_the_public(client):
    draft = make_article(status=Article.Status.DRAFT)
    html = html_of(client, f"/en/guides/{draft.slug}/", status=404)
    assert draft.title_en not in html


def test_a_guide_missing_the_page_language_says_which_language_it_is_in(client):
    guide = make_article(languages=("fr",))
    html = html_of(client, f"/en/guides/{guide.slug}/")
    assert f'<h1 lang="fr">{guide.title_fr}</h1>' in html
    assert "Here it is in French." in html
    assert '<div class="guide-body" lang="fr">' in html
    listing = html_of(client, "/en/guides/")
    assert f'<h2 lang="fr"><a href="/en/guides/{guide.slug}/">{guide.title_fr}</a></h2>' in listing


def test_a_guide_falls_back_to_english_before_other_languages_on_a_dutch_page(client):
    guide = make_article(languages=("de", "en"))
    html = html_of(client, f"/nl/guides/{guide.slug}/")
    assert f'<h1 lang="en">{guide.title_en}</h1>' in html
    assert guide.title_de not in html


def test_markdown_cannot_bring_html_or_script_into_the_page(client):
    guide = make_article(
        title_en="Safe <b>title</b>",
        body_en=(
            "Hello <script>alert('body')</script>\n\n"
            "[click me](javascript:alert('link'))\n\n"
            '<img src="x" onerror="alert(1)">\n\n'
            '<a href="https://example.org" onclick="alert(\'a\')">raw link</a>\n\n'
            "[a real link](https://example.org/help)"
        ),
    )
    html = html_of(client, f"/en/guides/{guide.slug}/")
    body = html[html.index('<div class="guide-body">') : html.index("</article>")]
    tags = re.findall(r"<[^>]+>", body)
    # No script at all, but the page's JSON-LD data (which browsers never run).
    assert re.findall(r"<script(?! type=\"application/ld\+json\")", html) == []
    assert html.count("<script") == html.count("</script>") == 1
    assert not [tag for tag in tags if "javascript:" in tag or re.search(r"\son\w+=", tag)]
    assert not [tag for tag in tags if tag.startswith("<img")]
    # What was HTML shows as harmless text; the title is escaped too.
    assert "&lt;script&gt;" in body
    assert "Safe &lt;b&gt;title&lt;/b&gt;" in html
    assert '<a href="https://example.org/help" rel="noreferrer nofollow">a real link</a>' in body


def test_the_guide_pages_set_no_cookie(client):
    guide = make_article()
    for path in ("/en/guides/", f"/en/guides/{guide.slug}/", "/en/guides/feed/", "/en/"):
        assert client.get(path).cookies == {}, path


def test_every_page_advertises_the_feed_of_its_language(client):
    for path in ("/fr/", "/fr/guides/", "/fr/search/?q=deuil", "/fr/helplines/"):
        head = html_of(client, path).split("</head>")[0]
        assert re.search(
            r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" '
            r'href="/fr/guides/feed/">',
            head,
        ), path


# Preview ------------------------------------------------------------------------------------


def test_a_moderator_previews_a_draft(client):
    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(make_moderator())
    html = html_of(client, f"/en/guides/{draft.slug}/preview/")
    assert f"<h1>{draft.title_en}</h1>" in html
    assert "It is a draft" in html
    assert '<meta name="robots" content="noindex">' in html


def test_an_anonymous_visitor_is_sent_to_login_from_a_preview(client):
    draft = make_article(status=Article.Status.DRAFT)
    response = client.get(f"/en/guides/{draft.slug}/preview/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_stranger_gets_a_plain_404_from_a_preview(client):
    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(make_stranger())
    html = html_of(client, f"/en/guides/{draft.slug}/preview/", status=404)
    assert draft.title_en not in html


def test_staff_without_the_right_to_read_guides_get_a_404_from_a_preview(client):
    draft = make_article(status=Article.Status.DRAFT)
    staff = User.objects.create_user("helper", "helper@example.org", "x", is_staff=True)
    client.force_login(staff)
    assert client.get(f"/en/guides/{draft.slug}/preview/").status_code == 404
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))
    staff = User.objects.get(pk=staff.pk)
    client.force_login(staff)
    assert client.get(f"/en/guides/{draft.slug}/preview/").status_code == 200
