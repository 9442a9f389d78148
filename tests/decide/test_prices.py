"""The price table: one data file, a source per figure, and no price anywhere else."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import advisor.decide
from advisor.decide import available_regions, load_prices

DECIDE = Path(advisor.decide.__file__).parent
PRICE_KEYS = ("usd", "usd_per_gb_second", "usd_per_hour", "usd_per_million")


def _figures(node, path=()):
    if isinstance(node, dict):
        if any(key in node for key in PRICE_KEYS):
            yield path, node
        for key, value in node.items():
            yield from _figures(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _figures(value, (*path, i))


def test_every_price_has_a_source_link_and_the_table_a_date():
    raw = tomllib.loads((DECIDE / "prices.toml").read_text())
    assert raw["as_of"]
    figures = list(_figures(raw))
    assert len(figures) > 20
    for path, figure in figures:
        assert figure.get("source", "").startswith("https://aws.amazon.com/"), path


def test_no_price_is_written_in_the_code():
    raw = tomllib.loads((DECIDE / "prices.toml").read_text())
    prices = set()
    for _, figure in _figures(raw):
        for key in PRICE_KEYS:
            if key in figure:
                prices.add(float(figure[key]))
    # Short round figures ($0.20 a million requests) also occur as layout numbers; police the
    # distinctive ones (three or more significant digits), which cannot be a coincidence.
    prices = {p for p in prices if len(f"{p:.10g}".replace("0.", "").strip("0")) >= 3}
    assert 0.0000166667 in prices and 0.0208 in prices
    for source in DECIDE.glob("*.py"):
        tree = ast.parse(source.read_text())
        literals = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, float)
        }
        assert not (literals & prices), f"{source.name} writes a price: {literals & prices}"


def test_us_east_1_has_every_family_of_figures():
    assert "us-east-1" in available_regions()
    table = load_prices("us-east-1")
    assert table.lambda_.requests_per_million == 0.20
    assert set(table.lambda_.duration) == {"x86_64", "arm64"}
    assert set(table.lambda_.provisioned) == {"x86_64", "arm64"}
    assert set(table.fargate) == {"x86_64", "arm64"}
    types = {i.type for i in table.ec2}
    assert {"t3.small", "t4g.small", "c7g.large", "m7g.large"} <= types
    assert any(i.gpus for i in table.ec2)
    assert {i.arch for i in table.ec2} == {"x86_64", "arm64"}
