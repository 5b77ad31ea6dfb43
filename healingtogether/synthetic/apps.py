from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    """Invented groups for benchmarks and demos (`generate_groups`): no models, no pages, no
    URLs; kept apart from the apps that serve the site."""

    name = "healingtogether.synthetic"
