"""Export and import of a whole network in Chromium: the editor's Export saves GET's state as a file, and Import
turns that file into an equal network (weights, data, settings, iteration, optimizer state) with a new id, which
the page then shows and owns."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.test_page import open_app
from tests.support import eventually

pytestmark = pytest.mark.browser

SAME = ("preset", "layers", "activations", "loss", "reduction", "learning_rate", "optimizer", "optimizer_state",
        "init", "train_biases", "weights", "biases", "iteration", "dataset")


def _shown(page: Any) -> str:
    """The network id in the address, read in the page (page.url is only updated while Playwright handles events)."""
    return str(page.evaluate("() => new URLSearchParams(location.search).get('net')"))


def _owner(page: Any, net: str) -> dict[str, str]:
    token = page.evaluate("(id) => localStorage.getItem('deltaflow-token:' + id)", net)
    assert token, "the page keeps no token for " + net
    return {"Authorization": f"Bearer {token}"}


def test_export_then_import_makes_an_equal_network_the_page_shows(page: Any, watch: Any, shoot: Any,
                                                                     tmp_path: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    net = open_app(page)
    # some progress worth keeping: a rule with state, and a few updates
    auth = _owner(page, net)
    assert page.request.patch(f"/api/networks/{net}", data={"optimizer": {"name": "momentum", "momentum": 0.7}},
                              headers=auth).status == 200
    assert page.request.post(f"/api/networks/{net}/train", data={"iterations": 12}, headers=auth).status == 200
    original = page.request.get(f"/api/networks/{net}").json()
    assert original["iteration"] == 12 and original["optimizer_state"]["v"]

    with page.expect_download() as got:
        page.click("#btn-export-state")
    saved = tmp_path / got.value.suggested_filename
    got.value.save_as(saved)
    assert saved.name == f"deltaflow-network-{net}.json"
    assert json.loads(saved.read_text()) == original

    page.set_input_files("#state-file", str(saved))
    eventually(lambda: _shown(page) != net, timeout=20, message="the page shows the imported network")
    copy_id = _shown(page)
    copy = page.request.get(f"/api/networks/{copy_id}").json()
    assert {k: copy[k] for k in SAME} == {k: original[k] for k in SAME}
    assert copy["protected"] is True
    # the page owns the copy: its token steps it, as the original's owner steps the original, to the same numbers
    steps = [page.request.post(f"/api/networks/{n}/step", data={"samples": "all"}, headers=_owner(page, n)).json()
             for n in (net, copy_id)]
    assert steps[0] == steps[1]
    eventually(lambda: "Imported" in page.inner_text("#messages"), timeout=10, message="the page says it imported")
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 1366
    shoot(page, "export-import-1366")
    assert watch.page_errors == [] and watch.foreign_requests == []


def test_a_file_that_is_not_a_network_is_refused_in_words(page: Any, watch: Any, shoot: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    net = open_app(page)
    page.set_input_files("#state-file", files=[{"name": "notes.json", "mimeType": "application/json",
                                                "buffer": b"{not json"}])
    eventually(lambda: "is not a network file" in page.inner_text("#messages"), timeout=10,
               message="the page says the file is not JSON")
    page.set_input_files("#state-file", files=[{"name": "other.json", "mimeType": "application/json",
                                                "buffer": json.dumps({"layers": [2, 1],
                                                                      "activations": "sigmoidd"}).encode()}])
    eventually(lambda: "unknown activation 'sigmoidd'" in page.inner_text("#messages"), timeout=10,
               message="the server's words are shown")
    assert _shown(page) == net  # nothing changed
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 390
    shoot(page, "export-import-390")
