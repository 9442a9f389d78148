"""Does an environment variable's value look like a secret? Decided once, at collection time.

Only the verdict is kept: callers pass the value in, get a bool back, and drop the value. Nothing
here stores, logs or returns any part of a value.

Two tests, either one is enough:
- the value matches a credential format on its own (AWS access key ids, Stripe/Slack/GitHub/
  Google keys, PEM private keys, JWTs, URLs with a password);
- the name says secret (SECRET, PASSWORD, TOKEN, KEY, ...) and the value is a long, high-entropy
  literal rather than a reference (an ARN, an SSM/Secrets Manager path, a placeholder).
"""

from __future__ import annotations

import math
import re
from collections import Counter

_CREDENTIAL_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b",  # AWS access key id
        r"\b[sr]k_(?:live|test)_[0-9A-Za-z]{16,}",  # Stripe
        r"\bxox[abposr]-[0-9A-Za-z-]{10,}",  # Slack
        r"\b(?:ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{30,}|\bgithub_pat_[0-9A-Za-z_]{40,}",  # GitHub
        r"\bglpat-[0-9A-Za-z_-]{20,}",  # GitLab
        r"\bAIza[0-9A-Za-z_-]{35}\b",  # Google API key
        r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----",  # PEM private key
        r"\beyJ[0-9A-Za-z_-]{8,}\.eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}",  # JWT
        r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@",  # scheme://user:password@host
    )
)

_NAME_HINTS = ("SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "TOKEN", "KEY", "CREDENTIAL", "PWD")
# Name parts that make a KEY/TOKEN-ish name a pointer rather than a secret.
_NAME_POINTERS = ("ARN", "ID", "NAME", "PATH", "PARAM", "PARAMETER", "PREFIX", "URL", "FILE")

_REFERENCE = re.compile(
    r"^(?:arn:|\{\{resolve:|ssm:|secretsmanager:|/|\$\{|<|%\(|changeme$|placeholder$|dummy$|none$|"
    r"null$|true$|false$|test$|-?\d+(?:\.\d+)?$)",
    re.IGNORECASE,
)

MIN_SECRET_LENGTH = 12
MIN_ENTROPY_BITS_PER_CHAR = 3.0


def looks_secret(name: str, value: str | None) -> bool:
    if not value:
        return False
    if any(pattern.search(value) for pattern in _CREDENTIAL_PATTERNS):
        return True
    return _secret_name(name) and _high_entropy_literal(value)


def _secret_name(name: str) -> bool:
    parts = [part for part in re.split(r"[^A-Z0-9]+", name.upper()) if part]
    if not parts or parts[-1] in _NAME_POINTERS:
        return False
    return any(part.rstrip("S").endswith(hint) for part in parts for hint in _NAME_HINTS)


def _high_entropy_literal(value: str) -> bool:
    value = value.strip()
    if len(value) < MIN_SECRET_LENGTH or " " in value or _REFERENCE.match(value):
        return False
    return shannon_entropy(value) >= MIN_ENTROPY_BITS_PER_CHAR


def shannon_entropy(text: str) -> float:
    counts = Counter(text)
    length = len(text)
    return -sum(n / length * math.log2(n / length) for n in counts.values())
