"""Property tests for the fiddly pure functions: dates, folding with positions, sentences, month reading."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from deckbuild.coverage import folded_positions
from deckbuild.text import MONTHS, dated_months, fold, parse_date, sentence_spans

TEXT = st.text(alphabet=st.sampled_from(list("ab C.\n\t  ’“”–—-'\"")), max_size=80)


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_a_calendar_day_parses_to_itself_and_its_month_and_year_contain_it(day):
    assert parse_date(day.isoformat()) == (day, day)
    first, last = parse_date(day.isoformat()[:7])
    assert first.replace(day=1) == first <= day <= last and (last + dt.timedelta(days=1)).day == 1
    first, last = parse_date(str(day.year))
    assert (first, last) == (dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))


@given(st.integers(1000, 2099), st.integers(0, 99), st.integers(0, 99))
def test_a_date_that_is_not_on_the_calendar_is_refused(year, month, day):
    text = f"{year}-{month:02}-{day:02}"
    try:
        dt.date(year, month, day)
    except ValueError:
        assert parse_date(text) is None
    else:
        assert parse_date(text) is not None


@given(TEXT, st.data())
def test_folded_positions_map_every_substring_onto_its_folded_form(text, data):
    folded, position = folded_positions(text)
    assert folded == fold(text) or folded.strip() == fold(text)
    offsets = [position(offset) for offset in range(len(text) + 1)]
    assert offsets == sorted(offsets)  # positions only grow
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    piece = fold(text[start:end])
    if piece:
        assert piece in folded[position(start) : position(end) + 1]


@given(TEXT)
def test_sentences_are_in_order_do_not_overlap_and_lie_in_the_text(text):
    spans = list(sentence_spans(text))
    assert all(0 <= start < end <= len(text) for start, end in spans)
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(spans))


@given(st.sampled_from(MONTHS), st.integers(1, 28), st.integers(1000, 2099))
def test_every_written_form_of_a_day_reads_as_that_day(month, day, year):
    number = MONTHS.index(month) + 1
    for text in (f"on {day} {month} {year}", f"on {month} {day}, {year}", f"the {day}th of {month} {year}"):
        assert (number, day, str(year)) in list(dated_months(text)), text
