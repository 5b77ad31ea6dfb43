"""Search on the real groups of data/be-groups.json (loaded for every test by conftest.py): what a
person types in their own language finds the groups that exist, wherever they are written."""

import pytest

from healingtogether.directory.models import Group
from healingtogether.search.engine import SearchParams, run

pytestmark = pytest.mark.django_db


def _found(q: str = "", near: str = "", lang: str = "en", **more) -> list[str]:
    results = run(SearchParams(q=q, near=near, lang=lang, page_size=100, **more))
    assert results.count <= 100  # every result is on this page
    return [group.slug for group in results.groups]


# (words, place, a real group the search must find); the group is often written in another
# language than the words.
QUERIES = {
    "fr": [
        ("deuil", "4000", "chr-citadelle-groupe-aide-deuil-perinatal"),
        ("alcool", "", "aa-belgique-francophone-groupes"),
        ("alcool", "", "aa-groep-saam-gent"),
        ("Alzheimer café", "", "alzheimer-cafe-evere"),
        ("groupe de parole", "5000", "funambule-groupe-parole-namur"),
        ("bipolaire", "1000", "funambule-groupe-parole-jette"),
        ("cancer", "7000", "cancer7000-cafe-cancer-mons"),
        ("fibromyalgie", "", "bofip-lotgenotenbijeenkomst-fibromyalgie-ternat"),
        ("psychose", "", "open-kring-psychosegevoeligheid-haacht"),
        ("burn-out", "", "jolimont-tangram-module-burn-out-parental-tubize"),
        ("deuil périnatal", "", "cercle-parenthese-groupe-parole-deuil-perinatal-tournai"),
        (
            "violences conjugales",
            "",
            "solidarite-femmes-la-louviere-groupe-de-parole-violences-conjugales",
        ),
        ("étudiants", "", "ku-leuven-studentenpsychologen-groepssessies"),
    ],
    "nl": [
        ("rouw", "4000", "chr-citadelle-groupe-aide-deuil-perinatal"),
        ("rouw", "1000", "missing-you-rouwgroep-kinderen-asse"),
        ("mantelzorgcafé", "", "mantelzorgcafe-de-luisterschelp-koksijde"),
        ("dementie", "3000", "praatcafe-dementie-tienen"),
        ("alcohol", "9000", "aa-groep-saam-gent"),
        ("bipolair", "", "chu-charleroi-psychoeducation-trouble-bipolaire"),
        ("psychose", "", "club-antonin-artaud-bruxelles"),
        ("faalangst", "", "ugent-studentenpsychologen-groepstrainingen-faalangst"),
        ("jongdementie", "", "menos-genk-ondersteuningsgroep-jongdementie"),
        ("holebi", "", "aut-and-out-bijeenkomsten-lgbtqia-autisme"),
        ("eetstoornissen", "", "espoir-open-huis-eetstoornissen-kortrijk"),
        ("kanker", "", "alegria-open-huizen-kanker-kempen"),
    ],
    "de": [
        ("Trauer", "", "berrefonds-koesterhuis-kortrijk"),
        ("Trauer", "1000", "werkgroep-verder-opwijk-praatgroep"),
        ("Demenz", "4700", "alzheimer-cafe-eupen-alo"),
        ("Krebs", "4700", "lichtblicke-eupen-gespraechsgruppe-krebs"),
        ("Gesprächsgruppe", "4700", "lichtblicke-eupen-gespraechsgruppe-krebs"),
        ("Alkohol", "", "aa-vlaanderen-groepen"),
        ("Selbsthilfegruppe", "", "al-anon-alateen-belgique-francophone"),
        ("Angehörige", "4000", "similes-wallonie-groupe-parole-liege"),
        ("Depression", "", "az-jan-palfijn-dagcentrum-de-kolibrie-gent"),
        ("Psychose", "", "club-antonin-artaud-bruxelles"),
        ("Essstörungen", "", "alexianen-tienen-eetherstel-groepstherapie"),
        ("Flüchtlinge", "", "caw-oost-vlaanderen-mind-spring-vluchtelingen"),
    ],
    "en": [
        ("grief", "4000", "chr-citadelle-groupe-aide-deuil-perinatal"),
        ("alcohol", "2000", "sos-nuchterheid-mechelen"),
        ("dementia", "", "halle-praatcafes-dementie"),
        ("carers", "8000", "mantelzorgcafe-regio-oostkust"),
        ("bipolar", "", "brugmann-paul-sivadon-psychoeducation-bipolaire"),
        ("cancer", "", "alegria-open-huizen-kanker-kempen"),
        ("eating disorders", "", "espoir-open-huis-eetstoornissen-kortrijk"),
        ("students", "", "uantwerpen-studentenpsychologen-groepsworkshops"),
        ("LGBT", "", "genres-pluriels-groupe-de-parole-trans-inter-bruxelles"),
        ("refugees", "", "caw-oost-vlaanderen-mind-spring-vluchtelingen"),
        ("Alzheimer café", "", "alzheimer-cafe-laeken"),
        ("support group", "3000", "upc-kuleuven-familiegroep-verslavingszorg-kortenberg"),
    ],
}


