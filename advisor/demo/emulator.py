"""The AWS emulator for the demo and the tests: moto's server, plus what we add to it.

``python -m advisor.demo.emulator --port 5000`` serves it on 127.0.0.1 over plain HTTP; boto3
reaches it with ``endpoint_url``, exactly as it would reach AWS.

The scanner is written for AWS, not for moto. Where moto's server lacks an operation or behaves
differently from AWS in a way the scan would notice, a module of this package patches it:

- ``emulator_lambda``: GetAccountSettings, provisioned concurrency, ListFunctionUrlConfigs,
  GetLayerVersionByArn, real pages for ListFunctions and ListEventSourceMappings (and the
  latter's FunctionName filter), DeadLetterConfig / SnapStart / LoggingConfig kept on functions,
  reserved concurrency 0 reported, the function-URL auth type as a policy condition, an
  endpoint of ours for quota-level account settings (concurrency limit, code storage used), and
  one for tests that makes one function's GetFunction or GetPolicy answer an error without a
  code (``FAULTS_PATH``);
- ``emulator_kafka``: event source mappings for Amazon MSK and self-managed Apache Kafka;
- ``emulator_lambda_qualifiers``: versions and aliases with their own resource policy, event
  invoke config and function URL, mappings that keep the alias ARN they were given, and an
  endpoint of ours for the state Lambda reports on a mapping (``MAPPING_STATE_PATH``);
- ``emulator_cloudwatch``: an indexed GetMetricData with percentiles and pagination;
- ``emulator_sts``: AssumeRole refuses a wrong ExternalId or a role that does not exist, and an
  endpoint of ours that creates an admin role in an account no organisation created
  (``ADMIN_ROLE_PATH``);
- ``emulator_organizations``: ListAccounts answers the management account and delegated
  administrators only, in pages of at most 20, as the API reference says;
- ``emulator_ecr``: DescribeImages reports an image's size as AWS does (its layers' sum); and
  ``emulator_lambda`` resolves a function's image to the digest ECR holds, as Lambda does;
- ``emulator_pricing``: the Price List Query API's GetProducts (moto has no ``pricing``), with
  a catalogue of test products loaded over HTTP.
"""

from __future__ import annotations

import argparse
import os
import sys

from moto import server as moto_server

from advisor.demo import (
    emulator_cloudwatch,
    emulator_ecr,
    emulator_kafka,
    emulator_lambda,
    emulator_lambda_qualifiers,
    emulator_organizations,
    emulator_pricing,
    emulator_sts,
)

_installed = False


def install_extensions() -> None:
    """Patch moto with the operations and behaviours the scanner relies on (once per process)."""
    global _installed
    if _installed:
        return
    emulator_lambda.install()
    emulator_kafka.install()
    emulator_lambda_qualifiers.install()  # after emulator_lambda: it wraps what that adds
    emulator_cloudwatch.install()
    emulator_sts.install()
    emulator_organizations.install()
    emulator_ecr.install()
    emulator_pricing.install()
    _installed = True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    install_extensions()
    try:
        moto_server.main(["--host", args.host, "--port", str(args.port)])
    except SystemExit as stop:
        # moto's server exits this way on SIGTERM and SIGINT. The emulator keeps nothing, so it
        # leaves without tearing down its heap: the interpreter's final garbage collection of a
        # seeded account takes seconds (more on a busy machine), long enough for a launcher
        # waiting on it to give up and kill it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(stop.code if isinstance(stop.code, int) else 0)


if __name__ == "__main__":
    main()
