from django.db import migrations, models
from django.db.models import Q


def approve_public_organisations(apps, schema_editor):
    """Organisations already public (with a published group), approved through a revision, or
    loaded by us count as approved: their details were reviewed or are ours."""
    Organisation = apps.get_model("directory", "Organisation")
    Revision = apps.get_model("accounts", "Revision")
    approved = Revision.objects.filter(state="approved", organisation__isnull=False).values(
        "organisation_id"
    )
    Organisation.objects.filter(
        Q(groups__status="published")
        | Q(pk__in=approved)
        | Q(source_key__startswith="be-resources:")
        | Q(source_key__startswith="synthetic:")
    ).update(approved_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_group_reminded_at"),
        ("accounts", "0002_revision_flags"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="approved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="approved at"),
        ),
        migrations.RunPython(approve_public_organisations, migrations.RunPython.noop),
    ]
