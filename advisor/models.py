"""What scans store: the Scan and its per-region parts, the functions seen, and findings that live
across scans (identity: account, rule, resource)."""

from __future__ import annotations

import datetime as dt
import fnmatch

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, Q, When
from django.db.models.functions import Concat, Lower
from django.utils import timezone

from accounts.models import AwsAccount
from advisor.rules.resources import resource_label


class Scan(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Partial"  # finished, but some data could not be seen
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Manual"
        SCHEDULED = "scheduled", "Scheduled"
        COMMAND = "command", "Command line"

    # Not ended yet: an account has at most one such scan (the constraint below).
    ACTIVE = (Status.QUEUED, Status.RUNNING)
    # Ended, one way or another: the status will not change again.
    ENDED = (Status.SUCCEEDED, Status.PARTIAL, Status.FAILED)
    # Ended with the account's functions and findings stored: what pages, reports and the
    # retention window count as an account's scans.
    WITH_RESULTS = (Status.SUCCEEDED, Status.PARTIAL)

    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="scans")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    regions = models.JSONField(default=list)
    # The workspace's rule options (Workspace.rule_options) as they were when the scan was
    # created: every step of the scan (its region tasks, its finish, a later analyse_scans)
    # judges with these, so a threshold changed while it runs cannot split it in two.
    rule_options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    api_calls = models.JSONField(default=dict)  # "lambda.ListFunctions": n
    coverage_gaps = models.JSONField(default=list)
    not_evaluated = models.JSONField(default=list)
    # The top cost opportunities (overview and email), stored by the scan's analysis when it
    # finished; None for scans finished before they were stored (`manage.py analyse_scans`).
    cost_opportunities = models.JSONField(null=True, blank=True)
    function_count = models.PositiveIntegerField(default=0)
    finding_count = models.PositiveIntegerField(default=0)
    # Set when retention dropped this scan's metric series and region inventories (summaries,
    # functions and findings stay); see advisor.services.retention.
    metrics_pruned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two scans of one account never run at once.
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_scan_per_account",
            )
        ]
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self) -> str:
        return f"Scan {self.pk} of {self.account} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def api_call_total(self) -> int:
        return sum(self.api_calls.values())


