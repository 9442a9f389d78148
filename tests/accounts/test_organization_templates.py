"""The organisation's templates: the StackSet deploys the single-account template itself, so the
member role and the one-account role cannot drift; everything is read-only."""

from __future__ import annotations

import json

from accounts import iam


def test_the_stackset_deploys_the_single_account_template_unchanged():
    stackset = json.loads(iam.stackset_template("ext-1234", "LambdaAdvisorReadOnly"))
    [resource] = stackset["Resources"].values()
    body = json.loads(resource["Properties"]["TemplateBody"])
    assert body == json.loads(iam.cloudformation_template("ext-1234", "LambdaAdvisorReadOnly"))
    assert body == iam.scan_role_template("ext-1234")


def test_the_stackset_is_service_managed_and_follows_new_accounts():
    stackset = json.loads(iam.stackset_template("ext-1234", "ScanRole"))
    properties = stackset["Resources"]["LambdaAdvisorScanRoles"]["Properties"]
    assert stackset["Resources"]["LambdaAdvisorScanRoles"]["Type"] == (
        "AWS::CloudFormation::StackSet"
    )
    assert properties["PermissionModel"] == "SERVICE_MANAGED"
    assert properties["AutoDeployment"] == {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    assert properties["Capabilities"] == ["CAPABILITY_NAMED_IAM"]
    # IAM is global: one stack instance per account, in the Region the stack is created in
    [group] = properties["StackInstancesGroup"]
    assert group["Regions"] == [{"Ref": "AWS::Region"}]
    role = json.loads(properties["TemplateBody"])["Resources"]["LambdaAdvisorRole"]
    assert role["Properties"]["RoleName"] == "ScanRole"
    condition = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
    assert condition == {"StringEquals": {"sts:ExternalId": "ext-1234"}}


def test_the_reader_role_may_only_read_the_organisation():
    reader = json.loads(iam.organization_reader_template("ext-1234"))
    role = reader["Resources"]["LambdaAdvisorOrganizationReader"]["Properties"]
    [statement] = role["Policies"][0]["PolicyDocument"]["Statement"]
    assert statement["Action"] == [
        "organizations:DescribeOrganization",
        "organizations:ListAccounts",
    ]
    trust = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": "ext-1234"}}
