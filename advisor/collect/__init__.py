"""Reads AWS Lambda estates into plain dataclasses (``inventory.py``). No Django here: whether
endpoint URLs may be used is the caller's to say (``session.allowed_endpoint(url, allow=...)``).

Public API:
- ``scanner.collect_region(*, session, account_id, region, endpoint_url=None, options=None,
  progress=None, rate_limiter=None) -> RegionInventory``: one (account, region), the Celery
  task's unit; raises ``errors.AwsAccessError`` only when the region cannot be read at all.
- ``scanner.collect_inventory(*, account_id, regions, session=None, session_factory=None, ...)
  -> Inventory``: several regions in turn, for the CLI.
- ``options.CollectOptions``: metrics window, rate limits, concurrency, timeouts, retries.
- ``session.assume_role_session(...)``: the connected account's role, with its ExternalId.
- ``session.aws_client(service, *, session, region, endpoint_url, config)``: every boto3 client;
  it sends only to an endpoint URL ``session.allowed_endpoint`` let through (others:
  EndpointNotAllowed, nothing sent).

Modules by job: ``clients`` (boto3 configuration, call counting, rate limiting), ``context``
(errors to coverage gaps), ``lambda_`` (functions, details, account settings, layers),
``triggers`` (event source mappings, push sources), ``apis`` (API Gateway), ``queues`` (SQS),
``logs`` (log groups), ``metrics`` (CloudWatch), ``secrets`` (environment values that look
secret), ``relations`` (who invokes what). A region scan's benchmark is
``bench/region_scan.py``.
"""
