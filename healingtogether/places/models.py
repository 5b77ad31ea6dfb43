"""Belgium's regions, provinces, arrondissements, municipalities and postcodes.

Codes are Statbel's REFNIS (NIS) codes as of 1 January 2025. Names exist in Dutch, French and
German; a place without an official name in a language shows the name of its own region.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from healingtogether.lib.i18n import current_language


class PlaceNameMixin(models.Model):
    name_nl = models.CharField(_("name in Dutch"), max_length=100)
    name_fr = models.CharField(_("name in French"), max_length=100)
    name_de = models.CharField(_("name in German"), max_length=100, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        """The name in the page's language; English pages use the local name."""
        language = current_language()
        if language in ("nl", "fr", "de") and getattr(self, f"name_{language}"):
            return getattr(self, f"name_{language}")
        return self.local_name

    @property
    def local_name(self) -> str:
        if self.name_nl == self.name_fr:
            return self.name_nl
        region = getattr(self, "region_id", None) or getattr(self, "code", None)
        if region == Region.FLANDERS:
            return self.name_nl
        if region == Region.WALLONIA:
            return self.name_fr
        return f"{self.name_fr} / {self.name_nl}"

    @property
    def all_names(self) -> list[str]:
        return list(dict.fromkeys(n for n in (self.name_nl, self.name_fr, self.name_de) if n))

    def __str__(self) -> str:
        return self.name


class Region(PlaceNameMixin):
    FLANDERS = "02000"
    WALLONIA = "03000"
    BRUSSELS = "04000"

    code = models.CharField(_("NIS code"), max_length=5, primary_key=True)
    slug = models.SlugField(unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Province(PlaceNameMixin):
    code = models.CharField(_("NIS code"), max_length=5, primary_key=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="provinces")

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class Arrondissement(PlaceNameMixin):
    code = models.CharField(_("NIS code"), max_length=5, primary_key=True)
    province = models.ForeignKey(
        Province, models.PROTECT, null=True, blank=True, related_name="arrondissements"
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="arrondissements")

    class Meta:
        ordering = ["code"]
        verbose_name = _("arrondissement")
        verbose_name_plural = _("arrondissements")


# The nine municipalities of the German-speaking Community (NIS codes), all in Liège province.
GERMAN_SPEAKING = frozenset(
    {"63001", "63012", "63013", "63023", "63040", "63048", "63061", "63067", "63087"}
)


class Municipality(PlaceNameMixin):
    code = models.CharField(_("NIS code"), max_length=5, primary_key=True)
    arrondissement = models.ForeignKey(
        Arrondissement, models.PROTECT, related_name="municipalities"
    )
    province = models.ForeignKey(
        Province, models.PROTECT, null=True, blank=True, related_name="municipalities"
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="municipalities")
    # The mean of its postcodes' coordinates: close enough to measure "near me" distances.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        indexes = [
            models.Index(fields=["name_nl"], name="places_municipality_name_nl"),
            models.Index(fields=["name_fr"], name="places_municipality_name_fr"),
        ]


class PostalCode(models.Model):
    code = models.CharField(_("postcode"), max_length=4, primary_key=True)
    municipalities = models.ManyToManyField(Municipality, related_name="postal_codes")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[1-9][0-9]{3}$"),
                name="places_postalcode_four_digits",
            )
        ]

    def __str__(self) -> str:
        return self.code


def find_place(text: str) -> tuple[str | None, list[Municipality]]:
    """A postcode or a municipality name in any official language -> (postcode, municipalities).

    Returns (None, []) when nothing matches. Names are compared without case or accents, so
    "liege", "Luik" and "Lüttich" all find Liège.
    """
    from healingtogether.lib.text import fold

    text = text.strip()
    if text.isdigit():
        postcode = PostalCode.objects.filter(code=text).first()
        if postcode is None:
            return None, []
        return postcode.code, list(postcode.municipalities.all())
    wanted = fold(text)
    if not wanted:
        return None, []
    found = [
        m
        for m in Municipality.objects.all()
        if wanted in {fold(n) for n in (m.name_nl, m.name_fr, m.name_de) if n}
    ]
    return None, found
