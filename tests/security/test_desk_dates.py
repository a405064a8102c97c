"""The analytics date range never raises on odd dates (issue 12, low: a 500 for year-1 dates)."""
import datetime as dt
from types import SimpleNamespace

from bot.desk.web import date_range

TODAY = dt.date(2026, 11, 23)


def test_an_end_date_in_year_one_without_a_start_is_refused_politely():
    # the default start is end − 6 days, which does not exist before 0001-01-01
    start, end, problem = date_range(SimpleNamespace(args={"end": "0001-01-01"}), TODAY)
    assert (start, end) == (dt.date(2026, 11, 17), TODAY)  # the last seven days instead
    assert problem


def test_a_year_one_range_is_shown_as_asked():
    start, end, problem = date_range(SimpleNamespace(args={"start": "0001-01-01", "end": "0001-01-03"}), TODAY)
    assert (start, end, problem) == (dt.date(1, 1, 1), dt.date(1, 1, 3), None)
