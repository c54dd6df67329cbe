"""The workplace page is self-contained: no external assets, and every element the script
looks up by id exists in the HTML."""

from __future__ import annotations

import re

from callcenter.web.auth import PAGES

HTML = (PAGES / "operator.html").read_text(encoding="utf-8")
JS = (PAGES / "operator.js").read_text(encoding="utf-8")
CSS = (PAGES / "operator.css").read_text(encoding="utf-8")


def test_no_external_assets_are_loaded() -> None:
    for text in (HTML, JS, CSS):
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.IGNORECASE)
    assert re.findall(r'(?:src|href)="([^"]+)"', HTML) == [
        "/operator/static/operator.css", "/operator/static/operator.js",
    ]  # fmt: skip


def test_every_id_the_script_uses_exists_in_the_page() -> None:
    html_ids = set(re.findall(r'\bid="([^"]+)"', HTML))
    used = set(re.findall(r'\$\("([a-z0-9-]+)"\)', JS))
    assert used, "the script looks elements up with $(id)"
    assert used - html_ids == set()
    levels = {f"cls-{i}" for i in range(4)}
    assert levels <= html_ids  # looked up as $(`cls-${i}`)


def test_the_page_is_russian() -> None:
    assert '<html lang="ru">' in HTML
    assert "Рабочее место оператора" in HTML
