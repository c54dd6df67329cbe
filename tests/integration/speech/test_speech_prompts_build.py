"""Prompt audio: every shipped prompt gets 8 kHz audio, and rebuilds touch only changed text."""

from __future__ import annotations

import math
import re
import shutil
import wave
from pathlib import Path

import pytest

from callcenter.cli import main
from callcenter.config import Settings
from callcenter.ivr.menus import all_prompt_texts, load_menus, shipped_menus_dir
from callcenter.notify.campaign_file import DEFAULT_PROMPT
from callcenter.runtime import agi_routes
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
from callcenter.speech.system_prompts import SYSTEM_PROMPTS, is_asterisk_sound
from queue_engine.policies.entry import EMERGENCY_PROMPT

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


@pytest.fixture(scope="module")
def shipped_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sounds directory after one `callcenter prompts build` of everything shipped."""
    sounds = tmp_path_factory.mktemp("sounds")
    assert main(["prompts", "build", "--sounds-dir", str(sounds)]) == 0
    return sounds


async def test_every_shipped_prompt_and_faq_answer_has_audio_after_a_build(
    shipped_build: Path,
) -> None:
    tmp_path = shipped_build
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


# What the engine and the shipped dialplan play -------------------------------------------------

EXTENSIONS_CONF = Path(__file__).resolve().parents[3] / "asterisk_conf" / "extensions.conf"
# Applications that play files, and which argument names them ("a&b" plays both).
PLAYING_APPS = {"Playback": 0, "Background": 0, "BackGround": 0, "Read": 1, "ControlPlayback": 0}
PLAYED = re.compile(r"\b(" + "|".join(PLAYING_APPS) + r")\(([^()]*)\)")
# The prompt names the engine (or a campaign's default) leaves in a dialplan variable; a sound it
# synthesises at run time (dyn_..., notify_...) is made before its name is set.
VARIABLE_PROMPTS = {
    "CC_ANNOUNCE": {EMERGENCY_PROMPT},
    "CC_NOTIFY_PROMPT": {DEFAULT_PROMPT},
}


def dialplan_sounds() -> set[str]:
    """Every sound name the shipped extensions.conf can play, its variables expanded."""
    names: set[str] = set()
    for line in EXTENSIONS_CONF.read_text(encoding="utf-8").splitlines():
        line = line.split(";", 1)[0]
        for app, args in PLAYED.findall(line):
            fields = args.split(",")
            argument = fields[PLAYING_APPS[app]] if len(fields) > PLAYING_APPS[app] else ""
            for name in filter(None, (n.strip() for n in argument.split("&"))):
                names.update(expand(name))
    return names


QUEUES_CONF = EXTENSIONS_CONF.with_name("queues.conf")
# queues.conf options naming sound files (periodic-announce: a comma-separated list); Queue()
# plays Asterisk's own queue-* sounds for those left unset.
QUEUE_SOUND_OPTIONS = re.compile(r"^\s*(announce|periodic-announce|queue-[a-z0-9-]+)\s*=\s*(\S.*)$")


def queue_sounds() -> set[str]:
    names: set[str] = set()
    for line in QUEUES_CONF.read_text(encoding="utf-8").splitlines():
        if found := QUEUE_SOUND_OPTIONS.match(line.split(";", 1)[0]):
            names.update(n.strip() for n in found.group(2).split(",") if n.strip())
    return names


def expand(name: str) -> set[str]:
    variables = re.findall(r"\$\{([^}]+)\}", name)
    unknown = [v for v in variables if v not in VARIABLE_PROMPTS]
    assert not unknown, f"extensions.conf plays {name}: say what {unknown} may hold"
    names = {name}
    for variable in variables:
        token = f"${{{variable}}}"
        names = {n.replace(token, v) for n in names for v in VARIABLE_PROMPTS[variable]}
    return names


def route_prompts() -> set[str]:
    """The prompt constants of the engine's AGI routes (played under the sound prefix)."""
    return {
        value
        for name, value in vars(agi_routes).items()
        if name.endswith("_PROMPT") and isinstance(value, str)
    }


def test_every_sound_the_engine_and_the_dialplan_play_has_audio_after_a_build(
    shipped_build: Path,
) -> None:
    prefix = Settings().sound_prefix
    played = {prefix + p for p in route_prompts()} | dialplan_sounds() | queue_sounds()
    assert {
        "callcenter/cc-callback-offer",
        "callcenter/cc-callback-greeting",
        "callcenter/emergency",
        "callcenter/notify",
    } <= played
    for sound in sorted(played):
        if is_asterisk_sound(sound):
            continue  # Asterisk's own core sounds
        assert sound.startswith(prefix), f"{sound} is not under the sounds prefix {prefix}"
        assert_asterisk_audio(shipped_build, sound.removeprefix(prefix))


def test_system_prompts_are_russian_and_menus_may_not_reuse_their_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for prompt_id, text in SYSTEM_PROMPTS.items():
        assert re.search("[а-яё]{3}", text), prompt_id
    menus = tmp_path / "menus"
    menus.mkdir()
    survey = (shipped_menus_dir() / "survey.yaml").read_text(encoding="utf-8")
    clash = survey.replace("prompts:\n", "prompts:\n  cc-callback-offer: Другой текст.\n", 1)
    (menus / "survey.yaml").write_text(clash, encoding="utf-8")
    args = ["prompts", "build", "--sounds-dir", str(tmp_path / "s"), "--menus-dir", str(menus)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "survey.yaml" in err
    assert "prompts.cc-callback-offer" in err
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").iterdir())
