"""The README's `make demo` runs `callcenter demo`: it prints its address and the AMI/AGI ports,
serves status, and calls flow (on a fast clock here, so a few seconds show calls completed)."""

import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

PORTS = re.compile(r"AMI on 127\.0\.0\.1:(\d+), engine FastAGI on 127\.0\.0\.1:(\d+)")


class Output:
    """The demo's output, read on a thread so that its logs never fill the pipe."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.append(line)

    def close(self, proc: subprocess.Popen[str]) -> None:
        self._thread.join(timeout=10)
        assert proc.stdout is not None
        proc.stdout.close()

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if found := pattern.search(line):
                    return found
            time.sleep(0.05)
        raise AssertionError(f"demo did not print {pattern.pattern}: {''.join(self.lines)[-2000:]}")


def test_demo_prints_its_ports_serves_status_calls_flow_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "callcenter", "demo", "--port", "0", "--data-dir", str(tmp_path),
         "--speed", "30", "--rate", "1200"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    output = Output(proc)
    try:
        url = output.wait_for(re.compile(r"(http://\S+)")).group(1)
        ami_port, agi_port = (int(p) for p in output.wait_for(PORTS).groups())
        with urllib.request.urlopen(url + "/api/status", timeout=10) as resp:
            body = json.load(resp)
        assert body["mode"] == "demo"
        assert body["components"]["database"]["detail"] == "sqlite"
        assert (tmp_path / "callcenter.db").exists()

        with (
            socket.create_connection(("127.0.0.1", ami_port), timeout=5) as ami,
            ami.makefile("rb") as banner,
        ):
            assert banner.readline().startswith(b"Asterisk Call Manager/")
        with socket.create_connection(("127.0.0.1", agi_port), timeout=5):
            pass  # the engine's FastAGI accepts the dialplan's connections

        deadline = time.monotonic() + 30
        while (done := calls_completed(url)) == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert done > 0, "no call completed in 30 s (15 minutes of the demo day)"

        # The prompts were built at start, so the emulated Asterisk (which plays only sounds
        # that exist) lets callers hear the callback offer, and some accept it.
        deadline = time.monotonic() + 30
        while (booked := calls_completed(url, 'outcome="callback"')) == 0:
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert booked > 0, "no caller accepted a callback offer in 30 s"
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        output.close(proc)
    log = "".join(output.lines)
    assert re.search(r"built (\d+), unchanged 0", log), log[:2000]
    assert "does not exist" not in log, [line for line in output.lines if "does not exist" in line]


def calls_completed(url: str, label: str = "") -> float:
    """The sum of callcenter_calls_total over queues and outcomes (those with `label`), from
    /metrics."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as resp:
        text = resp.read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("callcenter_calls_total{") and label in line
    )
