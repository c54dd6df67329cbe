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
from live_center import live_center, local_epoch

from callcenter.emulator.callers import CallerScript
from callcenter.ivr.menus import shipped_menus_dir
from callcenter.speech.prompts import PromptSpeaker
from callcenter.speech.recognizer import find_model_dir
from callcenter.speech.synth import EspeakSynthesizer

# Inquiry, operator, booking, phone: words the small Korean model knows.
DAY = "2026-11-24"
ESPEAK = EspeakSynthesizer()
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


async def test_a_0200_caller_speaks_presses_hears_an_answer_and_is_called_after_six(
    tmp_path: Path,
) -> None:
    """One night call, by voice and by keys: a question answered from the knowledge base, then
    a callback request that is dialled once the center opens at 06:00."""
    menus = korean_menus(tmp_path / "menus")
    voice = spoken("문의", tmp_path / "inquiry.wav")
    async with live_center(
        tmp_path,
        day=DAY,
        at="02:00",
        menus_dir=str(menus),
        vosk_model=str(find_model_dir()),
        operators={"PJSIP/101": 30.0},
    ) as center:
        script = CallerScript(
            number="+79161234567",
            wav=str(voice),
            # Says "inquiry" at the main menu, then presses: passport, back to the main menu,
            # and there 4, a callback in the morning.
            digits={"night_main": ["", "4"], "night_faq_menu": "1", "night_after_answer": "1"},
            talk_s=20,
        )
        uid = center.emulator.place_call(script)
        await center.wait_for(lambda: center.ended(uid), virtual_s=600, label="night call over")
        record = await center.call_record(uid)
        assert (record.mode, record.outcome) == ("night", "callback")
        ivr = [e.details for e in await center.store.calls.timeline(uid) if e.kind == "ivr"]
        assert len(ivr) == 1
        steps = [(s["node"], s["input"], s["via"]) for s in ivr[0]["path"]]
        assert steps[:2] == [("welcome", "", "auto"), ("main", "문의", "speech")]
        assert ("faq", "1", "dtmf") in steps
        assert ("faq_passport", "faq:faq.passport.replace_age", "action") in steps
        assert ("main", "4", "dtmf") in steps
        # The answer the caller heard is the knowledge base's, with audio where Asterisk looks.
        answer = center.runtime.parts.knowledge.faq("faq.passport.replace_age").answer
        speaker = PromptSpeaker(sounds_dir=Path(center.settings.sounds_dir), synthesizer=ESPEAK)
        assert (Path(center.settings.sounds_dir) / f"{speaker.prompt_id(answer)}.wav").is_file()

        callback_id = f"cb-{uid}"
        six = local_epoch(DAY, "06:00")
        stored = await center.store.callbacks.get(callback_id)
        assert stored is not None
        assert stored.not_before == six
        # The rest of the night passes quickly; nothing may be dialled before six.
        center.clock.set_speed(3000.0)
        await center.wait_for(
            lambda: center.clock.now() >= six - 150, virtual_s=5 * 3600, label="night passes"
        )
        center.clock.set_speed(20.0)
        await center.called_back_once(callback_id, not_before=six)
