"""Prompt audio: every shipped prompt gets 8 kHz audio, and rebuilds touch only changed text."""

from __future__ import annotations

import math
import shutil
import wave
from pathlib import Path

import pytest

from callcenter.cli import main
from callcenter.ivr.menus import all_prompt_texts, load_menus, shipped_menus_dir
from callcenter.runtime.ivr_services import CallIvrServices
from callcenter.scripting import OperatorGuide
from callcenter.speech import audio
from callcenter.speech.prompts import MANIFEST, PromptSpeaker, build_prompts
from callcenter.speech.synth import (
    EspeakSynthesizer,
    FestivalSynthesizer,
    SynthesisError,
    synthesizer_for,
)

ESPEAK = EspeakSynthesizer()
SMALL = {"a": "Здравствуйте.", "b": "Нажмите один.", "c": "До свидания."}


@pytest.fixture(autouse=True)
def _needs_espeak() -> None:
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is required (apt-get install espeak-ng)")


def assert_asterisk_audio(sounds: Path, prompt_id: str) -> None:
    with wave.open(str(sounds / f"{prompt_id}.wav"), "rb") as audio:
        assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (8000, 1, 2)
        frames = audio.getnframes()
    assert frames > 8000 * 0.3, f"{prompt_id}: under 0.3 s of audio"
    assert (sounds / f"{prompt_id}.sln").stat().st_size == frames * 2


def faq_ids_the_menus_play() -> set[str]:
    return {
        str(node.params["faq_id"])
        for menu in load_menus(shipped_menus_dir()).values()
        for node in menu.nodes.values()
        if node.action == "faq_answer"
    }


async def test_every_shipped_prompt_and_faq_answer_has_audio_after_a_build(
    tmp_path: Path,
) -> None:
    code = main(["prompts", "build", "--sounds-dir", str(tmp_path)])
    assert code == 0
    texts = all_prompt_texts(load_menus(shipped_menus_dir()))
    for prompt_id in texts:
        assert_asterisk_audio(tmp_path, prompt_id)
    # The FAQ answers the menus play are found by the engine's speaker without synthesis.
    knowledge = OperatorGuide.load().knowledge_base
    speaker = PromptSpeaker(sounds_dir=tmp_path, synthesizer=ESPEAK)
    played = faq_ids_the_menus_play()
    assert played
    before = stamps(tmp_path)
    for faq_id in played:
        answer = await services(knowledge, speaker).faq_answer(faq_id)
        assert answer is not None
        prompt_id = await speaker.speak(answer.text)
        assert_asterisk_audio(tmp_path, prompt_id)
    assert stamps(tmp_path) == before


def stamps(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in directory.iterdir()}


def services(knowledge: object, speaker: PromptSpeaker) -> CallIvrServices:
    return CallIvrServices(
        call_id="c1", runner=None, knowledge=knowledge, portal=None, speak=speaker.speak
    )  # type: ignore[arg-type]


def test_second_build_does_nothing_and_a_changed_text_rebuilds_only_it(tmp_path: Path) -> None:
    first = build_prompts(SMALL, tmp_path, synthesizer=ESPEAK)
    assert sorted(first.built) == ["a", "b", "c"]
    stamps = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}

    second = build_prompts(SMALL, tmp_path, synthesizer=ESPEAK)
    assert (second.built, sorted(second.skipped)) == ((), ["a", "b", "c"])
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == stamps

    third = build_prompts({**SMALL, "b": "Нажмите два."}, tmp_path, synthesizer=ESPEAK)
    assert third.built == ("b",)
    changed = {p.name for p in tmp_path.iterdir() if p.stat().st_mtime_ns != stamps.get(p.name)}
    assert changed == {"b.wav", "b.sln", MANIFEST}


def test_a_deleted_file_or_a_new_voice_rebuilds(tmp_path: Path) -> None:
    build_prompts(SMALL, tmp_path, synthesizer=ESPEAK)
    (tmp_path / "c.sln").unlink()
    assert build_prompts(SMALL, tmp_path, synthesizer=ESPEAK).built == ("c",)
    faster = EspeakSynthesizer(words_per_minute=180)
    assert sorted(build_prompts(SMALL, tmp_path, synthesizer=faster).built) == ["a", "b", "c"]


