"""Charts drawn on the server: geometry from figures, markup from a template, escaped."""

from datetime import date

from shegong_stations import charts, roundup_render
from shegong_stations.charts import Series
from shegong_stations.periods import Span, weeks_back
from shegong_stations.queries.roundup_facts import Facts
from shegong_stations.roundup import build
from shegong_stations.web import pictures


def svg_of(chart) -> str:
    return roundup_render.html(
        build("某区", Span(date(2024, 3, 16), date(2024, 3, 22)), {}, Facts()), [chart]
    )


def test_an_axis_ends_at_a_round_number_above_the_highest_value():
    assert charts.nice_top(3) == 4
    assert charts.nice_top(27) == 40
    assert charts.nice_top(0) == 4


def test_twelve_weeks_end_with_the_week_of_the_day_asked():
    weeks = weeks_back(date(2024, 3, 22), 12)
    assert len(weeks) == 12
    assert weeks[-1] == Span(date(2024, 3, 18), date(2024, 3, 24))
    assert weeks[0].start == date(2024, 1, 1)


def test_weeks_are_columns_stacked_by_station_with_the_total_on_top():
    one = charts.over_weeks("v", "走访", ["3/11", "3/18"], [Series("甲", [0, 3])])
    assert len(one.rects) == 1  # an empty week draws nothing
    assert "最近一周3" in one.description
    many = charts.over_weeks(
        "v", "走访", ["3/11", "3/18"], [Series("甲", [0, 3]), Series("乙", [1, 3])]
    )
    assert len(many.rects) == 3 + 2  # three columns' parts, two legend swatches
    assert "6" in [t.text for t in many.texts]  # the week of 3/18 in all
    assert many.rows == [["甲", "0", "3"], ["乙", "1", "3"]]


def test_the_filing_pipeline_runs_in_the_order_a_filing_takes():
    chart = pictures.filing_pipeline({"approved": 4, "pending": 1, "deregistered": 1})
    assert chart.headers == ["待审核", "退回补正", "已备案", "已转型志愿服务队"]
    assert chart.rows == [[1, 0, 4, 0]]
    assert "已注销 1" in chart.description


def test_a_chart_is_accessible_svg_and_escapes_what_was_recorded():
    chart = charts.hbars("p", "参与<script>", ["<b>居民</b>"], [Series("本周", [20])])
    html = svg_of(chart)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert '<title id="title-p">参与&lt;script&gt;</title>' in html
    assert "<table>" in html  # the numbers beside the picture
