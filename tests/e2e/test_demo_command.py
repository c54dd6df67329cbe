"""The README's `make demo` runs `callcenter demo`: it prints its address and serves status."""

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def test_demo_prints_its_address_serves_status_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "callcenter", "demo", "--port", "0", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = wait_for_address(proc)
        with urllib.request.urlopen(url + "/api/status", timeout=10) as resp:
            body = json.load(resp)
        assert body["mode"] == "demo"
        assert body["components"]["database"]["detail"] == "sqlite"
        assert (tmp_path / "callcenter.db").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert proc.stdout is not None
        proc.stdout.close()


def wait_for_address(proc: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "http://" in line:
            return line[line.index("http://") :].split()[0]
        if not line and proc.poll() is not None:
            break
    raise AssertionError("demo did not print its address")
