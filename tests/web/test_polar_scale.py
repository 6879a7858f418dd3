"""The wind polar plot is coloured by the rank of each cell's mean (lantian.web.charts.quantile_position),
so that a few extreme cells do not wash every other cell out to the same green."""

from __future__ import annotations

from lantian.web import charts


def _cells(means):
    return [{"sector_index": i, "speed_bin": 0, "mean": m, "n": 10} for i, m in enumerate(means)]


def test_one_extreme_cell_does_not_flatten_the_others():
    means = [10.0, 20.0, 30.0, 40.0, 1000.0]
    option = charts.wind_polar(
        _cells(means), [str(i) for i in range(5)], [{"bin": 0, "label": "0–1 m/s"}], "μg/m³", "zh"
    )
    colours = [d["itemStyle"]["color"] for d in option["series"][0]["data"]]
    # five different colours, lowest green and highest red, the middle cell at the ramp's middle
    assert len(set(colours)) == 5
    assert colours[0] == charts._ramp(0.0) and colours[-1] == charts._ramp(1.0)
    assert colours[2] == charts._ramp(0.5)
    # a linear scale would have put 10…40 within 3% of the ramp: all nearly the same green
    assert charts.quantile_position(40.0, sorted(means)) == 0.75


def test_ties_share_their_middle_rank_and_the_scale_says_how_it_colours():
    ordered = [1.0, 2.0, 2.0, 3.0]
    assert charts.quantile_position(2.0, ordered) == 0.5
    assert charts.quantile_position(1.0, [1.0]) == 0.5
    scale = charts.wind_scale(_cells([5.0, 1.0, 9.0]))
    assert (scale["low"], scale["median"], scale["high"], scale["scale"]) == (1.0, 5.0, 9.0, "quantile")
