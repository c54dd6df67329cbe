"""Text prepared for festvox-ru keeps words and glued punctuation only."""

from __future__ import annotations

import pytest

from callcenter.speech.synth import festival_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Скажите «вопрос».", "Скажите вопрос."),
        ("Паспорт — нажмите один", "Паспорт, нажмите один"),
        ("Жилищно-коммунальные услуги", "Жилищно-коммунальные услуги"),
        ("Номер записи: 0001 .", "Номер записи: 0001."),
        ("  много   пробелов ", "много пробелов"),
    ],
)
def test_festival_text(text: str, expected: str) -> None:
    assert festival_text(text) == expected
