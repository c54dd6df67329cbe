"""Accepting a recogniser result only when it is exactly one expected phrase, confidently."""

from __future__ import annotations

from typing import Any

from callcenter.speech.recognition import grammar, judge

PHRASES = ["статус", "перезвонить", "запись на приём"]


def words(*pairs: tuple[str, float]) -> dict[str, Any]:
    return {"result": [{"word": w, "conf": c} for w, c in pairs]}


def test_exact_phrase_with_confident_words_is_accepted() -> None:
    got = judge(words(("запись", 0.97), ("на", 1.0), ("приём", 0.9)), PHRASES, 0.8)
    assert (got.phrase, got.confidence, got.accepted) == ("запись на приём", 0.9, True)


def test_yo_and_case_do_not_matter() -> None:
    assert judge(words(("Запись", 1.0), ("на", 1.0), ("прием", 1.0)), PHRASES, 0.8).accepted


def test_a_low_confidence_word_rejects() -> None:
    got = judge(words(("статус", 0.55)), PHRASES, 0.8)
    assert not got.accepted
    assert got.text == "статус"


def test_several_grammar_words_forced_together_reject() -> None:
    # What a small model does with out-of-grammar speech: a run of grammar words.
    assert not judge(words(("статус", 1.0), ("статус", 1.0)), PHRASES, 0.8).accepted


def test_unknown_words_reject_and_silence_rejects() -> None:
    assert not judge(words(("[unk]", 1.0), ("статус", 1.0)), PHRASES, 0.8).accepted
    silence = judge({"text": ""}, PHRASES, 0.8)
    assert (silence.accepted, silence.text, silence.confidence) == (False, "", 0.0)


def test_grammar_keeps_both_spellings_and_unk() -> None:
    assert grammar(["Запись на  приём"]) == ["запись на приём", "запись на прием", "[unk]"]
