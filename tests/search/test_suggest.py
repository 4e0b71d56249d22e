"""The edit distance behind "did you mean": the banded table and the forms' filters give
exactly the full Levenshtein table's answer within the limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from search.query.suggest import _Forms, distance

WORDS = st.text(alphabet="abcåä", max_size=10)


def levenshtein(a: str, b: str) -> int:
    """The whole table, no band, no early exit."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@given(WORDS, WORDS, st.integers(min_value=0, max_value=3))
def test_distance_is_levenshtein_up_to_the_limit(a: str, b: str, limit: int) -> None:
    assert distance(a, b, limit) == min(levenshtein(a, b), limit + 1)


@given(st.sets(WORDS, min_size=1, max_size=4), WORDS, st.integers(min_value=0, max_value=3))
def test_a_term_is_as_far_as_its_nearest_form(forms: set[str], term: str, limit: int) -> None:
    nearest = min(levenshtein(f, term) for f in forms)
    assert _Forms(forms).distance(term, limit) == min(nearest, limit + 1)


def test_known_distances() -> None:
    assert distance("samodning", "samordning", 2) == 1
    assert distance("privcy", "privacy", 1) == 1
    assert distance("kitten", "sitting", 2) == 3  # over the limit: limit + 1
    assert distance("kitten", "sitting", 3) == 3
    assert _Forms({"förordn", "förordnig"}).distance("förordning", 2) == 1
