"""A night caller says their choice instead of pressing it: Asterisk records it (RECORD FILE),
the engine recognises it with a real Vosk model and the menu goes on (issue 8).

The only Vosk model on PyPI is Korean, so the night menu used here is the shipped one with its
spoken phrases in Korean; everything else (prompts, FAQ answers, DTMF) is the shipped menu.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from live_center import live_center

from callcenter.emulator.callers import CallerScript
from callcenter.ivr.menus import shipped_menus_dir
from callcenter.speech.recognizer import find_model_dir

# Inquiry, operator, booking, phone: words the small Korean model knows.
KOREAN = {"вопрос": "문의", "статус": "상담원 연결", "запись": "예약", "перезвонить": "전화"}


def korean_menus(directory: Path) -> Path:
    shutil.copytree(shipped_menus_dir(), directory)
    night = directory / "night.yaml"
    text = night.read_text(encoding="utf-8")
    for russian, korean in KOREAN.items():
        text = text.replace(f"phrases: [{russian}]", f'phrases: ["{korean}"]')
    night.write_text(text, encoding="utf-8")
    return directory


def spoken(text: str, target: Path) -> Path:
    """`text` as a caller's 8 kHz mono recording (espeak-ng's Korean voice)."""
    espeak, sox = shutil.which("espeak-ng"), shutil.which("sox")
    if espeak is None or sox is None:
        pytest.fail("espeak-ng and sox are needed (make test installs them)")
    raw = target.with_suffix(".src.wav")
    subprocess.run([espeak, "-v", "ko", "-w", str(raw), text], check=True, timeout=30)
    subprocess.run(
        [sox, str(raw), "-r", "8000", "-c", "1", "-b", "16", str(target)], check=True, timeout=30
    )
    return target


async def test_a_night_caller_says_question_and_hears_the_faq_answer(tmp_path: Path) -> None:
    menus = korean_menus(tmp_path / "menus")
    voice = spoken("문의", tmp_path / "inquiry.wav")
    async with live_center(
        tmp_path,
        day="2026-11-24",
        at="02:00",
        menus_dir=str(menus),
        vosk_model=str(find_model_dir()),
    ) as center:
        script = CallerScript(
            number="+79161234567",
            wav=str(voice),
            digits={"night_faq_menu": "1", "night_after_answer": "0"},
        )
        uid = center.emulator.place_call(script)
        await center.wait_for(lambda: center.ended(uid), virtual_s=300, label="night call over")
        record = await center.call_record(uid)
        assert (record.mode, record.outcome) == ("night", "ivr")
        ivr = [e.details for e in await center.store.calls.timeline(uid) if e.kind == "ivr"]
        assert len(ivr) == 1
        assert {"node": "main", "input": "문의", "via": "speech"} in ivr[0]["path"]
        heard = [p for p in ivr[0]["phrases"] if p["node"] == "main"]
        assert heard[0]["phrase"] == "문의"
        assert heard[0]["confidence"] >= 0.8
        assert ivr[0]["outcome"] == "self_served"
        # The caller heard the FAQ answer of the knowledge base.
        assert any(step["node"] == "faq_passport" for step in ivr[0]["path"])