class ScanRegion(models.Model):
    """One (scan, region) part, written by its own worker task."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    # Still to run, or running: the scan waits for it.
    ACTIVE = (Status.PENDING, Status.RUNNING)
    # Ended, one way or another: the status will not change again.
    ENDED = (Status.DONE, Status.FAILED)

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="parts")
    region = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    progress = models.JSONField(default=dict)  # {"stage": ..., "done": n, "total": n}
    # Written every ADVISOR_SCAN_HEARTBEAT_SECONDS while the region's task runs: a running part
    # whose heartbeat is older than ADVISOR_SCAN_LOST_AFTER_SECONDS has lost its worker (see
    # advisor.services.scan_sweep).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    api_calls = models.JSONField(default=dict)
    inventory = models.JSONField(null=True, blank=True)  # RegionInventory.to_dict()
    # The region's trigger lists (event source mappings, API integrations, push sources,
    # queues), apart from the bulky inventory: a function's page reads these without
    # decompressing every function's metrics. Kept when retention drops the inventory.
    relations = models.JSONField(null=True, blank=True)
    # {function ARN: recommendation JSON} and {function ARN: decision card}, worked out by the
    # region's own task (the framework's crossover search and cost curve are the slow part;
    # done here they run in parallel across regions). decisions None: a region stored before
    # the cards were, worked out again by the finish or analyse_scans.
    recommendations = models.JSONField(default=dict, blank=True)
    decisions = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["region"]
        constraints = [
            models.UniqueConstraint(fields=["scan", "region"], name="one_part_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.scan_id}/{self.region} ({self.status})"


NO_VERDICT = "none"
SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"]


class FunctionRecord(models.Model):
    """A function as one scan saw it."""

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="functions")
    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="functions")
    region = models.CharField(max_length=32)
    arn = models.CharField(max_length=2048)
    name = models.CharField(max_length=170)
    runtime = models.CharField(max_length=32, blank=True)
    architecture = models.CharField(max_length=16, default="x86_64")
    memory_mb = models.PositiveIntegerField()
    timeout_s = models.PositiveIntegerField()
    code_size = models.BigIntegerField(default=0)
    package_type = models.CharField(max_length=8, default="Zip")
    invocations = models.FloatField(null=True, blank=True)
    errors = models.FloatField(null=True, blank=True)
    throttles = models.FloatField(null=True, blank=True)
    duration_p99_ms = models.FloatField(null=True, blank=True)
    # The decision framework's answer, computed once when the scan is stored (the scan JSON's
    # "recommendation"). NO_VERDICT: decided there is none (no metrics, or a region without
    # prices); "": stored without deciding (older scans: `manage.py analyse_scans`).
    verdict = models.CharField(max_length=16, blank=True, db_index=True)
    # How it is invoked, from its triggers: ",async,sync," (delimited so "sync" never matches
    # "async"); "" when stored without it.
    invocation_types = models.CharField(max_length=64, blank=True)
    recommendation = models.JSONField(null=True, blank=True)
    # The decision card of the function's page (advisor.decide.card), stored with the
    # recommendation by the same analysis: its costs and what they are made of, front doors,
    # notes, crossover and cost curve; {"region", "no_prices": True} in a region without
    # prices. None: stored before cards were (`manage.py analyse_scans`).
    decision = models.JSONField(null=True, blank=True)
    config = models.JSONField(default=dict)  # the collected Function, metrics series included

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["scan", "name"]),
            models.Index(fields=["account", "arn"]),
        ]

    def __str__(self) -> str:
        return self.name


class FindingQuerySet(models.QuerySet):
    """The questions asked of findings, by name. Each is a filter (or an order), so they chain
    into one query: ``Finding.objects.for_account(a).open_unsuppressed().worst_first()``."""

    def for_account(self, account: AwsAccount) -> FindingQuerySet:
        return self.filter(account=account)

    def for_accounts(self, accounts) -> FindingQuerySet:
        """Of these accounts: a queryset of them, or a list of their ids."""
        return self.filter(account__in=accounts)

    def concerning(self, function_arn: str) -> FindingQuerySet:
        """About this function (unqualified ARN) wherever they are filed: its own, its queue's,
        its mappings', an account-level one that names it (``FindingFunction``)."""
        return self.filter(concerns__function_arn=function_arn)

    def open(self) -> FindingQuerySet:
        """Still present at the last scan, suppressed or not."""
        return self.filter(status=Finding.Status.OPEN)

    def resolved(self) -> FindingQuerySet:
        return self.filter(status=Finding.Status.RESOLVED)

    def unsuppressed(self, now: dt.datetime | None = None) -> FindingQuerySet:
        """Not hidden by a suppression in force (none, or one that has expired)."""
        return self.filter(_unsuppressed(now or timezone.now()))

    def suppressed(self, now: dt.datetime | None = None) -> FindingQuerySet:
        """Hidden by a suppression in force."""
        return self.filter(_suppressed(now or timezone.now()))

    def open_unsuppressed(self, now: dt.datetime | None = None) -> FindingQuerySet:
        """What the dashboard and the reports call "open": open and not suppressed."""
        return self.open().unsuppressed(now)

    def worst_first(self) -> FindingQuerySet:
        """Critical first; within a severity by rule and resource (the finding_worst_first
        index's order)."""
        return self.order_by("severity_order", "rule_id", "resource_arn")

    def with_suppressed_now(self, now: dt.datetime | None = None) -> FindingQuerySet:
        """Each finding with ``suppressed_now``: whether a suppression in force hides it."""
        hidden = _suppressed(now or timezone.now())
        return self.annotate(suppressed_now=Case(When(hidden, then=True), default=False))

    def state_counts(self, now: dt.datetime | None = None) -> dict[str, int]:
        """How many are open (and not suppressed), suppressed, resolved, and in all (one
        query)."""
        now = now or timezone.now()
        is_open = Q(status=Finding.Status.OPEN)
        return self.aggregate(
            open=Count("pk", filter=is_open & _unsuppressed(now)),
            suppressed=Count("pk", filter=is_open & _suppressed(now)),
            resolved=Count("pk", filter=Q(status=Finding.Status.RESOLVED)),
            all=Count("pk"),
        )


def _unsuppressed(now: dt.datetime) -> Q:
    return Q(suppression__isnull=True) | Q(suppression__expires_at__lte=now)


def _suppressed(now: dt.datetime) -> Q:
    return Q(suppression__isnull=False) & (
        Q(suppression__expires_at__isnull=True) | Q(suppression__expires_at__gt=now)
    )


