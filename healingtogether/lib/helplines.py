"""Which crisis and listening lines each language's pages show, by record id in
data/be-resources.json. English pages show them all: an English reader may live anywhere.

Here, below every app, because the outage page (lib/outage.py) shows them when the database is
down, and the directory shows them on every page when it is up."""

HELPLINES = {
    "fr": ["emergency-112", "centre-prevention-suicide-0800-32-123", "tele-accueil-107"],
    "nl": ["emergency-112", "zelfmoordlijn-1813", "tele-onthaal-106"],
    "de": ["emergency-112", "telefonhilfe-108"],
    "en": [
        "emergency-112",
        "centre-prevention-suicide-0800-32-123",
        "tele-accueil-107",
        "zelfmoordlijn-1813",
        "tele-onthaal-106",
        "telefonhilfe-108",
    ],
}
