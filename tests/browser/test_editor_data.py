"""The editor's data set in Chromium: a CSV file picked or dropped fills the box through the paste's parser, a file
over the body limit is refused with its size, and targets the output cannot reach are named in the server's words."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_page import open_app

pytestmark = pytest.mark.browser

LABELS = "x1,x2,y\n0,0,0\n0,1,1\n1,0,2\n1,1,0\n"
WARNING = "row 3, y = 2: a sigmoid output lies in (0, 1)"


def pick(page: Any, name: str, text: str) -> None:
    page.set_input_files("#dataset-file", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}])


def drop(page: Any, name: str, text: str) -> None:
    """Drops a file on the box the way a desktop drag does: a drop event whose DataTransfer holds the file."""
    page.evaluate(
        """([name, text]) => {
          const dt = new DataTransfer();
          dt.items.add(new File([text], name, { type: "text/csv" }));
          const zone = document.getElementById("dataset-drop");
          zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
          zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
        }""",
        [name, text],
    )


def apply_with_warning(page: Any, net: str) -> str:
    """Applies the box and returns the editor's warning text once the server's answer is shown."""
    page.click("#editor-apply")
    box = page.locator("#dataset-warnings")
    box.wait_for(state="visible", timeout=15_000)
    return box.inner_text()


def test_a_picked_file_fills_the_box_and_an_unreachable_label_is_named(page: Any, watch: Any, shoot: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    net = open_app(page)
    # before Apply the hint says what the output layer can reach, in the registry's words from /api/meta
    assert "A sigmoid output lies in (0, 1)" in page.inner_text("#csv-hint")
    pick(page, "labels.csv", LABELS)
    page.wait_for_function("t => document.getElementById('dataset-input').value === t", arg=LABELS, timeout=5_000)
    assert "Read labels.csv: 4 rows" in page.inner_text("#csv-hint")
    text = apply_with_warning(page, net)
    assert WARNING in text
    # the page shows the server's own sentence: the same PATCH over the API answers the same words
    token = page.evaluate("(id) => localStorage.getItem('deltaflow-token:' + id)", net)  # the page's own network
    direct = page.request.patch(f"/api/networks/{net}", data={"dataset": {
        "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [2], [0]]}},
        headers={"Authorization": f"Bearer {token}"})
    assert direct.status == 200
    assert direct.json()["warnings"] == [WARNING]
    assert page.request.get(f"/api/networks/{net}").json()["dataset"]["targets"][2] == [2.0]
    page.locator("#dataset-warnings").scroll_into_view_if_needed()
    shoot(page, "editor-warning-1366x768")
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 1366
    assert watch.page_errors == []


def test_a_dropped_file_goes_through_the_same_parser(page: Any, watch: Any) -> None:
    open_app(page)
    drop(page, "wrong.csv", "1,2,3,4\n")
    slot = page.locator("[data-error-for=dataset]")
    slot.wait_for(state="visible", timeout=5_000)
    assert "wrong.csv: Row 1 has 4 columns; expected 2 inputs + 1 targets = 3" in slot.inner_text()
    drop(page, "labels.csv", LABELS)
    page.wait_for_function("t => document.getElementById('dataset-input').value === t", arg=LABELS, timeout=5_000)
    assert not slot.is_visible()
    assert watch.page_errors == []


def test_a_file_over_the_body_limit_is_refused_with_its_size(page: Any) -> None:
    open_app(page)
    limit = page.request.get("/api/meta").json()["limits"]["max_body_bytes"]
    before = page.input_value("#dataset-input")
    row = "0.5,0.5,1\n"
    pick(page, "huge.csv", row * (2 * limit // len(row)))
    slot = page.locator("[data-error-for=dataset]")
    slot.wait_for(state="visible", timeout=10_000)
    assert f"huge.csv is {2 * limit / 1e6:.2f} MB; the server takes at most {limit / 1e6:.2f} MB" in slot.inner_text()
    assert page.input_value("#dataset-input") == before


def test_the_warning_fits_a_phone(page: Any, watch: Any, shoot: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    net = open_app(page)
    pick(page, "labels.csv", LABELS)
    page.wait_for_function("t => document.getElementById('dataset-input').value === t", arg=LABELS, timeout=5_000)
    assert WARNING in apply_with_warning(page, net)
    page.locator("#dataset-warnings").scroll_into_view_if_needed()
    box = page.locator("#dataset-warnings").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 390
    shoot(page, "editor-warning-390x844")
    assert watch.page_errors == []
