from django.db import migrations, models

RELATION_KEYS = ("event_source_mappings", "api_integrations", "push_sources", "queues")


def copy_relations(apps, schema_editor):
    """Each stored region's trigger lists, copied out of its inventory one region at a time
    (an inventory can be large: never more than one in memory)."""
    ScanRegion = apps.get_model("advisor", "ScanRegion")
    ids = list(
        ScanRegion.objects.filter(inventory__isnull=False).values_list("pk", flat=True)
    )
    for pk in ids:
        inventory = ScanRegion.objects.filter(pk=pk).values_list("inventory", flat=True).first()
        relations = {key: (inventory or {}).get(key) for key in RELATION_KEYS}
        ScanRegion.objects.filter(pk=pk).update(relations=relations)


class Migration(migrations.Migration):
    dependencies = [
        ("advisor", "0008_occurrence_opened"),
    ]

    operations = [
        migrations.AddField(
            model_name="scan",
            name="cost_opportunities",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="scanregion",
            name="relations",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(copy_relations, migrations.RunPython.noop, elidable=True),
    ]
