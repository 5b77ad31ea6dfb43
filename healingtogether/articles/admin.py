from django.contrib import admin
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from healingtogether.lib.i18n import CONTENT_LANGUAGES, current_language, translated_fields

from .models import Article

LANGUAGE_NAMES = {"en": _("English"), "fr": _("French"), "nl": _("Dutch"), "de": _("German")}


def preview_url(article: Article, language: str) -> str:
    with translation.override(language):
        return reverse("articles:preview", args=[article.slug])


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "published", "order", "author", "updated_at"]
    list_filter = ["status", "topics"]
    search_fields = ["slug", *translated_fields("title"), *translated_fields("summary")]
    filter_horizontal = ["topics"]
    prepopulated_fields = {"slug": ["title_en"]}
    readonly_fields = ["preview", "source_key", "created_at", "updated_at"]
    date_hierarchy = "published"
    fieldsets = [
        (None, {"fields": ["slug", "status", "published", "author", "order", "topics"]}),
        (_("Preview"), {"fields": ["preview"]}),
        *[
            (
                LANGUAGE_NAMES[code],
                {
                    "fields": [f"title_{code}", f"summary_{code}", f"body_{code}"],
                    "description": _(
                        "Markdown: blank lines between paragraphs, ## and ### for headings, "
                        "- for lists, [text](https://…) for links, > for quotes. HTML is removed."
                    ),
                },
            )
            for code in CONTENT_LANGUAGES
        ],
        (_("Record"), {"fields": ["source_key", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("Preview"))
    def preview(self, obj):
        """Links that open the guide as readers will see it, drafts too (saved text only)."""
        if obj is None or not obj.pk:
            return _("Save the guide to preview it.")
        links = format_html_join(
            " · ",
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            ((preview_url(obj, code), LANGUAGE_NAMES[code]) for code in CONTENT_LANGUAGES),
        )
        return format_html("{} {}", _("Open the saved guide in:"), links)

    def view_on_site(self, obj):
        # The admin's "View on site" button opens the preview, which shows drafts too.
        return preview_url(obj, current_language())
