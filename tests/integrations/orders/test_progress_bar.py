"""The command's progress bar shows the time left it is given (both roads), else its own."""

import io

from integrations.orders.management.progress import ProgressBar


def test_the_bar_shows_the_time_left_of_both_roads_when_given_one():
    bar = ProgressBar(total=1000, label="push", stream=io.StringIO())

    bar.update(100, eta_seconds=75.0)
    given = bar.render()
    bar.update(100)

    assert "ETA 01:15" in given
    assert "ETA 01:15" not in bar.render()  # without one: its own done/elapsed
