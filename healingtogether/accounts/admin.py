"""The admin for organisers' accounts and the moderation records.

Decisions, credential checks and reports are handled on the moderation pages, which write the
audit log and email the organiser; here the records are read-only, so nothing bypasses that.
"""

import json

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Invitation, Membership, Profile, Report, Revision


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "language", "email_verified_at"]
    list_filter = ["language"]
    search_fields = ["user__email", "user__username"]
    autocomplete_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "created_at"]
    search_fields = ["user__email", "organisation__name_fr", "organisation__name_nl"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "invited_by", "created_at", "accepted_at"]
    search_fields = ["email", "organisation__name_fr", "organisation__name_nl"]
    readonly_fields = ["invited_by", "created_at", "accepted_at"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation", "invited_by"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written: these rows change only through the moderation pages."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "is_new", "state", "author", "created_at", "decided_by"]
    list_filter = ["state", "is_new"]
    search_fields = ["author__email", "group__slug", "organisation__slug"]
    list_select_related = ["group", "organisation", "author", "decided_by"]
    fields = [
        "review",
        "group",
        "organisation",
        "is_new",
        "author",
        "created_at",
        "state",
        "decided_by",
        "decided_at",
        "note",
        "proposed",
    ]
    readonly_fields = fields

    @admin.display(description=_("review"))
    def review(self, obj):
        url = reverse("accounts:revision", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open on the moderation page"))

    @admin.display(description=_("proposed listing"))
    def proposed(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.data, indent=2, ensure_ascii=False))


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "language", "created_at", "resolved_at", "resolved_by"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter), "language"]
    search_fields = ["message", "group__slug"]
    list_select_related = ["group", "resolved_by"]
    fields = ["handle", "group", "message", "language", "created_at", "resolved_at", "resolved_by"]
    readonly_fields = fields

    @admin.display(description=_("handle"))
    def handle(self, obj):
        url = reverse("accounts:report", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open on the moderation page"))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "group", "organisation", "note"]
    list_filter = ["action"]
    search_fields = ["actor__email", "note", "group__slug", "organisation__slug"]
    list_select_related = ["actor", "group", "organisation"]
    date_hierarchy = "at"
