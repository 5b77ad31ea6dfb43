"""Moderators register sources here (an address, or an uploaded file); a source failing three
syncs in a row stands out, here and on the moderation queue."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import FAILING_AFTER, Item, Source


class FailingFilter(admin.SimpleListFilter):
    title = _("failing")
    parameter_name = "failing"

    def lookups(self, request, model_admin):
        return [("yes", _("Failed three syncs in a row"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(failures__gte=FAILING_AFTER)
        return queryset


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "format",
        "trusted",
        "active",
        "last_sync_at",
        "last_result",
        "syncs_well",
    ]
    list_filter = [FailingFilter, "format", "trusted", "active"]
    search_fields = ["name", "url"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["topics", "audiences", "approaches"]
    readonly_fields = [
        "last_sync_at",
        "last_result",
        "last_counts",
        "last_errors",
        "failures",
        "failing_since",
        "etag",
        "last_modified",
    ]

    @admin.display(boolean=True, description=_("syncs well"))
    def syncs_well(self, source):
        return not source.is_failing

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-failures", "name")


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["source", "key", "group", "missing", "seen_at"]
    list_filter = ["source"]
    search_fields = ["key"]
    list_select_related = ["source", "group"]
    readonly_fields = ["source", "key", "group", "digest", "missing", "seen_at"]
