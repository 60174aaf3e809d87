import datetime as dt

from statements.charts import HEIGHT, WIDTH, months_chart
from statements.selectors import MonthCount


def test_months_chart_scales_to_the_busiest_month():
    chart = months_chart([MonthCount(dt.date(2024, 1, 1), 2), MonthCount(dt.date(2024, 2, 1), 4)])
    assert chart.max_count == 4
    first, second = chart.bars
    assert second.height == HEIGHT and second.y == 0
    assert first.height == HEIGHT / 2
    assert first.x + first.width < second.x <= WIDTH
    assert first.label == "Jan 2024: 2 statements"
    assert (second.date_from, second.date_to) == ("2024-02-01", "2024-02-29")
    assert "busiest month February 2024 with 4" in chart.summary


def test_months_chart_of_nothing_is_none():
    assert months_chart([]) is None
