"""Guides: original articles in our four languages that explain group therapy, support groups and
the public mental-health networks, each one leading to the groups it talks about.

An article is written in Markdown, one title, summary and body per language. A page in a language
the article lacks shows it in the nearest language it has, and says so.
"""

from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from healingtogether.directory.models import Topic
from healingtogether.lib import markdown
from healingtogether.lib.i18n import CONTENT_LANGUAGES, localized

# URL segments under /<lang>/guides/ that an article's slug would hide.
RESERVED_SLUGS = {"feed"}


# The guides we write ourselves are signed by the team, in the reader's language.
TEAM_AUTHOR = "The Healing Together team"


class ArticleQuerySet(models.QuerySet):
    def published(self, today=None):
        """What the public may read: published, and its publication date reached (a moderator
        can publish a guide ahead of the day it should appear)."""
        return self.filter(
            status=Article.Status.PUBLISHED, published__lte=today or timezone.localdate()
        )

    def newest_first(self):
        return self.order_by("-published", "order", "slug")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(max_length=120, unique=True)
    title_en = models.CharField(_("title (en)"), max_length=200, blank=True)
    title_fr = models.CharField(_("title (fr)"), max_length=200, blank=True)
    title_nl = models.CharField(_("title (nl)"), max_length=200, blank=True)
    title_de = models.CharField(_("title (de)"), max_length=200, blank=True)
    summary_en = models.TextField(_("summary (en)"), blank=True)
    summary_fr = models.TextField(_("summary (fr)"), blank=True)
    summary_nl = models.TextField(_("summary (nl)"), blank=True)
    summary_de = models.TextField(_("summary (de)"), blank=True)
    body_en = models.TextField(_("body (en)"), blank=True)
    body_fr = models.TextField(_("body (fr)"), blank=True)
    body_nl = models.TextField(_("body (nl)"), blank=True)
    body_de = models.TextField(_("body (de)"), blank=True)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="articles", verbose_name=_("topics")
    )
    author = models.CharField(_("author"), max_length=120)
    published = models.DateField(_("published on"), default=timezone.localdate)
    order = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Where the guide comes in the list; lower first.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    source_key = models.CharField(
        _("source key"),
        max_length=120,
        blank=True,
        help_text=_("Where this guide was loaded from."),
    )
    # What the loader last wrote, so that running it again never overwrites a moderator's edits.
    source_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["order", "-published", "slug"]
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~models.Q(source_key=""),
                name="articles_article_unique_source_key",
            ),
            models.CheckConstraint(
                condition=~models.Q(title_en="", title_fr="", title_nl="", title_de=""),
                name="articles_article_has_a_title",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "published"], name="articles_article_status_date"),
        ]

    @property
    def language(self) -> str | None:
        """The language the article is read in on this page: the page's own if the article is
        written in it, otherwise the nearest one it has."""
        return localized(self, "body")[1] or localized(self, "title")[1]

    def _in_language(self, field: str) -> str:
        # Title, summary and body come from the same language, never a mix of two.
        return getattr(self, f"{field}_{self.language}", "") if self.language else ""

    @property
    def title(self) -> str:
        return self._in_language("title") or localized(self, "title")[0]

    @property
    def summary(self) -> str:
        return self._in_language("summary")

    @property
    def byline(self) -> str:
        """Who wrote it, as the page's reader says it: our team's name is translated."""
        if self.author == TEAM_AUTHOR:
            return gettext("The Healing Together team")
        return self.author

    @property
    def body(self) -> str:
        return self._in_language("body")

    @property
    def body_html(self) -> str:
        """The body as sanitised HTML: no tag, attribute or link scheme outside lib.markdown's
        short list reaches the page."""
        return markdown.render(self.body)

    @property
    def published_at(self) -> datetime:
        """The publication date as midnight in Brussels, for feeds that want a moment."""
        return timezone.make_aware(datetime.combine(self.published, time.min))

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("articles:article", args=[self.slug])

    def clean(self):
        """Each language is complete or absent: a title without a body (or the reverse) would
        show half a guide in one language and half in another."""
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _("This address is taken by the site. Choose another.")
        for code in CONTENT_LANGUAGES:
            title, body = getattr(self, f"title_{code}"), getattr(self, f"body_{code}")
            if title and not body:
                errors[f"body_{code}"] = _("Write the text in this language, or remove its title.")
            if body and not title:
                errors[f"title_{code}"] = _("Give the text in this language a title.")
        if not any(getattr(self, f"title_{code}") for code in CONTENT_LANGUAGES):
            errors["title_en"] = _("Give the guide a title in at least one language.")
        if errors:
            raise ValidationError(errors)
