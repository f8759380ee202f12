"""The pages' assets: the vendored plotly.js partial bundle stays on the plotly package's version and is served
compressed once with a year-long cache."""

from __future__ import annotations

from app.routes.pages import PACKAGE_PLOTLY_JS, PLOTLY_JS, banner_version, plotly_version


def test_the_vendored_bundle_has_the_plotly_packages_plotly_js_version():
    vendored, packaged = banner_version(PLOTLY_JS), banner_version(PACKAGE_PLOTLY_JS)
    assert vendored != "0" and packaged != "0"
    assert vendored == packaged, (
        f"static/vendor/plotly holds plotly.js {vendored} but the installed plotly package bundles {packaged}: "
        "npm pack plotly.js-cartesian-dist-min@<that version> and copy plotly-cartesian.min.js there")
    assert (PLOTLY_JS.parent / "LICENSE").read_text().startswith("MIT License")


def test_the_partial_bundle_is_served_gzipped_once_and_cached_for_a_year(client):
    page = client.get("/")
    assert page.status_code == 200
    assert f"/vendor/plotly.min.js?v={plotly_version()}" in page.text
    r = client.get(f"/vendor/plotly.min.js?v={plotly_version()}", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert "immutable" in r.headers["cache-control"] and r.headers["vary"] == "Accept-Encoding"
    raw = PLOTLY_JS.read_bytes()
    assert r.content == raw  # the client decoded the once-compressed body
    assert len(raw) < 2_000_000 < PACKAGE_PLOTLY_JS.stat().st_size
    plain = client.get("/vendor/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == raw
