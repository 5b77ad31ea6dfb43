from healingtogether.lib.text import fold


def test_it_folds_accents_and_case():
    assert fold("Liège") == "liege"
    assert fold("Lüttich") == "luttich"
    assert fold("DÉPRESSION") == "depression"


def test_it_collapses_whitespace():
    assert fold("  Saint-Gilles \n ") == "saint-gilles"
