"""Builds the demo company's AWS account in the emulator, with boto3 only (no Django).

1. With the emulator's root credentials, in the demo account: the read-only role
   ``LambdaAdvisorReadOnly`` (its trust policy requires the ExternalId), the functions' execution
   role, and ``OrganizationAccountAccessRole`` (how an organisation's admin enters a member
   account).
2. Assume ``OrganizationAccountAccessRole`` and build, per region, everything in ``acme.py``:
   queues, topics, buckets, streams, tables, layers, functions (zip and image), versions,
   aliases, reserved and provisioned concurrency, resource-policy permissions, S3/SNS/EventBridge
   triggers, event source mappings, REST and HTTP APIs, function URLs, log groups, and 14 days
   of hourly metrics.
3. Assume ``LambdaAdvisorReadOnly`` with the ExternalId, as the product will, to prove it works.

Seeding an account twice raises ``DemoAlreadySeeded`` (the metrics would double); restart the
emulator or POST ``/moto-api/reset`` first. ``functions_per_region`` adds generated functions
(with lighter metrics) until each region holds that many, for benchmarks; ``aliased_share``
puts that share of them behind alias "live" in the shapes of the demo's aliased functions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import time
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from advisor.demo import acme, traffic
from advisor.demo.acme import MB, Api, Fn, Mapping, Traffic

DEMO_ACCOUNT_ID = "210987654321"
DEFAULT_EXTERNAL_ID = "lambda-advisor-demo"
DEFAULT_REGIONS = ("us-east-1", "eu-west-1")
READ_ONLY_ROLE = "LambdaAdvisorReadOnly"
ADMIN_ROLE = "OrganizationAccountAccessRole"
EXECUTION_ROLE = "acme-lambda-execution"
# The account the product runs in: the emulator's default credentials belong to it.
PRODUCT_ACCOUNT_ID = "123456789012"
ACCOUNT_SETTINGS_PATH = "/moto-api/lambda-advisor/account-settings"
MAPPING_STATE_PATH = "/moto-api/lambda-advisor/mapping-state"
SCHEDULER_ROLE = "acme-scheduler-invoke"
ARTIFACT_BUCKET = "acme-build-artifacts-{region}"
LIVE_ALIAS = "live"
STAGE_ALIAS = "alias"  # the stage variable a stage-variable API names its alias with
WORKERS = 8

# What the read-only role may do: the scan's reads, nothing else.
READ_ONLY_ACTIONS = [
    "lambda:List*",
    "lambda:Get*",
    "apigateway:GET",
    "sqs:GetQueueAttributes",
    "sqs:ListQueues",
    "logs:DescribeLogGroups",
    "cloudwatch:GetMetricData",
    "cloudwatch:ListMetrics",
    "ecr:DescribeImages",
    "ec2:DescribeSubnets",
    "events:ListEventBuses",
    "events:ListRules",
    "events:ListTargetsByRule",
    "scheduler:ListSchedules",
    "states:ListStateMachines",
    "states:DescribeStateMachine",
    "pipes:ListPipes",
    "pipes:DescribePipe",
]

ProgressFn = Callable[[str], None]


class DemoAlreadySeeded(RuntimeError):
    pass


@dataclass
class SeedReport:
    account_id: str
    role_arn: str
    external_id: str
    regions: list[str]
    functions: dict[str, int] = field(default_factory=dict)
    apis: dict[str, int] = field(default_factory=dict)
    event_source_mappings: dict[str, int] = field(default_factory=dict)
    queues: dict[str, int] = field(default_factory=dict)
    metric_data_points: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_functions(self) -> int:
        return sum(self.functions.values())


def seed_demo(
    *,
    endpoint_url: str,
    account_id: str = DEMO_ACCOUNT_ID,
    external_id: str = DEFAULT_EXTERNAL_ID,
    regions: Iterable[str] = DEFAULT_REGIONS,
    functions_per_region: int | None = None,
    aliased_share: float = 0.0,
    now: datetime | None = None,
    progress: ProgressFn | None = None,
) -> SeedReport:
    regions = list(regions)
    say = progress or (lambda _message: None)
    started = time.monotonic()
    role_arn = f"arn:aws:iam::{account_id}:role/{READ_ONLY_ROLE}"
    report = SeedReport(account_id, role_arn, external_id, regions)

    bootstrap_roles(endpoint_url=endpoint_url, account_id=account_id, external_id=external_id)
    admin = assume(endpoint_url, f"arn:aws:iam::{account_id}:role/{ADMIN_ROLE}", None, regions[0])
    if already_seeded(admin, endpoint_url, regions[0]):
        raise DemoAlreadySeeded(
            f"Account {account_id} in {endpoint_url} already holds the demo "
            f"(orders-api exists in {regions[0]}). Restart the emulator, or POST "
            f"{endpoint_url}/moto-api/reset, and seed again."
        )
    report.seconds["roles"] = time.monotonic() - started

    end = (now or datetime.now(UTC)).astimezone(UTC)
    for slot, region in enumerate(regions):
        region_started = time.monotonic()
        builder = RegionBuilder(
            session=admin,
            endpoint_url=endpoint_url,
            account_id=account_id,
            region=region,
            slot=slot,
            end=end,
            say=say,
        )
        builder.build(functions_per_region, aliased_share)
        report.functions[region] = len(builder.functions)
        report.apis[region] = builder.api_count
        report.event_source_mappings[region] = builder.mapping_count
        report.queues[region] = len(builder.queue_arns)
        report.metric_data_points[region] = builder.metric_points
        report.seconds[region] = time.monotonic() - region_started

    # The product's way in must work: assume the read-only role with the ExternalId.
    assume(endpoint_url, role_arn, external_id, regions[0])
    report.seconds["total"] = time.monotonic() - started
    return report


# --- the account and its roles ----------------------------------------------------------------


def _config() -> Config:
    # Parameter validation off: the seed's requests are fixed and it sends ~100k metric items.
    return Config(
        parameter_validation=False,
        retries={"max_attempts": 3, "mode": "standard"},
        max_pool_connections=WORKERS * 2,
        read_timeout=120,
    )


def root_client(service: str, *, endpoint_url: str, account_id: str, region: str = "us-east-1"):
    """A client acting in ``account_id`` with the emulator's root credentials (moto's
    ``x-moto-account-id`` header): how the demo builds accounts nobody can assume a role in yet."""
    client = boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 (the emulator's dummy credentials)
        config=_config(),
    )
    client.meta.events.register(
        "before-sign",  # this client's own events: every request it signs
        lambda request, **_: request.headers.__setitem__("x-moto-account-id", account_id),
    )
    return client


def bootstrap_roles(*, endpoint_url: str, account_id: str, external_id: str) -> None:
    """The demo account's roles, created with the emulator's root credentials in that account.
    Idempotent: existing roles get the trust policy set."""
    iam = root_client("iam", endpoint_url=endpoint_url, account_id=account_id)
    product_root = f"arn:aws:iam::{PRODUCT_ACCOUNT_ID}:root"
    roles = {
        READ_ONLY_ROLE: (
            trust_policy({"AWS": product_root}, {"StringEquals": {"sts:ExternalId": external_id}}),
            {"Effect": "Allow", "Action": READ_ONLY_ACTIONS, "Resource": "*"},
        ),
        ADMIN_ROLE: (
            trust_policy({"AWS": product_root}),
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
        ),
        SCHEDULER_ROLE: (
            trust_policy({"Service": "scheduler.amazonaws.com"}),
            {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"},
        ),
        EXECUTION_ROLE: (
            trust_policy({"Service": "lambda.amazonaws.com"}),
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments"],
                "Resource": "*",
            },
        ),
    }
    for name, (trust, permissions) in roles.items():
        put_role(iam, name, trust=trust, permissions=permissions)


def put_role(iam: Any, name: str, *, trust: dict, permissions: dict) -> None:
    """The role with this trust policy and one inline policy statement (created, or updated)."""
    try:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    except ClientError as error:
        if error.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
    iam.put_role_policy(
        RoleName=name,
        PolicyName=f"{name}-policy",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [permissions]}),
    )


def trust_policy(principal: dict[str, str], condition: dict | None = None) -> dict:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def assume(endpoint_url: str, role_arn: str, external_id: str | None, region: str) -> boto3.Session:
    sts = boto3.client(
        "sts",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 (the emulator's dummy credentials)
    )
    kwargs = {"ExternalId": external_id} if external_id else {}
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="acme-demo-seed", **kwargs)[
        "Credentials"
    ]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


def already_seeded(session: boto3.Session, endpoint_url: str, region: str) -> bool:
    lam = session.client("lambda", region_name=region, endpoint_url=endpoint_url)
    try:
        lam.get_function(FunctionName=acme.FUNCTIONS[0].name)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ResourceNotFoundException":
            return False
        raise
    return True


def set_account_settings(endpoint_url: str, account_id: str, region: str, **settings) -> None:
    """The emulator's quota-level settings (concurrency_limit, code_storage_offset)."""
    body = json.dumps({"account_id": account_id, "region": region, **settings}).encode()
    request = urllib.request.Request(  # noqa: S310 (the emulator's own URL)
        endpoint_url.rstrip("/") + ACCOUNT_SETTINGS_PATH,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310
        pass


# --- one region -------------------------------------------------------------------------------


def small_zip(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "handler.py",
            f'"""{name}"""\n\ndef handler(event, context):\n    return {{"ok": True}}\n',
        )
    return buffer.getvalue()


class RegionBuilder:
    def __init__(
        self,
        *,
        session: boto3.Session,
        endpoint_url: str,
        account_id: str,
        region: str,
        slot: int,
        end: datetime,
        say: ProgressFn,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.account_id = account_id
        self.region = region
        self.slot = slot
        self.end = end
        self.say = say
        config = _config()

        def client(service: str):
            return session.client(
                service, region_name=region, endpoint_url=endpoint_url, config=config
            )

        self.lam = client("lambda")
        self.s3 = client("s3")
        self.ecr = client("ecr")
        self.sqs = client("sqs")
        self.sns = client("sns")
        self.events = client("events")
        self.scheduler = client("scheduler")
        self.kinesis = client("kinesis")
        self.dynamodb = client("dynamodb")
        self.apigw = client("apigateway")
        self.apigwv2 = client("apigatewayv2")
        self.logs = client("logs")
        self.cloudwatch = client("cloudwatch")
        self.ec2 = client("ec2")
        self.subnets: list[str] = []
        self.security_group: str | None = None
        self.functions: list[Fn] = []
        self.function_arns: dict[str, str] = {}
        # What triggers invoke: the alias ARN for functions behind "live", else the function's
        self.target_arns: dict[str, str] = {}
        self.queue_arns: dict[str, str] = {}
        self.topic_arns: dict[str, str] = {}
        self.stream_arns: dict[str, str] = {}
        self.layer_arns: dict[str, str] = {}
        self.api_count = 0
        self.mapping_count = 0
        self.metric_points = 0
        self.stage_seconds: dict[str, float] = {}
        self.role_arn = f"arn:aws:iam::{account_id}:role/{EXECUTION_ROLE}"
        self.artifacts = ARTIFACT_BUCKET.format(region=region)

    # -- orchestration --

    def build(self, functions_per_region: int | None, aliased_share: float = 0.0) -> None:
        acme_functions = [fn for fn in acme.FUNCTIONS if fn.slot == self.slot]
        fillers = filler_functions(
            self.slot, len(acme_functions), functions_per_region, aliased_share
        )
        self.functions = acme_functions + fillers
        self.say(f"{self.region}: {len(self.functions)} functions")
        stages: list[tuple[str, Callable[[], None]]] = [
            ("sources", self._buckets_topics_streams_tables),
            ("queues", lambda: self._queues(fillers)),
            ("layers and network", lambda: (self._layers(), self._network())),
            ("functions", lambda: self._parallel(self._create_function, self.functions)),
            ("triggers", lambda: self._triggers(acme_functions, fillers)),
            ("apis", self._apis),
            ("log groups", self._log_groups),
            ("metrics", lambda: self._metrics(acme_functions, fillers)),
        ]
        for name, stage in stages:
            started = time.monotonic()
            stage()
            self.stage_seconds[name] = time.monotonic() - started
            self.say(f"{self.region}: {name} ({self.stage_seconds[name]:.1f} s)")

    def _triggers(self, acme_functions: list[Fn], fillers: list[Fn]) -> None:
        self._parallel(self._configure_function, acme_functions)
        # Generated functions behind an alias are configured as the demo's own (version,
        # alias, permissions and destinations on the alias); the others only get mappings.
        self._parallel(self._configure_function, [fn for fn in fillers if fn.alias])
        self._parallel(self._wire_filler, [fn for fn in fillers if not fn.alias])
        self.mapping_count = sum(len(fn.mappings) for fn in self.functions)
        self._s3_notifications()
        set_account_settings(
            self.endpoint_url,
            self.account_id,
            self.region,
            code_storage_offset=acme.CODE_STORAGE_OFFSET.get(self.slot, 0),
        )

    def _parallel(self, work: Callable[[Any], None], items: Iterable[Any]) -> None:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for _ in pool.map(work, items):
                pass

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"

    # -- event sources and their targets --

    def _bucket(self, name: str) -> None:
        kwargs: dict[str, Any] = {"Bucket": name}
        if self.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        self.s3.create_bucket(**kwargs)

    def _buckets_topics_streams_tables(self) -> None:
        self._bucket(self.artifacts)
        for bucket in acme.BUCKETS.get(self.slot, ()):
            self._bucket(bucket)
        for topic in acme.TOPICS.get(self.slot, ()):
            self.topic_arns[topic] = self.sns.create_topic(Name=topic)["TopicArn"]
        for stream in acme.STREAMS.get(self.slot, ()):
            self.kinesis.create_stream(StreamName=stream, ShardCount=4)
            summary = self.kinesis.describe_stream_summary(StreamName=stream)
            self.stream_arns[stream] = summary["StreamDescriptionSummary"]["StreamARN"]
        for table in acme.TABLES.get(self.slot, ()):
            created = self.dynamodb.create_table(
                TableName=table,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            )
            self.stream_arns[table] = created["TableDescription"]["LatestStreamArn"]

    def _queues(self, fillers: list[Fn]) -> None:
        queues = [q for q in acme.QUEUES if acme.QUEUE_SLOT.get(q.name, 0) == self.slot]
        queues += [acme.Queue(q, visibility_s=180) for q in sorted(_filler_queues(fillers))]
        # Dead-letter queues first: a redrive policy names an existing queue.
        for queue in sorted(queues, key=lambda q: q.redrive_to is not None):
            attributes = {
                "VisibilityTimeout": str(queue.visibility_s),
                "MessageRetentionPeriod": str(queue.retention_s),
            }
            if queue.redrive_to:
                attributes["RedrivePolicy"] = json.dumps(
                    {
                        "deadLetterTargetArn": self.queue_arns[queue.redrive_to],
                        "maxReceiveCount": queue.max_receive,
                    }
                )
            self.sqs.create_queue(QueueName=queue.name, Attributes=attributes)
            self.queue_arns[queue.name] = self._arn("sqs", queue.name)

    def _destination(self, name: str) -> str:
        return self.queue_arns.get(name) or self.topic_arns[name]

    def _layers(self) -> None:
        wanted = {layer for fn in self.functions for layer in fn.layers}
        for name in sorted(wanted):
            key = f"layers/{name}.zip"
            self.s3.put_object(
                Bucket=self.artifacts, Key=key, Body=b"\0" * int(acme.LAYERS[name] * MB)
            )
            published = self.lam.publish_layer_version(
                LayerName=name,
                Content={"S3Bucket": self.artifacts, "S3Key": key},
                CompatibleArchitectures=["x86_64", "arm64"],
            )
            self.layer_arns[name] = published["LayerVersionArn"]

    def _network(self) -> None:
        """A VPC with three private subnets, one per Availability Zone, for VPC functions."""
        if not any(fn.vpc_subnets for fn in self.functions):
            return
        vpc = self.ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        for number, zone in enumerate("abc"):
            subnet = self.ec2.create_subnet(
                VpcId=vpc,
                CidrBlock=f"10.20.{number * 16}.0/20",
                AvailabilityZone=f"{self.region}{zone}",
            )
            self.subnets.append(subnet["Subnet"]["SubnetId"])
        self.security_group = self.ec2.create_security_group(
            GroupName="acme-lambda", Description="acme functions", VpcId=vpc
        )["GroupId"]

    # -- functions --

    def _create_function(self, fn: Fn) -> None:
        kwargs: dict[str, Any] = {
            "FunctionName": fn.name,
            "Role": self.role_arn,
            "MemorySize": fn.memory,
            "Timeout": fn.timeout,
            "Architectures": [fn.arch],
            "Description": fn.description,
            "TracingConfig": {"Mode": "Active" if fn.tracing else "PassThrough"},
            "Tags": {"team": _team(fn), "service": fn.name, **fn.tags},
        }
        if fn.image:
            repository = f"{self.account_id}.dkr.ecr.{self.region}.amazonaws.com/acme/{fn.name}"
            self._push_image(f"acme/{fn.name}", "2026-11-02", fn.image_mb)
            kwargs["PackageType"] = "Image"
            kwargs["Code"] = {"ImageUri": f"{repository}:2026-11-02"}
        else:
            kwargs["Runtime"] = fn.runtime
            kwargs["Handler"] = _handler(fn.runtime)
            if fn.package_mb:
                key = f"functions/{fn.name}.zip"
                body = b"PK" + b"\0" * int(fn.package_mb * MB)
                self.s3.put_object(Bucket=self.artifacts, Key=key, Body=body)
                kwargs["Code"] = {"S3Bucket": self.artifacts, "S3Key": key}
            else:
                kwargs["Code"] = {"ZipFile": small_zip(fn.name)}
        if fn.layers:
            kwargs["Layers"] = [self.layer_arns[name] for name in fn.layers]
        if fn.env:
            kwargs["Environment"] = {"Variables": fn.env}
        if fn.dead_letter:
            kwargs["DeadLetterConfig"] = {"TargetArn": self._destination(fn.dead_letter)}
        if fn.snap_start:
            kwargs["SnapStart"] = {"ApplyOn": "PublishedVersions"}
        if fn.json_log_levels:
            application, system = fn.json_log_levels
            kwargs["LoggingConfig"] = {
                "LogFormat": "JSON",
                "ApplicationLogLevel": application,
                "SystemLogLevel": system,
            }
        if fn.vpc_subnets:
            kwargs["VpcConfig"] = {
                "SubnetIds": self.subnets[: fn.vpc_subnets],
                "SecurityGroupIds": [self.security_group],
            }
        created = self.lam.create_function(**kwargs)
        self.function_arns[fn.name] = created["FunctionArn"]
        self.target_arns[fn.name] = (
            f"{created['FunctionArn']}:{LIVE_ALIAS}" if fn.alias else created["FunctionArn"]
        )

    def _push_image(self, repository: str, tag: str, size_mb: float) -> None:
        """An image in ECR the function deploys from: a manifest whose layers add up to the
        size (ECR's imageSizeInBytes; no layer blob is uploaded)."""
        self.ecr.create_repository(repositoryName=repository)
        layers = [size_mb * share for share in (0.55, 0.3, 0.15)]  # base, runtime, app
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 7_000,
                "digest": "sha256:" + hashlib.sha256(f"{repository}:config".encode()).hexdigest(),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": int(layer * MB),
                    "digest": "sha256:"
                    + hashlib.sha256(f"{repository}:{tag}:{i}".encode()).hexdigest(),
                }
                for i, layer in enumerate(layers)
            ],
        }
        self.ecr.put_image(
            repositoryName=repository, imageManifest=json.dumps(manifest), imageTag=tag
        )

    def _configure_function(self, fn: Fn) -> None:
        lam, arn = self.lam, self.target_arns[fn.name]
        # Where the triggers' permissions and the async config go: the alias, when they invoke it
        on_alias: dict[str, str] = {"Qualifier": LIVE_ALIAS} if fn.alias else {}
        if fn.reserved is not None:
            lam.put_function_concurrency(
                FunctionName=fn.name, ReservedConcurrentExecutions=fn.reserved
            )
        if fn.provisioned or fn.snap_start or fn.alias:
            self._publish(fn)
            if fn.provisioned:
                lam.put_provisioned_concurrency_config(
                    FunctionName=fn.name,
                    Qualifier=LIVE_ALIAS,
                    ProvisionedConcurrentExecutions=fn.provisioned,
                )
        if fn.on_failure or fn.on_success or fn.async_retries is not None:
            destinations = {}
            if fn.on_failure:
                destinations["OnFailure"] = {"Destination": self._destination(fn.on_failure)}
            if fn.on_success:
                destinations["OnSuccess"] = {"Destination": self._destination(fn.on_success)}
            lam.put_function_event_invoke_config(
                FunctionName=fn.name,
                MaximumRetryAttempts=2 if fn.async_retries is None else fn.async_retries,
                DestinationConfig=destinations,
                **on_alias,
            )
        if fn.url_auth:
            lam.create_function_url_config(FunctionName=fn.name, AuthType=fn.url_auth)
            if fn.url_auth == "NONE":
                lam.add_permission(
                    FunctionName=fn.name,
                    StatementId="FunctionURLAllowPublicAccess",
                    Action="lambda:InvokeFunctionUrl",
                    Principal="*",
                    FunctionUrlAuthType="NONE",
                )
        if fn.public_invoke:
            lam.add_permission(
                FunctionName=fn.name,
                StatementId="partner-invoke",
                Action="lambda:InvokeFunction",
                Principal="*",
            )
        if fn.sns_topic:
            topic = self.topic_arns[fn.sns_topic]
            self._allow(fn, "sns.amazonaws.com", topic, "sns")
            self.sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
        if fn.schedule or fn.event_pattern:
            rule = f"{fn.name}-trigger"
            if fn.schedule:
                rule_arn = self.events.put_rule(Name=rule, ScheduleExpression=fn.schedule)
            else:
                rule_arn = self.events.put_rule(Name=rule, EventPattern=fn.event_pattern)
            self._allow(fn, "events.amazonaws.com", rule_arn["RuleArn"], "events")
            self.events.put_targets(Rule=rule, Targets=[{"Id": fn.name, "Arn": arn}])
        if fn.scheduler:
            # Scheduler invokes with its role: no statement in the function's policy.
            self.scheduler.create_schedule(
                Name=f"{fn.name}-schedule",
                ScheduleExpression=fn.scheduler,
                FlexibleTimeWindow={"Mode": "OFF"},
                Target={
                    "Arn": arn,
                    "RoleArn": f"arn:aws:iam::{self.account_id}:role/{SCHEDULER_ROLE}",
                },
            )
        if fn.s3_bucket:
            self._allow(fn, "s3.amazonaws.com", f"arn:aws:s3:::{fn.s3_bucket}", "s3")
        for mapping in fn.mappings:
            self._mapping(fn, mapping)

    def _publish(self, fn: Fn) -> None:
        """Version 1 behind alias "live"; with a canary, version 2 (a new deployment) takes
        its share of "live"; with ``latest_timeout``, $LATEST then changes without a publish."""
        lam = self.lam
        version = lam.publish_version(FunctionName=fn.name)["Version"]
        alias: dict[str, Any] = {"FunctionVersion": version}
        if fn.canary:
            lam.update_function_configuration(
                FunctionName=fn.name, Description=f"{fn.description} (next release)"
            )
            canary = lam.publish_version(FunctionName=fn.name)["Version"]
            alias["RoutingConfig"] = {"AdditionalVersionWeights": {canary: fn.canary}}
        lam.create_alias(FunctionName=fn.name, Name=LIVE_ALIAS, **alias)
        if fn.latest_timeout is not None:
            lam.update_function_configuration(FunctionName=fn.name, Timeout=fn.latest_timeout)

    def _allow(self, fn: Fn, principal: str, source_arn: str, sid: str) -> None:
        self.lam.add_permission(
            FunctionName=fn.name,
            StatementId=f"{sid}-invoke",
            Action="lambda:InvokeFunction",
            Principal=principal,
            SourceArn=source_arn,
            SourceAccount=self.account_id,
            **({"Qualifier": LIVE_ALIAS} if fn.alias else {}),
        )

    def _mapping(self, fn: Fn, mapping: Mapping) -> None:
        kwargs: dict[str, Any] = {
            "FunctionName": f"{fn.name}:{LIVE_ALIAS}" if fn.alias else fn.name,
            "BatchSize": mapping.batch_size,
            "MaximumBatchingWindowInSeconds": mapping.window_s,
            "Enabled": mapping.enabled,
        }
        if mapping.kind == "sqs":
            kwargs["EventSourceArn"] = self.queue_arns[mapping.source]
            if mapping.max_concurrency is not None:
                kwargs["ScalingConfig"] = {"MaximumConcurrency": mapping.max_concurrency}
        else:
            kwargs["EventSourceArn"] = self.stream_arns[mapping.source]
            kwargs["StartingPosition"] = "LATEST"
            kwargs["BisectBatchOnFunctionError"] = mapping.bisect
            if mapping.max_retries is not None:
                kwargs["MaximumRetryAttempts"] = mapping.max_retries
            if mapping.on_failure:
                kwargs["DestinationConfig"] = {
                    "OnFailure": {"Destination": self._destination(mapping.on_failure)}
                }
        if mapping.partial_batch:
            kwargs["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
        created = self.lam.create_event_source_mapping(**kwargs)
        if mapping.problem:
            # Only Lambda sets these fields (the emulator's endpoint): a disabled mapping is one
            # Lambda disabled, with its reason; an enabled one reports its failing polls.
            state: dict[str, str] = {"last_processing_result": mapping.problem}
            if not mapping.enabled:
                state = {
                    "state": "Disabled",
                    "state_transition_reason": mapping.problem,
                    "last_processing_result": "PROBLEM: Function call failed",
                }
            self._post(
                MAPPING_STATE_PATH,
                {
                    "account_id": self.account_id,
                    "region": self.region,
                    "uuid": created["UUID"],
                    **state,
                },
            )

    def _post(self, path: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(  # noqa: S310 (the emulator's own endpoint)
            f"{self.endpoint_url}{path}",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass

    def _wire_filler(self, fn: Fn) -> None:
        for mapping in fn.mappings:
            self._mapping(fn, mapping)

    def _s3_notifications(self) -> None:
        by_bucket: dict[str, list[Fn]] = {}
        for fn in self.functions:
            if fn.s3_bucket:
                by_bucket.setdefault(fn.s3_bucket, []).append(fn)
        for bucket, functions in by_bucket.items():
            configurations = [
                {
                    "Id": f"{fn.name}-on-upload",
                    "LambdaFunctionArn": self.target_arns[fn.name],
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": f"{prefix}/"}]}},
                }
                for prefix, fn in zip(("uploads", "incoming", "raw"), functions, strict=False)
            ]
            self.s3.put_bucket_notification_configuration(
                Bucket=bucket,
                NotificationConfiguration={"LambdaFunctionConfigurations": configurations},
            )

    # -- APIs --

    def _apis(self) -> None:
        by_api: dict[tuple[str, str], list[tuple[Fn, Api]]] = {}
        for fn in self.functions:
            for api in fn.apis:
                by_api.setdefault((api.kind, api.name), []).append((fn, api))
        for (kind, name), routes in by_api.items():
            if kind == "rest":
                self._rest_api(name, routes)
            else:
                self._http_api(name, routes)
            self.api_count += 1

    def _rest_api(self, name: str, routes: list[tuple[Fn, Api]]) -> None:
        api_id = self.apigw.create_rest_api(
            name=name, endpointConfiguration={"types": ["REGIONAL"]}
        )["id"]
        resources = {
            r["path"]: r["id"] for r in self.apigw.get_resources(restApiId=api_id)["items"]
        }
        for fn, api in routes:
            method, path = api.route.split(" ", 1)
            parent = "/"
            for part in path.strip("/").split("/"):
                current = parent.rstrip("/") + "/" + part
                if current not in resources:
                    resources[current] = self.apigw.create_resource(
                        restApiId=api_id, parentId=resources[parent], pathPart=part
                    )["id"]
                parent = current
            self.apigw.put_method(
                restApiId=api_id,
                resourceId=resources[path],
                httpMethod=method,
                authorizationType="NONE",
            )
            integration: dict[str, Any] = {
                "restApiId": api_id,
                "resourceId": resources[path],
                "httpMethod": method,
                "type": "AWS_PROXY",
                "integrationHttpMethod": "POST",
                "uri": _invocation_uri(self.region, self.target_arns[fn.name]),
            }
            if api.stage_variable:
                target = f"{self.function_arns[fn.name]}:${{stageVariables.{STAGE_ALIAS}}}"
                integration["uri"] = _invocation_uri(self.region, target)
            if api.timeout_ms:
                integration["timeoutInMillis"] = api.timeout_ms
            self.apigw.put_integration(**integration)
            self._allow_api(fn, f"{api_id}/*/{method}{path}", method)
        variables = {STAGE_ALIAS: LIVE_ALIAS} if any(a.stage_variable for _, a in routes) else {}
        self.apigw.create_deployment(restApiId=api_id, stageName="prod", variables=variables)

    def _http_api(self, name: str, routes: list[tuple[Fn, Api]]) -> None:
        api_id = self.apigwv2.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
        for fn, api in routes:
            integration: dict[str, Any] = {
                "ApiId": api_id,
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": self.target_arns[fn.name],
                "PayloadFormatVersion": "2.0",
            }
            if api.timeout_ms:
                integration["TimeoutInMillis"] = api.timeout_ms
            integration_id = self.apigwv2.create_integration(**integration)["IntegrationId"]
            self.apigwv2.create_route(
                ApiId=api_id, RouteKey=api.route, Target=f"integrations/{integration_id}"
            )
            method, path = api.route.split(" ", 1)
            self._allow_api(fn, f"{api_id}/*/{method}{path}", method)
        self.apigwv2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)

    def _allow_api(self, fn: Fn, resource: str, method: str) -> None:
        self.lam.add_permission(
            FunctionName=fn.name,
            StatementId=f"apigateway-{method.lower()}-{zlib.crc32(resource.encode()):08x}",
            Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
            SourceArn=self._arn("execute-api", resource),
            **({"Qualifier": LIVE_ALIAS} if fn.alias else {}),
        )

    # -- logs --

    def _log_groups(self) -> None:
        def create(fn: Fn) -> None:
            group = f"/aws/lambda/{fn.name}"
            self.logs.create_log_group(logGroupName=group, tags={"team": _team(fn)})
            if fn.log_retention_days:
                self.logs.put_retention_policy(
                    logGroupName=group, retentionInDays=fn.log_retention_days
                )

        self._parallel(create, self.functions)

    # -- metrics --

    def _metrics(self, acme_functions: list[Fn], fillers: list[Fn]) -> None:
        hours = traffic.window(self.end)
        items: list[dict] = []
        contributions = []
        for fn in acme_functions:
            fn_items, series = traffic.function_metrics(fn, hours)
            items.extend(fn_items)
            contributions.append((fn, series))
        # Generated functions get a data point every 12 hours and only the core series
        # (Invocations, Errors, Duration): enough for a benchmark's scan to read real answers.
        sparse_hours = hours[::12]
        for fn in fillers:
            fn_items, _ = traffic.function_metrics(fn, sparse_hours, dense=False)
            items.extend(fn_items)
        reserved = sum(fn.reserved or 0 for fn in self.functions)
        items.extend(traffic.account_metrics(hours, contributions, 1000, reserved))
        self.metric_points = len(items)
        self._parallel(
            lambda batch: self.cloudwatch.put_metric_data(Namespace="AWS/Lambda", MetricData=batch),
            traffic.batches(items),
        )


# --- generated functions (benchmarks) ---------------------------------------------------------

FILLER_KINDS = (
    ("orders-events-handler", "python3.12", "arm64", 512, 30),
    ("catalog-sync-worker", "python3.11", "x86_64", 1024, 120),
    ("notifications-fanout", "nodejs22.x", "arm64", 256, 10),
    ("reporting-etl-step", "python3.12", "x86_64", 2048, 300),
    ("partner-feed-parser", "java21", "x86_64", 1536, 60),
    ("session-cleanup", "nodejs20.x", "x86_64", 128, 3),
)
FILLER_QUEUE_EVERY = 10  # every 10th generated function reads an SQS queue
FUNCTIONS_PER_FILLER_QUEUE = 20


def filler_functions(
    slot: int, existing: int, wanted: int | None, aliased_share: float = 0.0
) -> list[Fn]:
    """``wanted - existing`` generated functions; ``aliased_share`` of them (evenly spread) sit
    behind alias "live" in the shapes of the demo's own aliased functions (ALIASED_SHAPES)."""
    if not wanted or wanted <= existing:
        return []
    prefix = "eu-" if slot else ""
    functions = []
    aliased = 0
    for number in range(wanted - existing):
        base, runtime, arch, memory, timeout = FILLER_KINDS[number % len(FILLER_KINDS)]
        group = number // (FILLER_QUEUE_EVERY * FUNCTIONS_PER_FILLER_QUEUE)
        queue = f"{prefix}bench-jobs-{group:03d}"
        mappings: tuple[Mapping, ...] = ()
        if number % FILLER_QUEUE_EVERY == 0:
            mappings = (Mapping("sqs", queue, batch_size=10),)
        fn = Fn(
            f"{prefix}{base}-{number:05d}",
            runtime,
            slot=slot,
            memory=memory,
            timeout=timeout,
            arch=arch,
            mappings=mappings,
            log_retention_days=14 if number % 3 else None,
            traffic=Traffic("diurnal", 200 + (number * 37) % 5000, 50 + (number * 13) % 900),
            description="generated for benchmarks",
        )
        if int((number + 1) * aliased_share) > int(number * aliased_share):
            shape = ALIASED_SHAPES[aliased % len(ALIASED_SHAPES)]
            fn = _behind_alias(fn, shape, slot, queue)
            aliased += 1
        functions.append(fn)
    return functions


# How generated functions sit behind alias "live", after the demo's own aliased functions:
# an SQS mapping on the alias (returns-worker, enabled), SNS on the alias without a failure
# path (loyalty-points), SNS with the alias's own on-failure destination
# (order-webhooks-dispatcher), a canary at 10 % called through the alias by an application
# (shipping-quotes-api; found by its metrics), EventBridge Scheduler through its role
# (data-export), and an idle alias keeping provisioned concurrency (promo-banner-api) behind a
# disabled mapping.
ALIASED_SHAPES = ("mapping", "sns", "sns-destination", "canary", "scheduler", "idle")
FILLER_DEAD_LETTER = {0: "acme-async-dlq", 1: "acme-eu-dlq"}


def _behind_alias(fn: Fn, shape: str, slot: int, queue: str) -> Fn:
    topics = acme.TOPICS[slot]
    changes: dict[str, Any] = {"alias": True, "description": f"generated behind an alias ({shape})"}
    if shape == "mapping" and not fn.mappings:
        changes["mappings"] = (Mapping("sqs", queue, batch_size=10),)
    elif shape == "sns":
        changes["sns_topic"] = topics[-1]
    elif shape == "sns-destination":
        changes["sns_topic"] = topics[0]
        changes["on_failure"] = FILLER_DEAD_LETTER[slot]
    elif shape == "canary":
        changes["canary"] = 0.1
    elif shape == "scheduler":
        changes["scheduler"] = "rate(1 hour)"
        changes["traffic"] = Traffic("steady", 1, 30_000)
    elif shape == "idle":
        # named by a mapping on the alias that is switched off: no traffic, so only the
        # provisioned-concurrency listing shows its configuration
        changes["mappings"] = (Mapping("sqs", queue, batch_size=10, enabled=False),)
        changes["provisioned"] = 2
        changes["traffic"] = Traffic("sparse", 0, 30)
    return dataclasses.replace(fn, **changes)


def _filler_queues(fillers: list[Fn]) -> set[str]:
    return {m.source for fn in fillers for m in fn.mappings}


def _team(fn: Fn) -> str:
    for word, team in (
        ("order", "commerce"),
        ("checkout", "commerce"),
        ("cart", "commerce"),
        ("payment", "payments"),
        ("refund", "payments"),
        ("invoice", "payments"),
        ("click", "data"),
        ("report", "data"),
        ("search", "discovery"),
        ("catalog", "discovery"),
        ("recommend", "discovery"),
    ):
        if word in fn.name:
            return team
    return "platform"


def _handler(runtime: str | None) -> str:
    if not runtime:
        return ""
    if runtime.startswith("java"):
        return "com.acme.Handler::handleRequest"
    if runtime.startswith("dotnet"):
        return "Acme::Acme.Function::Handler"
    if runtime.startswith("provided"):
        return "bootstrap"
    if runtime.startswith("nodejs"):
        return "index.handler"
    return "handler.handler"


def _invocation_uri(region: str, function_arn: str) -> str:
    return (
        f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )
