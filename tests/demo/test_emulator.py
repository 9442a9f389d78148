"""The emulator's extensions, each called with boto3 over HTTP as the scanner calls AWS."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import zipfile
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from advisor.demo.emulator_lambda import ACCOUNT_SETTINGS_PATH, FAULTS_PATH
from tests.fixtures.emulator import reset_emulator

ACCOUNT = "123456789012"
REGION = "us-east-1"


def client(endpoint: str, service: str, region: str = REGION, **credentials):
    return boto3.client(service, region_name=region, endpoint_url=endpoint, **credentials)


def zip_bytes(size: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return 1\n" + "#" * size)
    return buffer.getvalue()


def make_role(endpoint: str) -> str:
    iam = client(endpoint, "iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    return iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"][
        "Arn"
    ]


def make_functions(endpoint: str, count: int, region: str = REGION, **extra) -> list[str]:
    role = make_role(endpoint) if region == REGION else f"arn:aws:iam::{ACCOUNT}:role/fn-role"
    lam = client(endpoint, "lambda", region)
    code = zip_bytes()
    names = []
    for number in range(count):
        name = f"fn-{number:04d}"
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code},
            **extra,
        )
        names.append(name)
    return names


# --- GetAccountSettings -----------------------------------------------------------------------


def test_account_settings_report_limits_usage_and_the_unreserved_pool(aws):
    # given two functions, one with 300 reserved
    make_functions(aws, 2)
    lam = client(aws, "lambda")
    lam.put_function_concurrency(FunctionName="fn-0000", ReservedConcurrentExecutions=300)

    # when
    settings = lam.get_account_settings()

    # then
    limit, usage = settings["AccountLimit"], settings["AccountUsage"]
    assert limit["TotalCodeSize"] == 322122547200
    assert limit["CodeSizeZipped"] == 52428800
    assert limit["CodeSizeUnzipped"] == 262144000
    assert limit["ConcurrentExecutions"] == 1000
    assert limit["UnreservedConcurrentExecutions"] == 700
    assert usage["FunctionCount"] == 2
    assert usage["TotalCodeSize"] == 2 * len(zip_bytes())


def test_account_quota_settings_can_be_set_per_region(aws):
    # given a lower limit in eu-west-1 only
    body = json.dumps(
        {
            "account_id": ACCOUNT,
            "region": "eu-west-1",
            "concurrency_limit": 400,
            "code_storage_offset": 5_000,
        }
    )
    request = urllib.request.Request(  # noqa: S310
        aws + ACCOUNT_SETTINGS_PATH,
        data=body.encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass

    # when / then
    europe_settings = client(aws, "lambda", "eu-west-1").get_account_settings()
    europe, europe_usage = europe_settings["AccountLimit"], europe_settings["AccountUsage"]
    america = client(aws, "lambda").get_account_settings()["AccountLimit"]
    assert europe["ConcurrentExecutions"] == 400
    assert europe["UnreservedConcurrentExecutions"] == 400
    assert europe_usage["TotalCodeSize"] == 5_000
    assert america["ConcurrentExecutions"] == 1000


def test_reserved_concurrency_of_zero_is_reported(aws):
    make_functions(aws, 1)
    lam = client(aws, "lambda")
    lam.put_function_concurrency(FunctionName="fn-0000", ReservedConcurrentExecutions=0)

    assert lam.get_function(FunctionName="fn-0000")["Concurrency"] == {
        "ReservedConcurrentExecutions": 0
    }


# --- Faults for tests ------------------------------------------------------------------------


def inject_fault(endpoint: str, method: str = "POST", **fault) -> int:
    body = json.dumps({"account_id": ACCOUNT, "region": REGION, **fault}).encode()
    request = urllib.request.Request(endpoint + FAULTS_PATH, data=body, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_fault_makes_one_functions_call_answer_an_error_without_a_code(aws):
    # given a fault on fn-0001's GetFunction for two answers
    make_functions(aws, 2)
    lam = client(aws, "lambda", config=Config(retries={"total_max_attempts": 1}))
    assert inject_fault(aws, function_name="fn-0001", operation="GetFunction", times=2) == 200

    # when / then: fn-0001 answers a bare 500, by name or by ARN, then recovers
    for name in ("fn-0001", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn-0001"):
        with pytest.raises(ClientError) as raised:
            lam.get_function(FunctionName=name)
        error = raised.value.response
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
        assert error["Error"]["Code"] == "500"  # the SDK had only the status to go on
        assert "x-amzn-errortype" not in error["ResponseMetadata"]["HTTPHeaders"]
    assert lam.get_function(FunctionName="fn-0001")["Configuration"]["FunctionName"] == "fn-0001"
    # the other function, and the other operation, were never affected
    assert lam.get_function(FunctionName="fn-0000")["Configuration"]["FunctionName"] == "fn-0000"
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName="fn-0001")  # no policy: AWS's own coded 404


def test_a_fault_lasts_until_cleared_or_reset_and_may_name_its_status(aws):
    make_functions(aws, 1)
    lam = client(aws, "lambda", config=Config(retries={"total_max_attempts": 1}))
    assert inject_fault(aws, function_name="fn-0000", operation="GetPolicy", status=404) == 200

    for _ in range(3):
        with pytest.raises(ClientError) as raised:
            lam.get_policy(FunctionName="fn-0000")
        assert raised.value.response["Error"]["Code"] == "404"

    assert inject_fault(aws, method="DELETE") == 200
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName="fn-0000")

    inject_fault(aws, function_name="fn-0000", operation="GetPolicy")

    reset_emulator(aws)
    make_functions(aws, 1)
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName="fn-0000")


def test_a_fault_on_an_operation_it_does_not_cover_is_refused(aws):
    assert inject_fault(aws, function_name="fn-0000", operation="ListFunctions") == 400
    assert inject_fault(aws, function_name="fn-0000", operation="GetPolicy", status=200) == 400


# --- Provisioned concurrency ------------------------------------------------------------------


def test_provisioned_concurrency_put_get_list_delete(aws):
    # given a published version behind an alias
    make_functions(aws, 1)
    lam = client(aws, "lambda")
    version = lam.publish_version(FunctionName="fn-0000")["Version"]
    lam.create_alias(FunctionName="fn-0000", Name="live", FunctionVersion=version)

    # when
    put = lam.put_provisioned_concurrency_config(
        FunctionName="fn-0000", Qualifier="live", ProvisionedConcurrentExecutions=25
    )
    got = lam.get_provisioned_concurrency_config(FunctionName="fn-0000", Qualifier="live")
    listed = lam.list_provisioned_concurrency_configs(FunctionName="fn-0000")

    # then
    assert put["RequestedProvisionedConcurrentExecutions"] == 25
    assert got["AllocatedProvisionedConcurrentExecutions"] == 25
    assert got["Status"] == "READY"
    assert isinstance(got["LastModified"], str)
    (item,) = listed["ProvisionedConcurrencyConfigs"]
    assert item["FunctionArn"].endswith(":function:fn-0000:live")

    lam.delete_provisioned_concurrency_config(FunctionName="fn-0000", Qualifier="live")
    with pytest.raises(ClientError) as error:
        lam.get_provisioned_concurrency_config(FunctionName="fn-0000", Qualifier="live")
    assert error.value.response["Error"]["Code"] == "ProvisionedConcurrencyConfigNotFoundException"


def test_provisioned_concurrency_refuses_latest(aws):
    make_functions(aws, 1)
    with pytest.raises(ClientError) as error:
        client(aws, "lambda").put_provisioned_concurrency_config(
            FunctionName="fn-0000", Qualifier="$LATEST", ProvisionedConcurrentExecutions=1
        )
    assert error.value.response["Error"]["Code"] == "InvalidParameterValueException"


# --- Function URLs ----------------------------------------------------------------------------


def test_function_url_configs_are_listed(aws):
    make_functions(aws, 2)
    lam = client(aws, "lambda")
    lam.create_function_url_config(FunctionName="fn-0000", AuthType="NONE")

    with_url = lam.list_function_url_configs(FunctionName="fn-0000")["FunctionUrlConfigs"]
    without = lam.list_function_url_configs(FunctionName="fn-0001")["FunctionUrlConfigs"]

    assert [c["AuthType"] for c in with_url] == ["NONE"]
    assert with_url[0]["FunctionUrl"].startswith("https://")
    assert without == []


def test_url_auth_type_becomes_a_policy_condition(aws):
    make_functions(aws, 1)
    lam = client(aws, "lambda")
    lam.add_permission(
        FunctionName="fn-0000",
        StatementId="public-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )

    (statement,) = json.loads(lam.get_policy(FunctionName="fn-0000")["Policy"])["Statement"]

    assert statement["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    assert "FunctionUrlAuthType" not in statement


# --- Listings with real pages -----------------------------------------------------------------


def test_list_functions_pages_hold_at_most_fifty(aws):
    make_functions(aws, 120)
    lam = client(aws, "lambda")

    first = lam.list_functions()
    pages = list(lam.get_paginator("list_functions").paginate())
    small = lam.list_functions(MaxItems=7)

    assert len(first["Functions"]) == 50 and "NextMarker" in first
    assert [len(page["Functions"]) for page in pages] == [50, 50, 20]
    names = [fn["FunctionName"] for page in pages for fn in page["Functions"]]
    assert len(set(names)) == 120
    assert len(small["Functions"]) == 7


def test_list_event_source_mappings_filters_by_name_or_arn_and_pages_by_hundred(aws):
    # given 3 functions, the first with 205 SQS mappings, the others with one each
    make_functions(aws, 3)
    lam, sqs = client(aws, "lambda"), client(aws, "sqs")
    arns = {}
    for number in range(207):
        url = sqs.create_queue(QueueName=f"q{number}")["QueueUrl"]
        arns[number] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
    for number in range(205):
        lam.create_event_source_mapping(FunctionName="fn-0000", EventSourceArn=arns[number])
    lam.create_event_source_mapping(FunctionName="fn-0001", EventSourceArn=arns[205])
    fn2_arn = lam.get_function(FunctionName="fn-0002")["Configuration"]["FunctionArn"]
    lam.create_event_source_mapping(FunctionName=fn2_arn, EventSourceArn=arns[206])

    # when
    all_pages = list(lam.get_paginator("list_event_source_mappings").paginate())
    fn1_arn = lam.get_function(FunctionName="fn-0001")["Configuration"]["FunctionArn"]
    by_arn = lam.list_event_source_mappings(FunctionName=fn1_arn)["EventSourceMappings"]
    by_name = lam.list_event_source_mappings(FunctionName="fn-0002")["EventSourceMappings"]
    fn0_pages = list(
        lam.get_paginator("list_event_source_mappings").paginate(FunctionName="fn-0000")
    )

    # then
    assert [len(p["EventSourceMappings"]) for p in all_pages] == [100, 100, 7]
    assert [m["EventSourceArn"] for m in by_arn] == [arns[205]]
    assert [m["EventSourceArn"] for m in by_name] == [arns[206]]
    assert sum(len(p["EventSourceMappings"]) for p in fn0_pages) == 205
    assert len(lam.list_event_source_mappings(MaxItems=3)["EventSourceMappings"]) == 3


# --- Layers and configuration fields ----------------------------------------------------------


def test_layer_version_is_found_by_arn(aws):
    lam = client(aws, "lambda")
    published = lam.publish_layer_version(LayerName="shared", Content={"ZipFile": zip_bytes(500)})

    found = lam.get_layer_version_by_arn(Arn=published["LayerVersionArn"])

    assert found["Content"]["CodeSize"] == published["Content"]["CodeSize"]
    assert found["Version"] == 1


def test_dead_letter_snapstart_and_logging_config_are_kept(aws):
    make_functions(
        aws,
        1,
        DeadLetterConfig={"TargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"},
        SnapStart={"ApplyOn": "PublishedVersions"},
        LoggingConfig={"LogFormat": "JSON", "LogGroup": "/acme/fn"},
    )
    lam = client(aws, "lambda")

    config = lam.get_function(FunctionName="fn-0000")["Configuration"]
    listed = lam.list_functions()["Functions"][0]
    lam.update_function_configuration(FunctionName="fn-0000", DeadLetterConfig={"TargetArn": ""})

    assert config["DeadLetterConfig"]["TargetArn"].endswith(":dlq")
    assert config["SnapStart"]["ApplyOn"] == "PublishedVersions"
    assert config["LoggingConfig"] == {"LogFormat": "JSON", "LogGroup": "/acme/fn"}
    assert listed["DeadLetterConfig"] == config["DeadLetterConfig"]
    after = lam.get_function(FunctionName="fn-0000")["Configuration"]
    assert "DeadLetterConfig" not in after


# --- STS --------------------------------------------------------------------------------------


def _trust_with_external_id(external_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
                }
            ],
        }
    )


def _iam_in(endpoint: str, account: str):
    iam = client(endpoint, "iam")
    iam.meta.events.register(
        "before-sign.iam.*",
        lambda request, **_: request.headers.__setitem__("x-moto-account-id", account),
    )
    return iam


def test_assume_role_enforces_the_external_id(aws):
    # given a role in another account that requires an ExternalId
    demo = "210987654321"
    _iam_in(aws, demo).create_role(
        RoleName="Reader", AssumeRolePolicyDocument=_trust_with_external_id("acme-7f3a")
    )
    sts = client(aws, "sts")
    role = f"arn:aws:iam::{demo}:role/Reader"

    # when / then: the right ExternalId works and lands in that account
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="scan", ExternalId="acme-7f3a")[
        "Credentials"
    ]
    assumed = client(
        aws,
        "sts",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    assert assumed.get_caller_identity()["Account"] == demo

    for kwargs in ({"ExternalId": "wrong-id"}, {}):
        with pytest.raises(ClientError) as error:
            sts.assume_role(RoleArn=role, RoleSessionName="scan", **kwargs)
        assert error.value.response["Error"]["Code"] == "AccessDenied"
        assert role in error.value.response["Error"]["Message"]


def test_assume_role_refuses_an_unknown_role_in_a_set_up_account(aws):
    demo = "210987654321"
    _iam_in(aws, demo).create_role(
        RoleName="Reader", AssumeRolePolicyDocument=_trust_with_external_id("x-1")
    )
    sts = client(aws, "sts")

    with pytest.raises(ClientError) as error:
        sts.assume_role(
            RoleArn=f"arn:aws:iam::{demo}:role/Typo", RoleSessionName="scan", ExternalId="x-1"
        )
    assert error.value.response["Error"]["Code"] == "AccessDenied"


# --- CloudWatch GetMetricData -----------------------------------------------------------------

HOUR = 3600


def _hour_start(hours_ago: int) -> datetime:
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return now - timedelta(hours=hours_ago)


def _query(query_id: str, metric: str, stat: str, function: str | None = "api", period=HOUR):
    dimensions = [{"Name": "FunctionName", "Value": function}] if function else []
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {"Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": dimensions},
            "Period": period,
            "Stat": stat,
        },
    }


def test_get_metric_data_statistics_and_percentiles(aws):
    # given 3 hours of Duration distributions and Invocations sums for one function
    cw = client(aws, "cloudwatch")
    data = []
    for hours_ago in (3, 2, 1):
        at = _hour_start(hours_ago) + timedelta(minutes=30)
        dims = [{"Name": "FunctionName", "Value": "api"}]
        data.append(
            {
                "MetricName": "Duration",
                "Dimensions": dims,
                "Timestamp": at,
                "Values": [100.0, 200.0, 900.0 + hours_ago],
                "Counts": [90.0, 9.0, 1.0],
                "Unit": "Milliseconds",
            }
        )
        data.append(
            {"MetricName": "Invocations", "Dimensions": dims, "Timestamp": at, "Value": 100}
        )
    data.append({"MetricName": "ConcurrentExecutions", "Timestamp": _hour_start(1), "Value": 42})
    cw.put_metric_data(Namespace="AWS/Lambda", MetricData=data)

    # when
    result = cw.get_metric_data(
        StartTime=_hour_start(4),
        EndTime=_hour_start(0),
        ScanBy="TimestampAscending",
        MetricDataQueries=[
            _query("inv", "Invocations", "Sum"),
            _query("avg", "Duration", "Average"),
            _query("max", "Duration", "Maximum"),
            _query("p99", "Duration", "p99"),
            _query("p50", "Duration", "p50"),
            _query("n", "Duration", "SampleCount"),
            _query("acct", "ConcurrentExecutions", "Maximum", function=None),
            _query("other", "Invocations", "Sum", function="missing"),
        ],
    )

    # then
    by_id = {r["Id"]: r for r in result["MetricDataResults"]}
    assert by_id["inv"]["Values"] == [100, 100, 100]
    assert [t.hour for t in by_id["inv"]["Timestamps"]] == [_hour_start(h).hour for h in (3, 2, 1)]
    assert by_id["avg"]["Values"][0] == pytest.approx((9000 + 1800 + 903) / 100)
    assert by_id["max"]["Values"] == [903, 902, 901]
    assert by_id["p99"]["Values"] == [200, 200, 200]
    assert by_id["p50"]["Values"] == [100, 100, 100]
    assert by_id["n"]["Values"] == [100, 100, 100]
    assert by_id["acct"]["Values"] == [42]
    assert by_id["other"]["Values"] == []
    assert all(r["StatusCode"] == "Complete" for r in result["MetricDataResults"])


def test_get_metric_data_scans_descending_by_default_and_sums_periods(aws):
    cw = client(aws, "cloudwatch")
    dims = [{"Name": "FunctionName", "Value": "api"}]
    cw.put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {"MetricName": "Errors", "Dimensions": dims, "Timestamp": _hour_start(h), "Value": h}
            for h in range(1, 25)
        ],
    )

    hourly = cw.get_metric_data(
        StartTime=_hour_start(24),
        EndTime=_hour_start(0),
        MetricDataQueries=[_query("e", "Errors", "Sum")],
    )["MetricDataResults"][0]
    daily = cw.get_metric_data(
        StartTime=_hour_start(24),
        EndTime=_hour_start(0),
        MetricDataQueries=[_query("e", "Errors", "Sum", period=86400)],
    )["MetricDataResults"][0]

    assert hourly["Values"] == list(range(1, 25))  # newest first
    assert daily["Values"] == [sum(range(1, 25))]


def test_get_metric_data_paginates_by_max_datapoints(aws):
    cw = client(aws, "cloudwatch")
    for name in ("a", "b"):
        dims = [{"Name": "FunctionName", "Value": name}]
        cw.put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[
                {
                    "MetricName": "Invocations",
                    "Dimensions": dims,
                    "Timestamp": _hour_start(h),
                    "Value": 1,
                }
                for h in range(1, 11)
            ],
        )
    queries = [_query("a", "Invocations", "Sum", "a"), _query("b", "Invocations", "Sum", "b")]

    pages = list(
        cw.get_paginator("get_metric_data").paginate(
            StartTime=_hour_start(12),
            EndTime=_hour_start(0),
            MetricDataQueries=queries,
            MaxDatapoints=6,
        )
    )

    assert len(pages) == 4
    assert pages[0]["MetricDataResults"][0]["StatusCode"] == "PartialData"
    counts: dict[str, int] = {}
    for page in pages:
        for result in page["MetricDataResults"]:
            counts[result["Id"]] = counts.get(result["Id"], 0) + len(result["Values"])
    assert counts == {"a": 10, "b": 10}


def test_get_metric_data_refuses_more_than_500_queries(aws):
    cw = client(aws, "cloudwatch")
    queries = [_query(f"q{n}", "Invocations", "Sum") for n in range(501)]

    with pytest.raises(ClientError) as error:
        cw.get_metric_data(
            StartTime=_hour_start(2), EndTime=_hour_start(0), MetricDataQueries=queries
        )
    assert error.value.response["Error"]["Code"] == "ValidationError"


def test_list_metrics_lists_each_series_once(aws):
    cw = client(aws, "cloudwatch")
    dims = [{"Name": "FunctionName", "Value": "api"}]
    cw.put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": "ProvisionedConcurrencyUtilization",
                "Dimensions": [*dims, {"Name": "Resource", "Value": "api:live"}],
                "Timestamp": _hour_start(h),
                "Value": 0.1,
            }
            for h in range(1, 5)
        ]
        + [
            {
                "MetricName": "Invocations",
                "Dimensions": dims,
                "Timestamp": _hour_start(1),
                "Value": 3,
            }
        ],
    )

    listed = cw.list_metrics(
        Namespace="AWS/Lambda", MetricName="ProvisionedConcurrencyUtilization"
    )["Metrics"]
    by_dimension_name = cw.list_metrics(Namespace="AWS/Lambda", Dimensions=[{"Name": "Resource"}])[
        "Metrics"
    ]

    assert len(listed) == 1
    assert {d["Name"] for d in listed[0]["Dimensions"]} == {"FunctionName", "Resource"}
    assert [m["MetricName"] for m in by_dimension_name] == ["ProvisionedConcurrencyUtilization"]
