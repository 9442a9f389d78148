# Scans snapshot their workspace's rule options; functions store their decision card.

from django.db import migrations, models


def scans_take_their_workspace_s_options(apps, schema_editor):
    # Scans stored before the snapshot: the workspace's options of today are the best guess
    # (what analyse_scans would have used for them until now).
    Workspace = apps.get_model("accounts", "Workspace")
    Scan = apps.get_model("advisor", "Scan")
    for workspace_id, options in Workspace.objects.exclude(rule_options={}).values_list(
        "pk", "rule_options"
    ):
        Scan.objects.filter(account__workspace_id=workspace_id).update(rule_options=options)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_workspace_rule_options"),
        ("advisor", "0013_finding_remediation_iac_format"),
    ]

    operations = [
        migrations.AddField(
            model_name="functionrecord",
            name="decision",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="scan",
            name="rule_options",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="scanregion",
            name="decisions",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(scans_take_their_workspace_s_options, migrations.RunPython.noop),
    ]
