from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from healingtogether.lib.i18n import translated_fields

from . import listing
from .models import (
    Approach,
    Audience,
    Group,
    Language,
    Location,
    Organisation,
    Schedule,
    Status,
    Topic,
)


@admin.register(Topic, Audience, Approach, Language)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["slug", "label_en", "label_fr", "label_nl", "label_de", "parent"]
    search_fields = ["slug", *translated_fields("label"), *translated_fields("synonyms")]


# A website typed without a scheme is taken as https, as Django 6 will do.
URL_AS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    formfield_overrides = URL_AS_HTTPS
    list_display = ["__str__", "kind", "website", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["slug", *translated_fields("name"), "website", "email"]
    readonly_fields = ["public_id", "source_key", "approved_at", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["name_fr"]}

    def save_model(self, request, obj, form, change):
        # Our team writes here: an organisation created in the admin is approved by its author.
        if obj.approved_at is None and not change:
            obj.approved_at = timezone.now()
        super().save_model(request, obj, form, change)


class LocationInline(admin.StackedInline):
    model = Location
    extra = 0
    autocomplete_fields = ["municipality"]


class ScheduleInline(admin.TabularInline):
    model = Schedule
    extra = 0


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    formfield_overrides = URL_AS_HTTPS
    list_display = ["__str__", "kind", "status", "organisation", "coverage", "confirmed_at"]
    list_filter = [
        "status",
        "kind",
        "facilitation",
        "format",
        "coverage",
        "cost",
        "synthetic",
        "topics",
        "audiences",
    ]
    search_fields = [
        "slug",
        *translated_fields("name"),
        *translated_fields("description"),
        "organisation__name_fr",
        "organisation__name_nl",
        "website",
        "email",
    ]
    readonly_fields = ["public_id", "source_key", "created_at", "updated_at"]
    autocomplete_fields = ["organisation", "service_area"]
    filter_horizontal = ["topics", "audiences", "approaches", "session_languages"]
    list_select_related = ["organisation"]
    inlines = [LocationInline, ScheduleInline]
    actions = ["publish", "archive"]
    fieldsets = [
        (None, {"fields": ["organisation", "slug", "kind", "status", "public_id"]}),
        (
            _("Name and description"),
            {
                "fields": [
                    *translated_fields("name"),
                    *translated_fields("description"),
                    *translated_fields("hours"),
                ]
            },
        ),
        (
            _("Who and what"),
            {
                "fields": [
                    "facilitation",
                    "format",
                    "topics",
                    "audiences",
                    "approaches",
                    "session_languages",
                    "age_min",
                    "age_max",
                ]
            },
        ),
        (_("Where"), {"fields": ["coverage", "service_area"]}),
        (
            _("Joining"),
            {
                "fields": [
                    "cohort",
                    "next_start",
                    "seats_left",
                    "cost",
                    "cost_amount",
                    "referral_required",
                    "step_free",
                    "hearing_loop",
                    "childcare",
                    "evening",
                ]
            },
        ),
        (
            _("Credentials"),
            {"fields": ["credential_kind", "credential_number", "credential_checked_at"]},
        ),
        (_("Contact"), {"fields": ["website", "email", "phone", "contact_person"]}),
        (
            _("Record"),
            {
                "fields": [
                    "confirmed_at",
                    "source_key",
                    "sources",
                    "synthetic",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The admin's own forms wrote the row, its inlines and its many-to-many rows (which
        # exist only now); the listing writer takes it from here: next sessions, announcement.
        listing.saved_elsewhere(form.instance)

    @admin.action(description=_("Publish the selected listings"))
    def publish(self, request, queryset):
        published = listing.set_status(queryset, Status.PUBLISHED)
        held = queryset.count() - published
        if held:
            self.message_user(
                request,
                ngettext(
                    "%(count)d listing stays unpublished: approve its organisation first.",
                    "%(count)d listings stay unpublished: approve their organisation first.",
                    held,
                )
                % {"count": held},
                level="warning",
            )

    @admin.action(description=_("Archive the selected listings"))
    def archive(self, request, queryset):
        listing.set_status(queryset, Status.ARCHIVED)
