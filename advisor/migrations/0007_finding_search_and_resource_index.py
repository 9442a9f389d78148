import django.db.models.functions.text
from django.db import migrations, models


def create_trigram_index(apps, schema_editor):
    """PostgreSQL only: a trigram index lets "search_text LIKE '%term%'" skip the table scan.
    pg_trgm is a trusted extension: the database's owner may create it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS finding_search_trgm "
        "ON advisor_finding USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS finding_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_schedules_and_report_recipients"),
        ("advisor", "0006_function_invocation_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Lower(
                    django.db.models.functions.text.Concat(
                        "rule_id",
                        models.Value(" "),
                        "title",
                        models.Value(" "),
                        "resource_arn",
                        models.Value(" "),
                        "message",
                        output_field=models.TextField(),
                    )
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                fields=["account", "resource_arn", "status"], name="finding_of_resource"
            ),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
    ]