@pytest.mark.parametrize(
    "lang, q, near, expected",
    [(lang, q, near, expected) for lang, rows in QUERIES.items() for q, near, expected in rows],
)
def test_real_words_find_real_groups(lang, q, near, expected):
    assert Group.objects.get(slug=expected).source_key == f"be-groups:{expected}"
    assert expected in _found(q, near, lang)


def test_a_dutch_word_finds_a_group_held_only_in_french():
    group = Group.objects.get(slug="chr-citadelle-groupe-aide-deuil-perinatal")
    assert list(group.session_languages.values_list("slug", flat=True)) == ["fr"]
    assert group.name_nl == ""
    assert group.slug in _found("rouw", "Luik", "nl")  # Liège, as a Dutch speaker writes it
    assert group.slug in _found("Trauer", "Lüttich", "de")


def test_the_searches_of_the_issue_no_longer_come_back_empty():
    """ "deuil" near Liège found 0 groups before the real groups were loaded."""
    assert _found("deuil", "4000", "fr")
    assert _found("Alzheimer café", "", "fr")
    assert _found("rouw", "1000", "nl")


def test_a_group_waiting_for_a_moderator_is_not_found():
    # AA Bastogne is known only from a 2013 page: it waits for a moderator.
    assert Group.objects.get(slug="aa-bastogne").status == "pending"
    assert "aa-bastogne" not in _found("alcool", "6600", "fr")


def test_every_located_published_group_is_found_near_its_own_postcode():
    groups = (
        Group.objects.listed()
        .filter(source_key__startswith="be-groups:")
        .exclude(format=Group.Format.ONLINE)
        .prefetch_related("locations")
    )
    checked = 0
    for group in groups:
        for postcode in {loc.postcode for loc in group.locations.all() if loc.postcode}:
            assert group.slug in _found(near=postcode, radius_km=2), (group.slug, postcode)
            checked += 1
    assert checked > 100


# Short and everyday words (issue 15) ---------------------------------------------------------


def _first_page(q: str, lang: str) -> list[Group]:
    return run(SearchParams(q=q, lang=lang, semantic="off")).groups


def test_aa_finds_the_twelve_step_groups_not_a_network_in_aalst():
    # "AA" used to match "Aalst" as a prefix, and put Netwerk GG Aalst among the first results.
    found = _first_page("AA", "nl")
    assert found[0].approaches.filter(slug="twelve_steps").exists()
    assert "aa-vlaanderen-groepen" in [g.slug for g in found]
    assert "netwerk-gg-ads" not in [g.slug for g in found]


def test_three_letters_are_still_a_prefix_for_someone_typing():
    assert "netwerk-gg-ads" in _found("aal", lang="nl")


@pytest.mark.parametrize(
    "q, lang",
    [
        ("perte de ma mère", "fr"),
        ("deuil maman", "fr"),
        ("mijn mama is gestorven", "nl"),
        ("mein Vater ist gestorben", "de"),
        ("my dad died", "en"),
    ],
)
def test_everyday_words_about_a_death_find_grief_groups_first(q, lang):
    found = _first_page(q, lang)
    assert found
    assert {t.slug for t in found[0].topics.all()} & {"grief", "suicide_bereavement"}


def test_the_acronym_of_a_mental_health_service_finds_mental_health_help():
    # SSM: service de santé mentale.
    found = _first_page("SSM", "fr")
    assert found
    assert all(g.topics.filter(slug="mental_health").exists() for g in found[:5])


def _slugs(q: str, lang: str, near: str = "") -> list[str]:
    params = SearchParams(q=q, lang=lang, near=near, semantic="off", page_size=100)
    return [g.slug for g in run(params).groups]


@pytest.mark.parametrize(
    "q, lang", [("OCMW", "nl"), ("CPAS", "fr"), ("ÖSHZ", "de"), ("PCSW", "en")]
)
def test_a_social_welfare_centre_is_found_by_its_name_in_any_language(q, lang):
    # The public social welfare centre is a CPAS in Wallonia, an OCMW in Flanders and an ÖSHZ in
    # Eupen. The groups run with the CPAS of Comines-Warneton and of Rixensart are written in
    # French and Dutch: a German speaker finds them too.
    found = _slugs(q, lang)
    assert "cpas-comines-warneton-atelier-smile-ploegsteert" in found
    assert "alzheimer-cafe-rixensart" in found
    assert "aa-vlaanderen-groepen" not in found


def test_cgg_finds_the_groups_of_a_cgg_and_mental_health_help():
    # CGG: centrum voor geestelijke gezondheidszorg, a service de santé mentale (SSM) in French.
    found = _slugs("CGG", "nl", near="8500")
    assert "cgg-mandel-en-leie-kopp-groep-kortrijk" in found[:5]
    # ... and, like SSM, the mental health groups that other services run.
    others = Group.objects.filter(slug__in=found, topics__slug="mental_health")
    assert others.exclude(slug__startswith="cgg-").exists()
    assert "aa-vlaanderen-groepen" not in found
