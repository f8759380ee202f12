"""GET /api/meta: the engine's registries and the server's limits, in the shape the page reads."""

from __future__ import annotations

from dataclasses import fields

from app.config import Settings
from app.engine.functions import ACTIVATIONS, INIT_SCHEMES, LOSSES, OPTIMIZERS, REDUCTIONS, TRAIN_MODES
from app.rooms.scoring import within_10_percent

KEYS = ["activations", "losses", "optimizers", "quantities", "init_schemes", "train_modes", "reductions", "limits",
        "quiz"]


def test_meta_has_exactly_the_documented_shape(client):
    r = client.get("/api/meta")
    assert r.status_code == 200
    meta = r.json()
    assert list(meta) == KEYS
    for a in meta["activations"]:
        assert set(a) == {"name", "symbol", "f_latex", "df_latex", "output_only", "reach_text", "sums_to_one"}
        assert isinstance(a["output_only"], bool)
    for loss in meta["losses"]:
        assert set(loss) == {"name", "latex", "outputs"}
        assert loss["outputs"] is None or all(isinstance(o, str) for o in loss["outputs"])
    for o in meta["optimizers"]:
        assert set(o) == {"name", "latex", "hyperparameters"}
    for q in meta["quantities"]:
        assert set(q) == {"name", "symbol", "latex", "words", "scale", "on"}
        assert q["scale"] in ("diverging", "sequential") and q["on"] in ("node", "edge", "bias")


def test_meta_names_are_the_registries(client):
    meta = client.get("/api/meta").json()
    assert [a["name"] for a in meta["activations"]] == list(ACTIVATIONS)
    assert [x["name"] for x in meta["losses"]] == list(LOSSES)
    assert [o["name"] for o in meta["optimizers"]] == list(OPTIMIZERS)
    assert "sgd" in OPTIMIZERS
    assert meta["init_schemes"] == list(INIT_SCHEMES)
    assert meta["train_modes"] == list(TRAIN_MODES)
    assert meta["reductions"] == list(REDUCTIONS)
    assert {a["name"]: a["output_only"] for a in meta["activations"]} == {
        name: a.output_only for name, a in ACTIVATIONS.items()}


def test_meta_limits_are_every_max_setting(client):
    limits = client.get("/api/meta").json()["limits"]
    settings = Settings()
    expected = {f.name: getattr(settings, f.name) for f in fields(Settings) if f.name.startswith("max_")}
    assert limits == expected
    assert all(isinstance(v, int) for v in limits.values())


def test_meta_serves_the_quiz_tolerance_the_server_scores_with(client):
    r = client.get("/api/meta")
    assert r.status_code == 200
    quiz = r.json()["quiz"]
    assert quiz == {"relative_tolerance": 0.1, "absolute_tolerance": 0.0005}
    # the rule as served decides the same answers as the server's own scoring, at and just past the edges
    for value in (2.0, -3.5, 0.0, 1e-4):
        tol = max(quiz["relative_tolerance"] * abs(value), quiz["absolute_tolerance"])
        assert within_10_percent(value, [value + tol, value - tol]) == 2
        assert within_10_percent(value, [value + tol * 1.001, value - tol * 1.001]) == 0


def test_request_schemas_offer_exactly_the_registries(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]

    def enum_of(prop: dict) -> list[str]:
        for option in prop.get("anyOf", [prop]):
            if "enum" in option:
                return option["enum"]
            if "const" in option:  # a registry of one name
                return [option["const"]]
        raise AssertionError(prop)

    create = schemas["NetworkCreate"]["properties"]
    assert enum_of(create["loss"]) == list(LOSSES)
    assert enum_of(create["reduction"]) == list(REDUCTIONS)
    assert enum_of(create["optimizer"]) == list(OPTIMIZERS)
    assert enum_of(schemas["NetworkPatch"]["properties"]["optimizer"]) == list(OPTIMIZERS)
    assert enum_of(schemas["InitSpec-Input"]["properties"]["scheme"]) == list(INIT_SCHEMES)
    assert enum_of(schemas["TrainRequest"]["properties"]["mode"]) == list(TRAIN_MODES)
    assert "Meta" in schemas and "limits" in schemas["Meta"]["properties"]


def test_meta_is_documented_under_its_tag(client):
    op = client.get("/openapi.json").json()["paths"]["/api/meta"]["get"]
    assert op["tags"] == ["meta"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Meta"}
