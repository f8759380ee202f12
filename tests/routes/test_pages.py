"""The pages' assets: the vendored plotly.js partial bundle stays on the plotly package's version and is served
compressed once with a year-long cache; the static tree is served under its content hash, cached for a year too,
and the pages reference their scripts and style sheets only there."""

from __future__ import annotations

import re

import pytest

from app.routes.pages import (
    COMPILE_HINT,
    LONG_CACHE,
    PACKAGE_PLOTLY_JS,
    PLOTLY_JS,
    STATIC,
    STATIC_BUILD,
    STATIC_ROOT,
    banner_version,
    content_hash,
    plotly_version,
)


def test_the_vendored_bundle_has_the_plotly_packages_plotly_js_version():
    vendored, packaged = banner_version(PLOTLY_JS), banner_version(PACKAGE_PLOTLY_JS)
    assert vendored != "0" and packaged != "0"
    assert vendored == packaged, (
        f"static/vendor/plotly holds plotly.js {vendored} but the installed plotly package bundles {packaged}: "
        "npm pack plotly.js-cartesian-dist-min@<that version> and copy plotly-cartesian.min.js there")
    assert (PLOTLY_JS.parent / "LICENSE").read_text().startswith("MIT License")


def test_the_bundle_links_and_loads_nothing_from_another_origin():
    code = PLOTLY_JS.read_text(encoding="utf-8")
    # a link, a source or a default URL pointing outside the app (namespaces and licence comments are not loads)
    outside = re.findall(r'(?:href|src)\s*=\s*"https?://[^"]*"|dflt:"https?://[^"]*"', code)
    assert outside == []
    assert 'r.href="#"' in code and 'dflt:"/vendor/topojson/"' in code


def test_the_partial_bundle_is_served_gzipped_once_and_cached_for_a_year(client):
    page = client.get("/")
    assert page.status_code == 200
    assert f"/vendor/plotly.min.js?v={plotly_version()}" in page.text
    r = client.get(f"/vendor/plotly.min.js?v={plotly_version()}", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert "immutable" in r.headers["cache-control"] and r.headers["vary"] == "Accept-Encoding"
    raw = PLOTLY_JS.read_bytes()
    # the client decoded the once-compressed body: the vendored bundle behind V8's compile hint, nothing else
    assert r.content == COMPILE_HINT + raw and COMPILE_HINT.startswith(b"//# allFunctionsCalledOnLoad")
    assert len(raw) < 2_000_000 < PACKAGE_PLOTLY_JS.stat().st_size
    plain = client.get("/vendor/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == COMPILE_HINT + raw


def test_static_files_are_served_under_their_content_hash_for_a_year(client):
    js = client.get(f"{STATIC_ROOT}/js/main.js")
    assert js.status_code == 200 and js.headers["cache-control"] == LONG_CACHE
    assert js.content == (STATIC / "js" / "main.js").read_bytes()
    css = client.get(f"{STATIC_ROOT}/css/app.css")
    assert css.status_code == 200 and "immutable" in css.headers["cache-control"]
    # the plain URLs still answer (the API docs use them), revalidated each time
    plain = client.get("/static/js/main.js")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"
    assert client.get("/static/js/main.js", headers={"If-None-Match": plain.headers["etag"]}).status_code == 304
    # another build's prefix is not this one's: no year-long promise for bytes it never had
    other = client.get("/static/000000000000/js/main.js")
    assert other.status_code == 404 and "immutable" not in other.headers.get("cache-control", "")


def test_the_build_hash_changes_when_any_static_file_does(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("export const a = 1;\n")
    (tmp_path / "css.css").write_text("body{}")
    first = content_hash(tmp_path)
    assert first == content_hash(tmp_path) and len(first) == 12
    (tmp_path / "js" / "a.js").write_text("export const a = 2;\n")
    changed = content_hash(tmp_path)
    assert changed != first
    (tmp_path / "js" / "a.js").rename(tmp_path / "js" / "b.js")  # same bytes, another name
    assert content_hash(tmp_path) not in (first, changed)
    (tmp_path / "js" / "b.js").rename(tmp_path / "js" / "a.js")
    assert content_hash(tmp_path) == changed
    assert content_hash(STATIC) == STATIC_BUILD


@pytest.mark.parametrize("path", ["/", "/lesson", "/join", "/join/{code}"])
def test_pages_reference_scripts_and_style_sheets_only_by_hashed_urls(client, path):
    if "{code}" in path:  # the follower page of a live room
        net = client.post("/api/networks", json={"preset": "xor", "protected": True}).json()
        room = client.post("/api/rooms", json={"network_id": net["id"]},
                           headers={"Authorization": f"Bearer {net['token']}"})
        path = path.format(code=room.json()["code"])
    page = client.get(path)
    assert page.status_code == 200 and "<html" in page.text
    urls = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', page.text)
    assets = [u for u in urls if u.split("?")[0].endswith((".js", ".css"))]
    if path != "/join":
        assert any(u.endswith(".js") for u in assets)
    for url in assets:
        assert url.startswith(f"{STATIC_ROOT}/") or url.startswith("/vendor/plotly.min.js?v="), url
        r = client.get(url)
        assert r.status_code == 200 and "immutable" in r.headers["cache-control"], url
