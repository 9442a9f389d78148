"""The demo company, "acme": its functions, what invokes them, and how they behave.

Pure data. ``seed.py`` builds it in the emulator and ``traffic.py`` turns each ``Traffic`` into
14 days of CloudWatch data points. Every function names the catalogue rules it is meant to break
(``breaks``); every other rule that applies to it should pass. Region slot 0 is the main region
(us-east-1 by default), slot 1 the second (eu-west-1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

MB = 1024 * 1024


@dataclass(frozen=True)
class Traffic:
    """The shape of a function's load. ``kind``: diurnal (API traffic following the working
    day), bursty (quiet with sudden spikes, like uploads), steady (a stream consumer), nightly
    (one run a night at 02:00), sparse (a few calls an hour)."""

    kind: str
    peak_per_hour: float  # invocations in the busiest hour of a normal day
    duration_ms: float  # median duration
    duration_spread: float = 0.5  # log-normal sigma of durations
    error_rate: float = 0.002
    bad_day_error_rate: float | None = None  # one day (3 days ago) with this error rate
    hit_timeout: bool = False  # a few invocations a day run into the timeout
    throttle_above: int | None = None  # concurrency above which invocations are throttled
    iterator_age_ms: float | None = None  # typical IteratorAge (stream consumers)
    iterator_age_spike_ms: float | None = None  # backlog on the worst day
    provisioned_use: float | None = None  # typical utilisation of provisioned concurrency
    concurrency_peak: int | None = None  # force the hourly peak concurrency (bursts)
    dead_letter_errors: bool = False
    destination_failures: bool = False


@dataclass(frozen=True)
class Api:
    kind: str  # "rest" or "http"
    name: str
    route: str  # "GET /orders"
    timeout_ms: int | None = None  # None: the integration's default (29 s REST, 30 s HTTP)
    # REST only: the URI names ``fn:${stageVariables.alias}``; the prod stage sets alias=live
    stage_variable: bool = False


@dataclass(frozen=True)
class Mapping:
    kind: str  # "sqs", "kinesis" or "dynamodb"
    source: str  # queue, stream or table name
    batch_size: int = 10
    window_s: int = 0
    on_failure: str | None = None  # queue name for stream failures
    max_retries: int | None = None  # None: AWS's default (-1, infinite, for streams)
    bisect: bool = False
    partial_batch: bool = False
    max_concurrency: int | None = None  # SQS: ScalingConfig.MaximumConcurrency
    enabled: bool = True
    # What Lambda reports on a broken mapping: disabled, its StateTransitionReason (Lambda
    # disabled it); enabled, its LastProcessingResult (every poll fails)
    problem: str | None = None


@dataclass(frozen=True)
class Queue:
    name: str
    visibility_s: int = 30
    redrive_to: str | None = None
    max_receive: int = 5
    retention_s: int = 345_600


@dataclass(frozen=True)
class Fn:
    name: str
    runtime: str | None  # None: container image
    memory: int = 128
    timeout: int = 3
    arch: str = "x86_64"
    slot: int = 0
    description: str = ""
    package_mb: float = 0  # 0: a small zip; otherwise a zip of this size uploaded through S3
    image: bool = False
    image_mb: float = 1_400  # a container image's compressed size in ECR (layers' sum)
    layers: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    tracing: bool = False
    snap_start: bool = False
    dead_letter: str | None = None  # queue or topic name
    on_failure: str | None = None  # async on-failure destination (queue or topic name)
    on_success: str | None = None
    async_retries: int | None = None
    reserved: int | None = None
    provisioned: int | None = None  # on alias "live"
    # Production shape: a published version behind alias "live", which every trigger invokes
    # (APIs, mappings, SNS, EventBridge, schedules), with the permissions and the async config
    # on the alias, not on the function.
    alias: bool = False
    latest_timeout: int | None = None  # $LATEST changed after publishing (not yet published)
    canary: float | None = None  # version 2 takes this share of "live" (traffic shifting)
    scheduler: str | None = None  # EventBridge Scheduler expression (invokes with an IAM role)
    log_retention_days: int | None = 30  # None: the log group keeps logs forever
    # JSON log format with these (application, system) levels; None: plain text, Lambda's default
    json_log_levels: tuple[str, str] | None = None
    apis: tuple[Api, ...] = ()
    mappings: tuple[Mapping, ...] = ()
    s3_bucket: str | None = None  # S3 notifications (async)
    sns_topic: str | None = None  # SNS subscription (async)
    schedule: str | None = None  # EventBridge schedule expression (async)
    event_pattern: str | None = None  # EventBridge rule on the default bus (async)
    url_auth: str | None = None  # function URL: "NONE" or "AWS_IAM"
    vpc_subnets: int = 0  # 0: not in a VPC; otherwise attached to this many private subnets
    public_invoke: bool = False  # a resource policy statement for any principal, no condition
    traffic: Traffic = Traffic("sparse", 5, 80)
    breaks: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)


# Values that look like live credentials are fakes built for the demo (they match the formats
# the collector's secret detection knows); nothing here is a real key.
FAKE_STRIPE_KEY = "sk_live_" + "51Hx9AcmeDemo0000000000000000000000"
FAKE_WEBHOOK_SECRET = "whsec_" + "Q2FjbWVEZW1vV2ViaG9va1NlY3JldDAwMDA"
FAKE_SLACK_TOKEN = "xoxb-" + "000000000000-acme-demo-token-0000"

COMMON_ENV = {"POWERTOOLS_SERVICE_NAME": "acme", "LOG_LEVEL": "INFO", "STAGE": "prod"}

QUEUES: tuple[Queue, ...] = (
    Queue("acme-async-dlq", visibility_s=60, retention_s=1_209_600),
    Queue("acme-invoice-jobs", visibility_s=30),  # no redrive, too short for a 60 s function
    Queue("acme-fulfillment", visibility_s=900, redrive_to="acme-fulfillment-dlq", max_receive=5),
    Queue("acme-fulfillment-dlq", visibility_s=400, retention_s=1_209_600),
    Queue("acme-refunds", visibility_s=180, redrive_to="acme-refunds-dlq", max_receive=2),
    Queue("acme-refunds-dlq", visibility_s=300, retention_s=1_209_600),
    Queue(
        "acme-invoice-emails", visibility_s=400, redrive_to="acme-invoice-emails-dlq", max_receive=5
    ),
    Queue("acme-invoice-emails-dlq", visibility_s=60, retention_s=1_209_600),
    Queue("acme-stream-failures", visibility_s=60, retention_s=1_209_600),
    Queue("acme-search-index", visibility_s=600, redrive_to="acme-async-dlq", max_receive=10),
    Queue("acme-eu-gdpr-exports", visibility_s=600, redrive_to="acme-eu-dlq", max_receive=5),
    Queue("acme-eu-dlq", visibility_s=60, retention_s=1_209_600),
    Queue("acme-eu-emails", visibility_s=20),
    Queue("acme-returns", visibility_s=30),  # no redrive: its mapping is disabled, though
)
# Which region slot each queue lives in (default 0).
QUEUE_SLOT = {"acme-eu-gdpr-exports": 1, "acme-eu-dlq": 1, "acme-eu-emails": 1}

TOPICS = {0: ("acme-order-events", "acme-alerts", "acme-user-signups"), 1: ("acme-eu-events",)}
BUCKETS = {0: ("acme-user-uploads", "acme-video-ingest"), 1: ("acme-eu-uploads",)}
STREAMS = {0: ("acme-clickstream",), 1: ("acme-eu-clickstream",)}
TABLES = {0: ("acme-inventory", "acme-orders"), 1: ()}
LAYERS = {  # name -> zipped size in MB
    "acme-common-python": 2.5,
    "pillow": 9.5,
    "acme-node-deps": 6.0,
    "datadog-extension": 11.0,
}

REST_STOREFRONT = "acme-storefront"
HTTP_PUBLIC = "acme-public-api"
REST_EU = "acme-eu-storefront"
HTTP_EU = "acme-eu-webhooks"

FUNCTIONS: tuple[Fn, ...] = (
    # --- storefront APIs (us) -----------------------------------------------------------------
    Fn(
        "orders-api",
        "python3.13",
        memory=1024,
        timeout=10,
        arch="arm64",
        layers=("acme-common-python",),
        env={**COMMON_ENV, "TABLE_NAME": "acme-orders"},
        tracing=True,
        provisioned=20,
        json_log_levels=("INFO", "INFO"),
        apis=(
            Api("rest", REST_STOREFRONT, "GET /orders"),
            Api("rest", REST_STOREFRONT, "POST /orders"),
        ),
        traffic=Traffic("diurnal", 90_000, 85, provisioned_use=0.7),
        # busy all day on 20 provisioned environments: the decision model prefers containers
        breaks=("consider-containers",),
        description="Order placement and lookup for the web shop",
    ),
    Fn(
        "checkout-api",
        "nodejs18.x",
        memory=512,
        timeout=60,
        package_mb=14,
        env={**COMMON_ENV, "STRIPE_SECRET_KEY": FAKE_STRIPE_KEY, "CURRENCY": "USD"},
        apis=(Api("rest", REST_STOREFRONT, "POST /checkout"),),
        traffic=Traffic("diurnal", 12_000, 1_400, duration_spread=0.9, hit_timeout=True),
        log_retention_days=None,
        json_log_levels=("DEBUG", "INFO"),  # left at DEBUG after the timeout investigation
        breaks=(
            "apigw-timeout-exceeds-integration",
            "timeouts-observed",
            "deprecated-runtime",
            "secrets-in-environment",
            "large-package-on-sync-path",
            "tracing-disabled",
            "log-retention-unset",
            "debug-logging-enabled",
            "arm64-candidate",
        ),
        description="Checkout: payment intent, stock reservation, confirmation",
    ),
    Fn(
        "catalog-search",
        "java21",
        memory=2048,
        timeout=15,
        arch="arm64",
        snap_start=True,
        alias=True,  # SnapStart serves published versions only: the API invokes the alias
        tracing=True,
        apis=(Api("rest", REST_STOREFRONT, "GET /search", timeout_ms=20_000),),
        traffic=Traffic("diurnal", 40_000, 120),
        description="Product search (OpenSearch proxy)",
    ),
    Fn(
        "recommendations-api",
        "python3.12",
        memory=1769,
        timeout=20,
        arch="arm64",
        tracing=True,
        apis=(Api("rest", REST_STOREFRONT, "GET /recommendations"),),
        traffic=Traffic("diurnal", 25_000, 240, bad_day_error_rate=0.18),
        breaks=("high-error-rate",),
        description="Personalised product recommendations",
    ),
    Fn(
        "user-profile-api",
        "python3.13",
        memory=512,
        timeout=10,
        arch="arm64",
        tracing=True,
        layers=("acme-common-python",),
        env={
            **COMMON_ENV,
            "TABLE_NAME": "acme-users",
            "DB_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:210987654321:secret:acme/db",
        },
        apis=(
            Api("rest", REST_STOREFRONT, "GET /profile"),
            Api("rest", REST_STOREFRONT, "PUT /profile"),
        ),
        vpc_subnets=3,
        traffic=Traffic("diurnal", 15_000, 45),
        description="User profiles; the team's reference implementation",
    ),
    Fn(
        "payments-webhook",
        "python3.9",
        memory=256,
        timeout=45,
        env={**COMMON_ENV, "STRIPE_WEBHOOK_SECRET": FAKE_WEBHOOK_SECRET},
        apis=(Api("http", HTTP_PUBLIC, "POST /webhooks/stripe"),),
        traffic=Traffic("diurnal", 3_000, 300),
        breaks=(
            "apigw-timeout-exceeds-integration",
            "deprecated-runtime",
            "secrets-in-environment",
            "tracing-disabled",
        ),
        description="Stripe webhook receiver",
    ),
    Fn(
        "cart-api",
        "nodejs22.x",
        memory=256,
        timeout=6,
        arch="arm64",
        tracing=True,
        layers=("acme-node-deps",),
        apis=(Api("http", HTTP_PUBLIC, "GET /cart"), Api("http", HTTP_PUBLIC, "POST /cart/items")),
        traffic=Traffic("diurnal", 30_000, 900, duration_spread=0.8, hit_timeout=True),
        # nodejs22.x: deprecated within 180 days of late 2026, a medium finding
        breaks=("timeouts-observed", "deprecated-runtime", "memory-starved"),
        description="Shopping cart (calls the legacy pricing service synchronously)",
    ),
    Fn(
        "inventory-api",
        "java17",
        memory=1536,
        timeout=20,
        tracing=True,
        apis=(Api("http", HTTP_PUBLIC, "GET /inventory/{sku}", timeout_ms=25_000),),
        traffic=Traffic("diurnal", 8_000, 180),
        breaks=("java-sync-without-snapstart", "arm64-candidate"),
        description="Stock levels per SKU",
    ),
    Fn(
        "pricing-api",
        "nodejs24.x",
        memory=1024,
        timeout=10,
        arch="arm64",
        tracing=True,
        provisioned=50,
        apis=(Api("http", HTTP_PUBLIC, "GET /pricing"),),
        traffic=Traffic("diurnal", 2_000, 60, provisioned_use=0.04),
        breaks=("provisioned-concurrency-underused", "consider-containers"),
        description="Price lookups; provisioned for a launch that never came",
    ),
    Fn(
        "feature-flags",
        "nodejs24.x",
        memory=256,
        timeout=5,
        arch="arm64",
        url_auth="NONE",
        traffic=Traffic("diurnal", 20_000, 12),
        breaks=("function-url-public", "tracing-disabled"),
        description="Feature flags served to the web app over a function URL",
    ),
    Fn(
        "internal-admin-api",
        "python3.12",
        memory=512,
        timeout=30,
        arch="arm64",
        url_auth="AWS_IAM",
        tracing=True,
        traffic=Traffic("sparse", 40, 200),
        description="Back-office admin API behind IAM auth",
    ),
    Fn(
        "partner-callback",
        "python3.11",
        memory=256,
        timeout=10,
        arch="arm64",
        public_invoke=True,
        traffic=Traffic("sparse", 60, 150),
        breaks=("resource-policy-public",),
        description="Invoked directly by a partner's AWS account (policy left open)",
    ),
    # --- asynchronous work (us) ---------------------------------------------------------------
    Fn(
        "thumbnail-generator",
        "python3.12",
        memory=1536,
        timeout=60,
        layers=("pillow", "acme-common-python"),
        s3_bucket="acme-user-uploads",
        traffic=Traffic("bursty", 9_000, 2_200, concurrency_peak=620),
        breaks=(
            "async-without-failure-destination",
            "unbounded-concurrency-hog",
            "arm64-candidate",
        ),
        description="Thumbnails for uploaded product photos",
    ),
    Fn(
        "video-transcoder",
        None,
        image=True,
        memory=3008,
        timeout=900,
        s3_bucket="acme-video-ingest",
        dead_letter="acme-async-dlq",
        traffic=Traffic("bursty", 40, 240_000, dead_letter_errors=True),
        description="Transcodes seller videos (container image)",
    ),
    Fn(
        "order-events-notifier",
        "python3.12",
        memory=256,
        timeout=30,
        arch="arm64",
        sns_topic="acme-order-events",
        on_failure="acme-async-dlq",
        async_retries=2,
        traffic=Traffic("diurnal", 6_000, 150, destination_failures=True),
        description="Pushes order events to customers' webhooks",
    ),
    Fn(
        "email-sender",
        "python3.12",
        memory=256,
        timeout=30,
        arch="arm64",
        sns_topic="acme-user-signups",
        dead_letter="acme-async-dlq",
        env={**COMMON_ENV, "SES_CONFIGURATION_SET": "acme-transactional"},
        traffic=Traffic("diurnal", 1_500, 400),
        description="Transactional e-mail",
    ),
    Fn(
        "nightly-report",
        "python3.11",
        memory=3008,
        timeout=900,
        package_mb=44,
        schedule="cron(0 2 * * ? *)",
        on_failure="acme-alerts",
        traffic=Traffic("nightly", 1, 420_000),
        breaks=("package-size-near-limit",),
        description="Nightly sales report (pandas, pyarrow bundled)",
    ),
    Fn(
        "legacy-cleanup",
        "python3.12",
        schedule="rate(1 hour)",
        log_retention_days=None,
        traffic=Traffic("sparse", 1, 900),
        breaks=(
            "default-timeout-and-memory",
            "async-without-failure-destination",
            "log-retention-unset",
        ),
        description="Deletes expired carts",
    ),
    Fn(
        "fraud-scorer",
        "python3.12",
        memory=2048,
        timeout=30,
        arch="arm64",
        event_pattern='{"source": ["acme.orders"], "detail-type": ["OrderPlaced"]}',
        on_failure="acme-async-dlq",
        layers=("datadog-extension",),
        traffic=Traffic("diurnal", 6_000, 350),
        description="Scores orders for fraud on the OrderPlaced event",
    ),
    # --- queues (us) --------------------------------------------------------------------------
    Fn(
        "invoice-pdf-renderer",
        "python3.8",
        memory=128,
        timeout=60,
        mappings=(Mapping("sqs", "acme-invoice-jobs", batch_size=5),),
        traffic=Traffic("diurnal", 2_500, 9_000, duration_spread=0.4),
        breaks=(
            "sqs-source-without-dlq",
            "sqs-visibility-timeout-too-short",
            "memory-starved",
            "deprecated-runtime",
        ),
        description="Renders invoice PDFs",
    ),
    Fn(
        "order-fulfillment-worker",
        "python3.12",
        memory=1024,
        timeout=120,
        arch="arm64",
        mappings=(
            Mapping("sqs", "acme-fulfillment", batch_size=10, window_s=5, partial_batch=True),
        ),
        vpc_subnets=1,
        traffic=Traffic("diurnal", 7_000, 800),
        breaks=("vpc-single-subnet",),
        description="Sends paid orders to the warehouse",
    ),
    Fn(
        "refund-processor",
        "python3.12",
        vpc_subnets=2,
        memory=512,
        timeout=30,
        arch="arm64",
        reserved=10,
        mappings=(Mapping("sqs", "acme-refunds", batch_size=1, max_concurrency=10),),
        traffic=Traffic("sparse", 80, 600),
        breaks=("sqs-source-without-dlq",),
        description=(
            "Refunds (visibility timeout exactly 6 x the timeout, and reserved concurrency 10 "
            "with its mapping bounded at 10: both pass)"
        ),
    ),
    Fn(
        "fulfillment-dlq-redriver",
        "python3.12",
        memory=256,
        timeout=60,
        arch="arm64",
        mappings=(Mapping("sqs", "acme-fulfillment-dlq", batch_size=10),),
        traffic=Traffic("sparse", 3, 300),
        description="Re-drives failed fulfillment messages (its source is itself a DLQ)",
    ),
    Fn(
        "search-indexer",
        "python3.12",
        memory=1024,
        timeout=90,
        arch="arm64",
        mappings=(Mapping("sqs", "acme-search-index", batch_size=25, window_s=10),),
        traffic=Traffic("diurnal", 5_000, 1_100),
        description="Indexes catalogue changes into search",
    ),
    # --- streams (us) -------------------------------------------------------------------------
    Fn(
        "clickstream-consumer",
        "python3.12",
        memory=1024,
        timeout=60,
        reserved=400,
        mappings=(
            Mapping(
                "kinesis",
                "acme-clickstream",
                batch_size=500,
                on_failure="acme-stream-failures",
                max_retries=5,
                bisect=True,
            ),
        ),
        traffic=Traffic("steady", 1_300_000, 950, iterator_age_ms=800),
        breaks=("consider-containers", "arm64-candidate"),
        description="Sessionises the web clickstream around the clock",
    ),
    Fn(
        "inventory-sync",
        "nodejs20.x",
        memory=512,
        timeout=60,
        mappings=(Mapping("dynamodb", "acme-inventory", batch_size=100),),
        traffic=Traffic(
            "steady", 3_000, 700, iterator_age_ms=30_000, iterator_age_spike_ms=9_000_000
        ),
        breaks=(
            "stream-source-without-failure-destination",
            "stream-iterator-age-high",
            "deprecated-runtime",
        ),
        description="Mirrors stock changes to the ERP",
    ),
    Fn(
        "audit-log-shipper",
        "python3.12",
        memory=512,
        timeout=60,
        arch="arm64",
        mappings=(
            Mapping(
                "dynamodb",
                "acme-orders",
                batch_size=100,
                on_failure="acme-stream-failures",
                max_retries=10,
                bisect=True,
            ),
        ),
        traffic=Traffic("steady", 4_000, 120, iterator_age_ms=500),
        description="Ships order changes to the audit log",
    ),
    # --- concurrency (us) ---------------------------------------------------------------------
    Fn(
        "partner-sync",
        "python3.12",
        memory=512,
        timeout=120,
        arch="arm64",
        reserved=5,
        schedule="rate(5 minutes)",
        on_failure="acme-alerts",
        traffic=Traffic("diurnal", 1_200, 9_000, throttle_above=5),
        breaks=("function-throttled",),
        description="Pulls partner catalogues; reserved concurrency of 5 protects the partner",
    ),
    Fn(
        "legacy-soap-bridge",
        "java8",
        memory=512,
        timeout=30,
        reserved=0,
        tracing=True,
        traffic=Traffic("sparse", 0, 500),
        breaks=("deprecated-runtime", "function-throttled"),
        description="Switched off with reserved concurrency 0 while the partner migrates",
    ),
    Fn(
        "invoice-email-sender",
        "python3.12",
        memory=512,
        timeout=60,
        arch="arm64",
        reserved=0,
        tracing=True,
        mappings=(Mapping("sqs", "acme-invoice-emails", batch_size=5, partial_batch=True),),
        traffic=Traffic("sparse", 0, 800),
        breaks=("reserved-concurrency-zero",),
        description="Throttled to zero during last week's incident; its queue still fills",
    ),
    Fn(
        "ops-slack-notifier",
        "python3.12",
        memory=128,
        timeout=10,
        arch="arm64",
        sns_topic="acme-alerts",
        dead_letter="acme-async-dlq",
        env={"SLACK_BOT_TOKEN": FAKE_SLACK_TOKEN, "CHANNEL": "#ops"},
        traffic=Traffic("sparse", 4, 300),
        breaks=("secrets-in-environment",),
        description="Posts alerts to Slack",
    ),
    Fn(
        "image-moderation",
        None,
        image=True,
        memory=4096,
        timeout=120,
        arch="arm64",
        s3_bucket="acme-user-uploads",
        on_failure="acme-async-dlq",
        traffic=Traffic("bursty", 9_000, 1_500),
        description="Screens uploaded photos (container image)",
    ),
    # --- behind aliases (us): what production estates look like ------------------------------
    Fn(
        "reviews-api",
        "python3.13",
        memory=512,
        timeout=60,  # the published version behind "live"
        latest_timeout=10,  # $LATEST, not yet published
        arch="arm64",
        tracing=True,
        alias=True,
        apis=(Api("rest", REST_STOREFRONT, "GET /reviews", stage_variable=True),),
        traffic=Traffic("diurnal", 6_000, 220),
        # 60 s behind live on a 29 s REST integration, though $LATEST says 10 s
        breaks=("apigw-timeout-exceeds-integration",),
        description="Product reviews; the storefront's prod stage names the alias",
    ),
    Fn(
        "shipping-quotes-api",
        "nodejs24.x",
        memory=512,
        timeout=8,
        arch="arm64",
        tracing=True,
        alias=True,
        canary=0.1,
        apis=(Api("http", HTTP_PUBLIC, "GET /shipping/quote"),),
        traffic=Traffic("diurnal", 9_000, 140),
        description="Carrier quotes; version 2 is being shifted in at 10 %",
    ),
    Fn(
        "order-webhooks-dispatcher",
        "python3.13",
        memory=256,
        timeout=30,
        arch="arm64",
        alias=True,
        sns_topic="acme-order-events",
        on_failure="acme-async-dlq",  # on the alias, where SNS invokes
        traffic=Traffic("diurnal", 4_000, 180),
        description="Fans order events out to partners (alias with its own destination)",
    ),
    Fn(
        "loyalty-points",
        "python3.13",
        memory=256,
        timeout=20,
        arch="arm64",
        alias=True,
        sns_topic="acme-user-signups",
        # a bad day: the events that failed every retry were dropped from fn:live, and lost
        traffic=Traffic("diurnal", 1_200, 90, bad_day_error_rate=0.05),
        breaks=("async-without-failure-destination", "async-events-dropped"),
        description="Credits loyalty points on sign-up (SNS may invoke the alias only)",
    ),
    Fn(
        "data-export",
        "python3.13",
        memory=1024,
        timeout=300,
        arch="arm64",
        alias=True,
        scheduler="cron(30 1 * * ? *)",
        traffic=Traffic("nightly", 1, 60_000),
        breaks=("async-without-failure-destination",),
        description="Nightly warehouse export, run by EventBridge Scheduler with an IAM role",
    ),
    Fn(
        "promo-banner-api",
        "nodejs24.x",
        memory=512,
        timeout=5,
        arch="arm64",
        tracing=True,
        alias=True,
        provisioned=10,
        apis=(Api("http", HTTP_PUBLIC, "GET /promo"),),
        traffic=Traffic("sparse", 0, 30),
        # an idle alias emits no provisioned-concurrency metric: only its listing shows it
        breaks=("provisioned-concurrency-underused",),
        description="Promotion banners; provisioned for a campaign that ended",
    ),
    Fn(
        "returns-worker",
        "python3.13",
        memory=512,
        timeout=30,
        arch="arm64",
        alias=True,
        mappings=(
            Mapping(
                "sqs",
                "acme-returns",
                batch_size=10,
                enabled=False,
                problem="PROBLEM: Lambda is unable to receive messages from the queue",
            ),
        ),
        traffic=Traffic("sparse", 0, 300),
        breaks=("event-source-mapping-failing",),  # information: Lambda disabled it
        description="Returns; Lambda disabled its mapping when the role lost queue access",
    ),
    # --- the EU region (slot 1) ---------------------------------------------------------------
    Fn(
        "eu-orders-api",
        "python3.13",
        slot=1,
        memory=1024,
        timeout=10,
        arch="arm64",
        tracing=True,
        reserved=250,
        apis=(Api("rest", REST_EU, "GET /orders"), Api("rest", REST_EU, "POST /orders")),
        traffic=Traffic("diurnal", 30_000, 90),
        description="Order API for the EU shop",
    ),
    Fn(
        "eu-payments-webhook",
        "python3.10",
        slot=1,
        memory=256,
        timeout=40,
        apis=(Api("http", HTTP_EU, "POST /webhooks/adyen"),),
        env={**COMMON_ENV, "ADYEN_HMAC_KEY": "a3F8dW4mT2xJc2VjcmV0LWFjbWUtZGVtby1obWFj"},
        traffic=Traffic("diurnal", 1_000, 250),
        breaks=(
            "apigw-timeout-exceeds-integration",
            "deprecated-runtime",
            "secrets-in-environment",
            "tracing-disabled",
        ),
        description="Adyen webhook receiver",
    ),
    Fn(
        "eu-thumbnail-generator",
        "python3.12",
        slot=1,
        memory=1536,
        timeout=60,
        arch="arm64",
        layers=("pillow",),
        s3_bucket="acme-eu-uploads",
        dead_letter="acme-eu-dlq",
        traffic=Traffic("bursty", 2_000, 2_000),
        description="Thumbnails for EU uploads",
    ),
    Fn(
        "gdpr-export-worker",
        "python3.12",
        slot=1,
        memory=2048,
        timeout=60,
        arch="arm64",
        reserved=300,
        mappings=(
            Mapping(
                "sqs",
                "acme-eu-gdpr-exports",
                batch_size=1,
                problem="PROBLEM: Function call failed",
            ),
        ),
        traffic=Traffic("sparse", 20, 8_000),
        breaks=("event-source-mapping-failing",),
        description="Builds GDPR data exports; its mapping is enabled but every poll fails",
    ),
    Fn(
        "eu-email-sender",
        "nodejs22.x",
        slot=1,
        memory=256,
        timeout=10,
        arch="arm64",
        reserved=120,
        mappings=(Mapping("sqs", "acme-eu-emails", batch_size=10),),
        traffic=Traffic("diurnal", 2_000, 300),
        breaks=(
            "sqs-source-without-dlq",
            "sqs-visibility-timeout-too-short",
            "sqs-concurrency-above-reservation",
            "deprecated-runtime",
        ),
        description=(
            "Transactional e-mail for the EU (queue without DLQ, 20 s visibility; reserved "
            "concurrency 120 but no maximum concurrency on its mapping)"
        ),
    ),
    Fn(
        "eu-clickstream-consumer",
        "python3.12",
        slot=1,
        memory=1024,
        timeout=60,
        arch="arm64",
        reserved=200,
        mappings=(
            Mapping(
                "kinesis",
                "acme-eu-clickstream",
                batch_size=200,
                on_failure="acme-eu-dlq",
                max_retries=3,
                bisect=True,
            ),
        ),
        traffic=Traffic("steady", 150_000, 200, iterator_age_ms=600),
        description="EU clickstream",
    ),
    Fn(
        "eu-events-router",
        "dotnet8",
        slot=1,
        memory=512,
        timeout=30,
        sns_topic="acme-eu-events",
        on_failure="acme-eu-dlq",
        traffic=Traffic("diurnal", 3_000, 90),
        breaks=("deprecated-runtime",),
        description="Fans EU domain events out to consumers",
    ),
    Fn(
        "eu-report-exporter",
        "python3.12",
        slot=1,
        memory=1024,
        timeout=300,
        arch="arm64",
        schedule="cron(30 3 * * ? *)",
        on_failure="acme-eu-dlq",
        log_retention_days=None,
        traffic=Traffic("nightly", 1, 95_000),
        breaks=("log-retention-unset",),
        description="Nightly export to the EU data warehouse",
    ),
    Fn(
        "eu-ml-inference",
        None,
        slot=1,
        image=True,
        memory=6144,
        timeout=60,
        arch="arm64",
        tracing=True,
        url_auth="AWS_IAM",
        traffic=Traffic("diurnal", 1_200, 1_800),
        description="Image classification model (container image)",
    ),
    Fn(
        "eu-consent-api",
        "provided.al2023",
        slot=1,
        memory=128,
        timeout=5,
        arch="arm64",
        tracing=True,
        apis=(Api("http", HTTP_EU, "GET /consent"),),
        traffic=Traffic("diurnal", 9_000, 8),
        description="Cookie consent API (Rust on the OS-only runtime)",
    ),
    Fn(
        "eu-legacy-importer",
        "python3.12",
        slot=1,
        schedule="rate(1 day)",
        traffic=Traffic("nightly", 1, 1_200),
        breaks=(
            "default-timeout-and-memory",
            "async-without-failure-destination",
            "memory-starved",
        ),
        description="Imports the partner price list (still on the defaults)",
    ),
)

# Account-level facts the demo sets per region slot. Slot 1's reservations (250 + 300 + 120 +
# 200 = 870) leave 130 of 1,000 unreserved: above AWS's floor of 100 but below 20 % of the
# limit. Slot 1 also carries 250 GB of code from old published versions the demo does not
# upload: 83 % of the 300 GB code storage limit.
CODE_STORAGE_OFFSET = {0: 3 * 1024**3, 1: 250 * 1024**3}
ACCOUNT_BREAKS = {0: (), 1: ("unreserved-concurrency-low", "account-code-storage-high")}