class Finding(models.Model):
    """One rule broken by one resource of one account, tracked across scans."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="findings")
    rule_id = models.CharField(max_length=64)
    resource_arn = models.CharField(max_length=2048)
    region = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    severity = models.CharField(max_length=10)
    # Worst first (critical 0 ... info 4), kept by the database so lists sort on an index.
    severity_order = models.GeneratedField(
        expression=models.Case(
            *[models.When(severity=s, then=models.Value(i)) for i, s in enumerate(SEVERITY_ORDER)],
            default=models.Value(len(SEVERITY_ORDER)),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )
    pillar = models.CharField(max_length=16)
    title = models.CharField(max_length=200)
    message = models.TextField()
    # What the findings page's text search matches, in lower case; on PostgreSQL a trigram
    # index serves "contains" (migration 0007), so a search does not read every finding.
    search_text = models.GeneratedField(
        expression=Lower(
            Concat(
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
        db_persist=True,
    )
    evidence = models.JSONField(default=dict)
    remediation_cli = models.TextField(blank=True)
    remediation_iac = models.TextField(blank=True)
    # What the IaC snippet is written for ("CloudFormation/SAM", "CloudFormation"): the header
    # of the remediation text the scan JSON prints.
    remediation_iac_format = models.CharField(max_length=32, default="CloudFormation/SAM")
    first_seen_scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="+")
    last_seen_scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="+")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    times_reopened = models.PositiveIntegerField(default=0)
    # Set by the suppression service; a finding whose suppression expired is visible again.
    suppression = models.ForeignKey(
        "Suppression", null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["rule_id", "resource_arn"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "rule_id", "resource_arn"], name="one_finding_per_identity"
            )
        ]
        indexes = [
            models.Index(fields=["account", "status", "severity"]),
            # A function's findings: its page, its row's count, "has findings".
            models.Index(fields=["account", "resource_arn", "status"], name="finding_of_resource"),
            # The findings lists' order, and the overview's worst findings per account.
            models.Index(
                fields=["account", "status", "severity_order", "rule_id", "resource_arn"],
                name="finding_worst_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} on {self.resource_arn}"

    @property
    def resource_name(self) -> str:
        """The resource as a person reads it (a queue's name, "SQS orders-jobs → orders-consumer",
        "account-level, us-east-1"): see ``advisor.rules.resources``."""
        return resource_label(self.resource_arn, self.evidence)


class FindingFunction(models.Model):
    """A function a finding concerns, by unqualified ARN: its own, the function reading a queue
    or mapping the finding is filed under, a function an account-level finding names. Written
    with the findings (``record_findings``), so a function's page finds every finding about it
    with one indexed query."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="concerns")
    function_arn = models.CharField(max_length=2048)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["finding", "function_arn"], name="one_concern_per_function"
            )
        ]
        indexes = [models.Index(fields=["function_arn", "finding"], name="finding_of_function")]

    def __str__(self) -> str:
        return f"{self.finding_id} concerns {self.function_arn}"


class AccountFindingSummary(models.Model):
    """An account's open, unsuppressed findings counted by severity and by pillar, stored when
    they change (a scan's findings recorded, a suppression added or removed) so the fleet page
    reads one row per account instead of every finding. Counted again when ``scan`` is no longer
    the account's latest scan with results, or at ``valid_until`` (a suppression in force
    expires then); see ``advisor.services.finding_summaries``."""

    account = models.OneToOneField(AwsAccount, on_delete=models.CASCADE, related_name="+")
    # The account's latest scan with results when counted (None: it had none).
    scan = models.ForeignKey(
        Scan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    severity = models.JSONField(default=dict)  # {"critical": n, ...}
    pillar = models.JSONField(default=dict)  # {"security": n, ...}
    valid_until = models.DateTimeField(null=True, blank=True)
    counted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"findings of {self.account_id} as of scan {self.scan_id}"

    @staticmethod
    def counts_hold(
        *,
        counted_for: int | None,
        valid_until: dt.datetime | None,
        latest: int | None,
        now: dt.datetime,
    ) -> bool:
        """Whether a stored summary (counted for scan ``counted_for``, valid until
        ``valid_until``) still gives the account's counts, its latest scan with results being
        ``latest``: counted for that scan, and no suppression they hide has expired since."""
        return counted_for == latest and not (valid_until is not None and valid_until <= now)


class FunctionFindingSummary(models.Model):
    """One function's open, unsuppressed findings by severity (every finding that concerns it,
    as ``FindingFunction`` links them), stored with its account's ``AccountFindingSummary``;
    only functions with at least one. The fleet's worst functions are read from these."""

    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="+")
    function_arn = models.CharField(max_length=2048)
    critical = models.PositiveIntegerField(default=0)
    high = models.PositiveIntegerField(default=0)
    medium = models.PositiveIntegerField(default=0)
    low = models.PositiveIntegerField(default=0)
    info = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "function_arn"], name="one_summary_per_function"
            )
        ]
        indexes = [
            # The fleet's worst functions, in the order it ranks them: read the first rows
            # instead of sorting every function with a finding on each request.
            models.Index(
                fields=["-critical", "-high", "-medium", "-low", "-info", "-total", "function_arn"],
                name="function_summary_worst_first",
            )
        ]

    def __str__(self) -> str:
        return f"{self.function_arn}: {self.total} open"


