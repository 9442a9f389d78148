from django.db import migrations, models


def containers_snippets_are_cloudformation(apps, schema_editor):
    # The one rule whose snippet is plain CloudFormation (an ECS service or an Auto Scaling
    # group, not a SAM function); every other rule's is CloudFormation/SAM, the default.
    Finding = apps.get_model("advisor", "Finding")
    Finding.objects.filter(rule_id="consider-containers").update(
        remediation_iac_format="CloudFormation"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("advisor", "0012_finding_functions"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="remediation_iac_format",
            field=models.CharField(default="CloudFormation/SAM", max_length=32),
        ),
        migrations.RunPython(containers_snippets_are_cloudformation, migrations.RunPython.noop),
    ]
