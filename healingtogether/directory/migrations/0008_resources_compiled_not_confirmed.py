"""The records of be-resources.json were marked "confirmed" on the day they were loaded. Loading
is not confirming: their confirmed_at is cleared unless a moderator or an organiser confirmed or
approved them since (an audit entry says so), and they count as compiled by our team on the day
they were loaded, until the next `load_resources` sets the day the file gives."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db import migrations
from django.utils import timezone

BRUSSELS = ZoneInfo("Europe/Brussels")


def clear_loading_confirmations(apps, schema_editor):
    Group = apps.get_model("directory", "Group")
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    confirmed = AuditEntry.objects.filter(
        action__in=["confirmed", "approved"], group__isnull=False
    ).values_list("group_id", flat=True)
    groups = (
        Group.objects.filter(source_key__startswith="be-resources:", confirmed_at__isnull=False)
        .exclude(pk__in=confirmed)
        .only("confirmed_at", "checked_on", "fresh_at", "updated_at")
    )
    rows, now = [], timezone.now()
    for group in groups:
        loaded = group.confirmed_at.astimezone(BRUSSELS).date()
        group.checked_on = group.checked_on or loaded
        group.confirmed_at = None
        group.fresh_at = datetime.combine(group.checked_on, time.min, tzinfo=BRUSSELS)
        group.updated_at = now  # search snapshots rebuild
        rows.append(group)
    Group.objects.bulk_update(rows, ["checked_on", "confirmed_at", "fresh_at", "updated_at"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0007_loaded_data_and_source_date_precision"),
        ("accounts", "0003_invitation_revoked_at"),
    ]

    operations = [migrations.RunPython(clear_loading_confirmations, migrations.RunPython.noop)]
