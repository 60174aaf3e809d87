"""Shingle similarity: a story re-sent with a word changed is a version of the same story."""

from __future__ import annotations

from statements import neardup

STORY = (
    "The foreign ministers of the two neighbouring countries met on Tuesday in the border "
    "town to discuss water rights, fishing quotas and the reopening of a railway line that "
    "has been closed for more than a decade. Officials on both sides said the talks were "
    "constructive and that a joint commission would report within three months. The "
    "ministers also agreed to exchange prisoners held since the clashes of last spring, "
    "according to a statement released after the meeting. Opposition politicians in both "
    "capitals criticised the talks, saying that the governments had given away too much."
)


def test_one_word_changed_is_a_near_duplicate():
    edited = STORY.replace("Tuesday", "Wednesday")
    assert neardup.jaccard(neardup.shingles(STORY), neardup.shingles(edited)) >= 0.9
    assert neardup.similar(STORY, edited)


def test_a_different_story_on_the_same_subject_is_not():
    other = (
        "Fishing quotas were the main subject of talks between the two neighbouring "
        "countries on Tuesday, but no agreement was reached and the railway line stays closed."
    )
    assert not neardup.similar(STORY, other)


def test_spacing_case_and_punctuation_do_not_count():
    assert neardup.shingles(STORY) == neardup.shingles(STORY.upper().replace(" ", "  "))


def test_sketches_of_near_duplicates_overlap():
    edited = STORY.replace("three months", "two months")
    a, b = neardup.shingles(STORY), neardup.shingles(edited)
    assert len(set(neardup.sketch(a)) & set(neardup.sketch(b))) >= neardup.SKETCH_SIZE // 2


def test_overlap_of_a_packed_set_is_the_jaccard():
    edited = STORY.replace("Tuesday", "Wednesday").replace("railway", "road")
    a, b = neardup.shingles(STORY), neardup.shingles(edited)
    packed = neardup.ShingleCache(4).put("b", b)
    assert neardup.overlap(a, packed) == neardup.jaccard(a, b) < 1.0


def test_shingle_cache_keeps_the_most_recently_used():
    cache = neardup.ShingleCache(2)
    cache.put("a", {1}), cache.put("b", {2})
    assert list(cache.get("a")) == [1]  # "a" used: "b" is now the oldest
    cache.put("c", {3})
    assert cache.get("b") is None
    assert list(cache.get("a")) == [1] and list(cache.get("c")) == [3]
