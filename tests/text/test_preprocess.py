"""pyss3's preprocessing, reproduced: the fast paths change nothing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statkit.text import ss3_preprocess
from tests.text import reference

pytestmark = pytest.mark.nojit

# Characters that exercise every rule: digits and number punctuation, money, percent, degree
# and temperature letters, hashtags, delimiters, apostrophes, accents, line breaks.
ALPHABET = st.sampled_from(
    list("ab CcFf19,.$%#/-\\'()!?:;\"=|<>[]\n\u00e9\u00b0\u00ba\u00c5\u0130")
)


@given(st.text(ALPHABET, max_size=60))
def test_equals_the_step_by_step_transcription(text):
    assert ss3_preprocess(text) == reference.clean_and_ready(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, World!", "hello . world . ."),
        ("It's 30C on 1/2/2020", "its nnbrrt on nnbrrd ."),
        # pyss3 looks for the degree sign as UTF-8 bytes read as Latin-1 (Python 2): a real
        # "°" is not matched, the number and the letter stay apart, as in pyss3.
        ("30°C", "nnbrr c ."),
        ("#one #two three", "one . two three ."),
        ("Costs $5 or 10%", "costs mnnbrr or nnbrrp ."),
    ],
)
def test_examples(text, expected):
    assert ss3_preprocess(text) == expected
