"""Small server-rendered SVG charts: geometry here, markup in the templates."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from statements.selectors import MonthCount

WIDTH = 600
HEIGHT = 120
GAP = 0.15  # share of each slot left empty between bars
# A year at least, so that one busy month is a bar in its context, not a wall.
MIN_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str  # "Mar 2024: 3 statements"
    date_from: str  # the month's first and last day, to filter the list by it
    date_to: str


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    max_count: int
    first_label: str
    last_label: str
    summary: str  # what a screen reader hears instead of the picture


def _padded(months: list[MonthCount], minimum: int) -> list[MonthCount]:
    """Empty months before the first one until there are `minimum` months."""
    while len(months) < minimum:
        first = months[0].month
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        months.insert(0, MonthCount(month=previous, count=0))
    return months


def months_chart(months: Sequence[MonthCount]) -> BarChart | None:
    """A bar per month, scaled to the busiest month; None when there is nothing to draw."""
    if not months:
        return None
    busiest = max(months, key=lambda m: m.count)
    total = sum(m.count for m in months)
    summary = (
        f"{total} statement{'s' if total != 1 else ''} from {months[0].month:%B %Y} "
        f"to {months[-1].month:%B %Y}; busiest month {busiest.month:%B %Y} with {busiest.count}."
    )
    months = _padded(list(months), MIN_MONTHS)
    top = max(m.count for m in months) or 1
    slot = WIDTH / len(months)
    bars = []
    for i, m in enumerate(months):
        height = HEIGHT * m.count / top
        last_day = calendar.monthrange(m.month.year, m.month.month)[1]
        bars.append(
            Bar(
                x=round(i * slot + slot * GAP / 2, 2),
                y=round(HEIGHT - height, 2),
                width=round(slot * (1 - GAP), 2),
                height=round(height, 2),
                count=m.count,
                label=f"{m.month:%b %Y}: {m.count} statement{'s' if m.count != 1 else ''}",
                date_from=m.month.isoformat(),
                date_to=m.month.replace(day=last_day).isoformat(),
            )
        )
    return BarChart(
        bars=bars,
        width=WIDTH,
        height=HEIGHT,
        max_count=top,
        first_label=f"{months[0].month:%b %Y}",
        last_label=f"{months[-1].month:%b %Y}",
        summary=summary,
    )
