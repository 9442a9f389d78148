"""The AWS emulator for the demo and the tests: moto's server, plus what we add to it.

``python -m advisor.demo.emulator --port 5000`` serves it on 127.0.0.1 over plain HTTP; boto3
reaches it with ``endpoint_url``, exactly as it would reach AWS.
"""

from __future__ import annotations

import argparse

from moto import server as moto_server


def install_extensions() -> None:
    """Patch moto with the operations and behaviours the scanner relies on (see each patch)."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    install_extensions()
    moto_server.main(["--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    main()
