"""Normalisation: what changes, what is kept, and the map back to original offsets."""
from __future__ import annotations

from hypothesis import given, strategies as st

from extraction.normalize import normalize

ALPHABET = st.sampled_from(list("a1中，（）；：\n\r\u3000\xa0１２Ａｚ％．＋－\ufeff 。"))


def test_what_changes_and_what_is_kept():
    n = normalize("\ufeff共１２３条\r\n（一）ＡＢ\u3000c％；，：\rx")
    assert n.text == "共123条\n（一）AB c%；，：\nx"


@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_offsets_map_back_to_the_original(s):
    n = normalize(s)
    assert n.original_index(len(n.text)) == len(s)
    previous = -1
    for i, ch in enumerate(n.text):
        o = n.original_index(i)
        assert o > previous  # monotone
        previous = o
        orig = s[o]
        assert ch == orig or normalize(orig).text == ch or (orig == "\r" and ch == "\n")
    # every dropped character is a BOM at the start or the \r of a \r\n
    kept = {n.original_index(i) for i in range(len(n.text))}
    for j in set(range(len(s))) - kept:
        assert (j == 0 and s[0] == "\ufeff") or (s[j] == "\r" and s[j + 1 : j + 2] == "\n")


def test_span_round_trip():
    original = "标题\r\n微信公众号发布４４８篇文章\r\n"
    n = normalize(original)
    start = n.text.index("448篇")
    a, b = n.to_original(start, start + 4)
    assert original[a:b] == "４４８篇"
