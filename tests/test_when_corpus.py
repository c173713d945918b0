"""Every phrase of the corpus is read as a colleague would read it."""

import pytest

from bot.when import Reading, Refusal, read
from tests.when_corpus import Case, load_cases

CASES = load_cases()


def test_the_corpus_is_broad():
    assert len(CASES) >= 400
    assert len({case.tz for case in CASES}) >= 5
    assert {"past", "unreadable", "ambiguous"} <= {c.expected for c in CASES if isinstance(c.expected, str)}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_phrase(case: Case):
    result = read(case.phrase, case.now, case.tz)
    if isinstance(case.expected, str):
        assert isinstance(result, Refusal) and result.kind == case.expected, result
    else:
        assert isinstance(result, Reading), result
        assert result.start == case.expected
