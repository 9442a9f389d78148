from django.db import migrations, models
from django.db.models import F


def mark_first_sightings(apps, schema_editor):
    """Occurrences stored before this field: the scan that first saw a finding opened it.
    (Reopenings before this migration are not recorded anywhere and stay unmarked.)"""
    FindingOccurrence = apps.get_model("advisor", "FindingOccurrence")
    FindingOccurrence.objects.filter(finding__first_seen_scan=F("scan")).update(opened=True)


class Migration(migrations.Migration):
    dependencies = [
        ("advisor", "0007_finding_search_and_resource_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="findingoccurrence",
            name="opened",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_first_sightings, migrations.RunPython.noop, elidable=True),
    ]
