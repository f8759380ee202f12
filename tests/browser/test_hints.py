"""Key hints in real Chromium: a phone (touch, no keys) never reads "Press ↓"; a screen with keys does."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_quiz import PHONE
from tests.chromium import PAGE_LOAD

pytestmark = pytest.mark.browser


def _lesson_words(page: Any, stage: int) -> str:
    page.goto(f"/lesson?stage={stage}")
    page.wait_for_selector("body[data-ready='true']", timeout=PAGE_LOAD)
    return str(page.inner_text("#lesson-text"))


@pytest.mark.parametrize("stage", [1, 3])
def test_lesson_key_hints_show_with_keys_and_hide_on_touch(browser: Any, base_url: str, page: Any, shoot: Any,
                                                           stage: int) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    assert "↓" in _lesson_words(page, stage)  # the stage's words name the key
    phone = browser.new_context(base_url=base_url, **PHONE)
    try:
        tab = phone.new_page()
        words = _lesson_words(tab, stage)
        assert "Press" not in words and "↓" not in words, words
        assert tab.locator(".lesson-keys").is_hidden()
        assert tab.locator("#lesson-step-next").is_visible()  # the tap button that does the same stays
        shoot(tab, f"hints-phone-lesson-{stage}")
    finally:
        phone.close()