class FindingOccurrence(models.Model):
    """A finding as one scan saw it: severity and evidence per scan keep trends honest."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="occurrences")
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="occurrences")
    severity = models.CharField(max_length=10)
    evidence = models.JSONField(default=dict)
    # This scan opened the finding (first seen, or back after being resolved): what a report
    # calls "new". A finding a failed region hid from the scan before is not new again.
    opened = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["finding", "scan"], name="one_occurrence_per_scan")
        ]

    def __str__(self) -> str:
        return f"{self.finding_id} in scan {self.scan_id}"


class Suppression(models.Model):
    """Hides matching findings (kept, shown apart) until it expires or is removed."""

    account = models.ForeignKey(AwsAccount, on_delete=models.CASCADE, related_name="suppressions")
    rule_id = models.CharField(max_length=64)
    # An exact resource ARN, or a shell-style pattern such as arn:aws:lambda:*:function:legacy-*
    resource_pattern = models.CharField(max_length=2048)
    reason = models.TextField()
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.rule_id} on {self.resource_pattern}"

    def matches(self, rule_id: str, resource_arn: str) -> bool:
        return rule_id == self.rule_id and fnmatch.fnmatchcase(resource_arn, self.resource_pattern)

    def active_at(self, when) -> bool:
        return self.expires_at is None or self.expires_at > when


class ReportDelivery(models.Model):
    """One email to one address: a scan's report, or a workspace's weekly digest. Its unique key
    is the idempotency record that keeps a retried task from sending the same report twice."""

    class Kind(models.TextChoices):
        SCAN = "scan", "Scan report"
        DIGEST = "digest", "Weekly digest"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"  # retried with backoff until the attempts run out

    kind = models.CharField(max_length=8, choices=Kind.choices)
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="report_deliveries"
    )
    account = models.ForeignKey(
        AwsAccount,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_deliveries",
    )
    scan = models.ForeignKey(
        Scan, null=True, blank=True, on_delete=models.CASCADE, related_name="report_deliveries"
    )
    period = models.CharField(max_length=16, blank=True)  # a digest's ISO week, "2026-W48"
    email = models.EmailField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    subject = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scan", "email"],
                condition=models.Q(kind="scan"),
                name="one_scan_report_per_address",
            ),
            models.UniqueConstraint(
                fields=["workspace", "period", "email"],
                condition=models.Q(kind="digest"),
                name="one_digest_per_address_and_week",
            ),
        ]
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.email} ({self.status})"


class RegionPriceList(models.Model):
    """One region's prices as last refreshed from AWS's Price List API, in ``prices.toml``'s
    region shape. The cost model prefers these to the shipped snapshot; a failed refresh never
    touches the row, so the last good prices stay in use."""

    region = models.CharField(max_length=32, unique=True)
    data = models.JSONField()
    notes = models.JSONField(default=list, blank=True)  # what could not be priced there
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["region"]

    def __str__(self) -> str:
        return f"prices for {self.region} ({self.fetched_at:%Y-%m-%d})"


class PriceRefresh(models.Model):
    """One run of ``refresh_prices``: which regions it asked for, which it stored, what failed."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested = models.JSONField(default=list)
    refreshed = models.JSONField(default=list)
    failures = models.JSONField(default=dict, blank=True)  # region -> why
    calls = models.PositiveIntegerField(default=0)  # GetProducts pages read

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"price refresh {self.started_at:%Y-%m-%d %H:%M}: {len(self.refreshed)} regions"
