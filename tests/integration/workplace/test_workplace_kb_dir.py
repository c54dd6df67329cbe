"""`kb_dir`: a center keeps its own knowledge base; a broken one stops the start-up (issue 6)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from callcenter.bootstrap import load_guide
from callcenter.config import Settings, SettingsError
from callcenter.scripting.catalog import DATA_DIR

OWN_FAQ = """faq:
  - id: faq.local.parking
    topic: general
    question: Где оставить автомобиль у здания администрации?
    answer: Бесплатная парковка для посетителей — во дворе, въезд с улицы Садовой.
    tags: [парковка, автомобиль, стоянка]
"""


@pytest.fixture
def own_kb(tmp_path: Path) -> Path:
    """The shipped sample plus one entry of this center."""
    kb = tmp_path / "kb"
    shutil.copytree(DATA_DIR / "kb", kb, ignore=shutil.ignore_patterns("__*"))
    (kb / "faq_local.yaml").write_text(OWN_FAQ, encoding="utf-8")
    return kb


def test_the_center_uses_its_own_knowledge_base(own_kb: Path) -> None:
    guide = load_guide(Settings(kb_dir=str(own_kb)))
    (hit, *_) = guide.knowledge_base.search("парковк у администрацыи")
    assert hit.entry.id == "faq.local.parking"
    shipped = load_guide(Settings())
    assert "faq.local.parking" not in shipped.knowledge_base.faq_ids()


def test_a_missing_or_empty_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^kb_dir: .* is not a directory"):
        Settings(kb_dir=str(tmp_path / "nowhere"))
    with pytest.raises(SettingsError, match=r"^kb_dir: .* holds no \*\.yaml or \*\.csv files"):
        Settings(kb_dir=str(tmp_path))


def test_a_broken_knowledge_base_names_the_record(own_kb: Path) -> None:
    (own_kb / "faq_copy.yaml").write_text(OWN_FAQ, encoding="utf-8")  # the same id twice
    with pytest.raises(SettingsError, match=r"^kb_dir: .*faq\.local\.parking.*duplicate id"):
        load_guide(Settings(kb_dir=str(own_kb)))


def test_a_kb_without_the_entries_the_scripts_need_stops_serve(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "faq.yaml").write_text(OWN_FAQ, encoding="utf-8")
    env = {**os.environ, "CALLCENTER_KB_DIR": str(kb),
           "CALLCENTER_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "callcenter", "serve"],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("callcenter: invalid settings: kb_dir: ")
