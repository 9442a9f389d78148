"""Reads AWS Lambda estates into plain dataclasses (``inventory.py``). No Django here.

Public API:
- ``scanner.collect_region(*, session, account_id, region, endpoint_url=None, options=None,
  progress=None, rate_limiter=None) -> RegionInventory``: one (account, region), the Celery
  task's unit; raises ``errors.AwsAccessError`` only when the region cannot be read at all.
- ``scanner.collect_inventory(*, account_id, regions, session=None, session_factory=None, ...)
  -> Inventory``: several regions in turn, for the CLI.
- ``options.CollectOptions``: metrics window, rate limits, concurrency, timeouts, retries.
- ``session.assume_role_session(...)``: the connected account's role, with its ExternalId.

Modules by job: ``clients`` (boto3 configuration, call counting, rate limiting), ``context``
(errors to coverage gaps), ``lambda_`` (functions, details, account settings, layers),
``triggers`` (event source mappings, push sources), ``apis`` (API Gateway), ``queues`` (SQS),
``logs`` (log groups), ``metrics`` (CloudWatch), ``secrets`` (environment values that look
secret), ``bench`` (``python -m advisor.collect.bench``), ``relations`` (who invokes what).
"""
