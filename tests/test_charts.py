import datetime as dt

from statements.charts import HEIGHT, WIDTH, months_chart
from statements.selectors import MonthCount


def test_months_chart_scales_to_the_busiest_month():
    chart = months_chart([MonthCount(dt.date(2024, 1, 1), 2), MonthCount(dt.date(2024, 2, 1), 4)])
    assert chart.max_count == 4
    assert len(chart.bars) == 12  # padded to a year
    assert chart.first_label == "Mar 2023" and chart.last_label == "Feb 2024"
    assert all(bar.height == 0 for bar in chart.bars[:10])
    first, second = chart.bars[-2:]
    assert second.height == HEIGHT and second.y == 0
    assert first.height == HEIGHT / 2
    assert first.x + first.width < second.x <= WIDTH
    assert first.label == "Jan 2024: 2 statements"
    assert (second.date_from, second.date_to) == ("2024-02-01", "2024-02-29")
    assert chart.summary == (
        "6 statements from January 2024 to February 2024; busiest month February 2024 with 4."
    )


def test_months_chart_of_nothing_is_none():
    assert months_chart([]) is None


def test_months_chart_keeps_long_timelines_whole():
    months = [MonthCount(dt.date(2020 + i // 12, i % 12 + 1, 1), i) for i in range(30)]
    assert len(months_chart(months).bars) == 30
