import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from healingtogether.articles.models import Article

from .factory import make_article

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "data" / "guides"


@pytest.fixture
def guides(tmp_path):
    """A copy of the two fixture guides that a test may change."""
    target = tmp_path / "articles"
    shutil.copytree(FIXTURES, target)
    return target


def load(directory) -> str:
    out = io.StringIO()
    call_command("load_articles", dir=directory, stdout=out)
    return out.getvalue()


def ours():
    return Article.objects.filter(slug__in=["living-with-grief", "first-steps"])


def test_it_loads_every_guide_in_every_language(guides):
    assert "2 created" in load(guides)
    grief = Article.objects.get(slug="living-with-grief")
    assert grief.title_nl == "Leven met rouw"
    assert grief.summary_de == "Ein kurzer Leitfaden für die ersten Monate nach einem Verlust."
    assert grief.body_fr.startswith("Grief comes in waves (fr).")
    assert "## What helps" in grief.body_fr
    assert sorted(t.slug for t in grief.topics.all()) == ["grief", "loneliness"]
    assert grief.published == date(2026, 3, 1)
    assert grief.author == "The Healing Together team"
    assert grief.order == 2
    assert grief.status == Article.Status.PUBLISHED


def test_it_reads_quoted_titles_and_summaries_on_several_lines(guides):
    load(guides)
    first = Article.objects.get(slug="first-steps")
    assert first.title_en == "First steps (en)"
    assert first.summary_en == "Where to begin when you feel you need help, in a few lines (en)."


def test_running_it_twice_doubles_nothing(guides):
    load(guides)
    assert "0 created, 0 updated, 2 unchanged" in load(guides)
    assert ours().count() == 2


def test_it_updates_a_guide_whose_file_changed(guides):
    load(guides)
    path = guides / "living-with-grief" / "fr.md"
    path.write_text(path.read_text().replace("Vivre avec le deuil", "Vivre après une perte"))
    meta = guides / "living-with-grief" / "meta.json"
    meta.write_text(meta.read_text().replace('"loneliness"', '"anxiety"'))

    assert "0 created, 1 updated, 1 unchanged" in load(guides)
    grief = Article.objects.get(slug="living-with-grief")
    assert grief.title_fr == "Vivre après une perte"
    assert sorted(t.slug for t in grief.topics.all()) == ["anxiety", "grief"]
    assert ours().count() == 2


def test_it_keeps_what_a_moderator_changed_in_the_admin(guides):
    load(guides)
    grief = Article.objects.get(slug="living-with-grief")
    grief.title_en = "Grief, one day at a time"
    grief.save()

    output = load(guides)
    assert "living-with-grief: edited in the admin" in output
    grief.refresh_from_db()
    assert grief.title_en == "Grief, one day at a time"


def test_a_malformed_folder_changes_nothing_and_names_each_problem(guides):
    grief = guides / "living-with-grief"
    (grief / "fr.md").write_text("---\ntitle:\nsummary: Un résumé.\n---\nLe texte.\n")
    (grief / "de.md").unlink()
    (grief / "meta.json").write_text(
        '{"topics": ["grief", "no-such-topic"], "published": "2026-13-01", '
        '"author": "The Healing Together team", "order": 2}'
    )
    (guides / "first-steps" / "nl.md").write_text("Geen voorwerk.\n")

    with pytest.raises(CommandError) as raised:
        load(guides)

    message = str(raised.value)
    assert "Nothing was loaded" in message
    assert f"{grief / 'fr.md'}: title: missing" in message
    assert f"{grief / 'de.md'}: file: missing" in message
    assert f"{grief / 'meta.json'}: topics: unknown topic 'no-such-topic'" in message
    assert f"{grief / 'meta.json'}: published: must be a date written YYYY-MM-DD" in message
    assert f"{guides / 'first-steps' / 'nl.md'}: front matter" in message
    # The valid parts of the folder were not written either.
    assert not ours().exists()


def test_a_broken_update_leaves_the_loaded_guides_as_they_were(guides):
    load(guides)
    path = guides / "first-steps" / "en.md"
    path.write_text(path.read_text().replace("First steps (en)", "New first steps"))
    (guides / "living-with-grief" / "meta.json").write_text('{"topics": "grief"}')

    with pytest.raises(CommandError, match="topics: must be a list"):
        load(guides)
    assert Article.objects.get(slug="first-steps").title_en == "First steps (en)"


@pytest.mark.parametrize(
    "front_matter, problem",
    [
        ("title: A title\n", "summary: missing"),
        ("title: A title\nsummary: Fine.\nlayout: wide\n", "layout: unknown field"),
    ],
)
def test_it_checks_the_front_matter_fields(guides, front_matter, problem):
    (guides / "first-steps" / "en.md").write_text(f"---\n{front_matter}---\nBody.\n")
    with pytest.raises(CommandError, match=problem):
        load(guides)


def test_a_body_is_required(guides):
    (guides / "first-steps" / "de.md").write_text(
        "---\ntitle: Erste Schritte\nsummary: Kurz.\n---\n"
    )
    with pytest.raises(CommandError, match="de.md: body: missing"):
        load(guides)


def test_a_folder_may_not_take_the_address_of_a_guide_written_in_the_admin(guides):
    make_article(slug="first-steps", title_en="Written by hand")
    with pytest.raises(CommandError, match="first-steps: slug: a guide written in the admin"):
        load(guides)
    assert Article.objects.get(slug="first-steps").title_en == "Written by hand"
    assert not Article.objects.filter(slug="living-with-grief").exists()


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="folder not found"):
        load(tmp_path / "nowhere")
