"""Export rows and the spreadsheet formula guard."""

from __future__ import annotations

import pytest

from statements.exports import csv_cells, csv_safe


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\t=x", "'\t=x"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_csv_cells_flatten_a_row():
    row = {
        "id": 1,
        "text": "=evil",
        "kind": "direct",
        "start": 0,
        "end": 5,
        "cue": None,
        "speaker": None,
        "article": {"id": 2, "title": "-title", "published": None},
        "countries": ["TR", "US"],
        "topics": [],
    }
    assert csv_cells(row) == [
        1,
        "'=evil",
        "direct",
        0,
        5,
        "",
        "",
        "",
        "",
        2,
        "'-title",
        "",
        "TR US",
        "",
    ]