def test_faq_answers_come_from_the_given_knowledge_base(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    answer = "Паспорт меняют в МФЦ."
    (kb / "faq.csv").write_text(
        f"id,question,answer,topic\nfaq.p,Где поменять паспорт?,{answer},passport\n",
        encoding="utf-8",
    )
    menus = tmp_path / "menus"
    menus.mkdir()
    shutil.copy(shipped_menus_dir() / "survey.yaml", menus)
    sounds = tmp_path / "sounds"
    args = ["prompts", "build", "--sounds-dir", str(sounds), "--menus-dir", str(menus)]
    assert main([*args, "--kb-dir", str(kb), "--formats", "sln"]) == 0
    speaker = PromptSpeaker(sounds_dir=sounds, synthesizer=ESPEAK, formats=("sln",))
    assert (sounds / f"{speaker.prompt_id(answer)}.sln").stat().st_size > 8000
    assert (sounds / "survey_rating.sln").is_file()
    assert not (sounds / "survey_rating.wav").exists()


def test_a_broken_knowledge_base_fails_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "faq.csv").write_text("id,question\nx,y\n", encoding="utf-8")
    args = ["prompts", "build", "--sounds-dir", str(tmp_path / "s"), "--kb-dir", str(tmp_path)]
    assert main(args) == 1
    assert "faq.csv" in capsys.readouterr().err


async def test_speaking_without_a_synthesiser_keeps_the_call_going(tmp_path: Path) -> None:
    class Broken:
        identity = "broken"

        def synthesize(self, text: str, out_wav: Path) -> None:
            raise SynthesisError("espeak-ng is not installed")

    speaker = PromptSpeaker(sounds_dir=tmp_path, synthesizer=Broken())
    assert await speaker.speak("Текст.") == speaker.prompt_id("Текст.")
    assert stamps(tmp_path) == {}


def test_a_broken_menu_fails_the_command_with_the_file_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_text("menu: bad\nstart: x\n", encoding="utf-8")
    code = main(["prompts", "build", "--sounds-dir", str(tmp_path), "--menus-dir", str(tmp_path)])
    assert code == 1
    assert "bad.yaml: prompts" in capsys.readouterr().err


async def test_runtime_speaker_synthesises_once(tmp_path: Path) -> None:
    speaker = PromptSpeaker(sounds_dir=tmp_path, synthesizer=ESPEAK)
    prompt_id = await speaker.speak("Ваше заявление готово.")
    assert_asterisk_audio(tmp_path, prompt_id)
    stamp = (tmp_path / f"{prompt_id}.wav").stat().st_mtime_ns
    assert await speaker.speak("Ваше заявление готово.") == prompt_id
    assert (tmp_path / f"{prompt_id}.wav").stat().st_mtime_ns == stamp
    assert await speaker.speak("Другой текст.") != prompt_id


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(SynthesisError, match="unknown engine"):
        synthesizer_for("say")


def test_festival_gives_a_russian_voice(tmp_path: Path) -> None:
    if shutil.which("text2wave") is None:
        pytest.fail("festival is required (make test installs festival festvox-ru)")
    text = "Паспорт — нажмите один или скажите «паспорт»."  # quotes and dashes stop festival
    report = build_prompts({"f": text}, tmp_path, synthesizer=FestivalSynthesizer())
    assert report.built == ("f",)
    assert_asterisk_audio(tmp_path, "f")


@pytest.mark.parametrize("with_sox", [True, False])
def test_resampling_keeps_duration_with_or_without_sox(
    monkeypatch: pytest.MonkeyPatch, with_sox: bool
) -> None:
    if with_sox and shutil.which("sox") is None:
        pytest.fail("sox is required (apt-get install sox)")
    if not with_sox:
        monkeypatch.setattr("callcenter.speech.audio.shutil.which", lambda name: None)
    tone = b"".join(
        int(8000 * math.sin(2 * math.pi * 440 * i / 22050)).to_bytes(2, "little", signed=True)
        for i in range(22050)
    )
    out = audio.resample(tone, 22050, 8000)
    assert abs(len(out) - 16000) <= 64  # one second at 8 kHz, 16-bit
    assert max(abs(int.from_bytes(out[i : i + 2], "little", signed=True)) for i in (0, 800)) < 9000
