"""Building a network from a request (a preset, an explicit spec, or a preset with overrides) and editing one."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.config import Settings
from app.engine import network as nn
from app.engine.functions import OPTIMIZERS
from app.engine.presets import PRESETS
from app.errors import invalid
from app.networks import limits
from app.networks.model import DataSet, InitParams, NetworkModel
from app.networks.shapes import check_count, check_dataset, check_matrix, check_vector
from app.networks.targets import target_warnings
from app.schemas import NetworkCreate, NetworkPatch, Restore
from app.tokens import new_token


def _spec(req: NetworkCreate) -> dict[str, Any]:
    """The preset's fields, overridden by the request's; a preset's data set or per-layer activations are dropped
    when the request's layers no longer fit them."""
    spec: dict[str, Any] = {}
    if req.preset is not None:
        if req.preset not in PRESETS:
            raise invalid(("preset",), f"unknown preset {req.preset!r}; choose one of {', '.join(PRESETS)}")
        spec = {k: v for k, v in PRESETS[req.preset].items() if k not in ("description", "reference")}
    # id, diverged and message are read-only parts of a GET answer posted back: a new network has its own
    given = req.model_dump(exclude_unset=True, exclude_none=True,
                           exclude={"preset", "protected", "id", "diverged", "message"})
    if req.layers is not None and req.preset is not None and "dataset" not in given:
        if req.layers[0] != spec["layers"][0] or req.layers[-1] != spec["layers"][-1]:
            spec.pop("dataset", None)  # the preset's data no longer fits the new input or output layer
    if "layers" in given and "activations" not in given and isinstance(spec.get("activations"), list):
        spec["activations"] = spec["activations"][-1]
    spec.update(given)
    if "layers" not in spec:
        raise invalid(("layers",), "layers is required unless a preset is given, e.g. [2, 2, 1]")
    return spec


def create_model(req: NetworkCreate, settings: Settings) -> tuple[NetworkModel, str | None]:
    """A new network (and its edit token if protected), or ApiError naming the field."""
    spec = _spec(req)
    layers: list[int] = spec["layers"]
    limits.check_layers(layers, settings)
    acts = spec.get("activations", "sigmoid")
    activations = [acts] * (len(layers) - 1) if isinstance(acts, str) else list(acts)
    init = InitParams(**{**InitParams().to_dict(), **(spec.get("init") or {})})
    loss = spec.get("loss", "mse")
    reduction = spec.get("reduction", "sum")
    optimizer, optimizer_settings = optimizer_choice(spec.get("optimizer"))
    try:
        nn.validate_structure(layers, activations, loss, reduction, optimizer, optimizer_settings)
        weights, biases = nn.initial_parameters(layers, init.scheme, init.scale, init.seed)
    except nn.SpecError as err:
        raise invalid(err.field, err.message) from None
    if spec.get("weights") is not None:
        weights = [np.asarray(check_matrix(w, (layers[k + 1], layers[k]), ("weights", k), f"w^{k + 2}"))
                   for k, w in enumerate(check_count(spec["weights"], len(layers) - 1, ("weights",),
                                                     "weight matrices"))]
    if spec.get("biases") is not None:
        biases = [np.asarray(check_vector(b, layers[k + 1], ("biases", k), f"b^{k + 2}"))
                  for k, b in enumerate(check_count(spec["biases"], len(layers) - 1, ("biases",), "bias vectors"))]
    model = NetworkModel(
        id="", preset=req.preset, layers=layers, activations=activations, loss=loss, reduction=reduction,
        learning_rate=float(spec.get("learning_rate", 0.5)), optimizer=optimizer,
        optimizer_settings=optimizer_settings, init=init,
        train_biases=bool(spec.get("train_biases", True)),
        weights=[w.tolist() for w in weights], biases=[b.tolist() for b in biases], protected=req.protected,
    )
    if spec.get("dataset") is not None:
        model.dataset = _dataset(spec["dataset"], model, settings)
    _progress(model, spec.get("iteration", 0), spec.get("optimizer_state") or {}, ())
    token = None
    if req.protected:
        token, model.token_hash = new_token()
    return model, token


def dataset_warnings(model: NetworkModel) -> list[str]:
    """What the response says about the data set's targets: those the output activation cannot reach."""
    if model.dataset is None:
        return []
    return target_warnings(model.dataset.targets, model.activations[-1])


def _restore(model: NetworkModel, restore: Restore) -> None:
    """Earlier parameters, iteration and optimizer state, each checked against this network's shapes."""
    layers = model.layers
    weights = [check_matrix(w, (layers[k + 1], layers[k]), ("restore", "weights", k), f"w^{k + 2}")
               for k, w in enumerate(check_count(restore.weights, len(layers) - 1, ("restore", "weights"),
                                                 "weight matrices"))]
    biases = [check_vector(b, layers[k + 1], ("restore", "biases", k), f"b^{k + 2}")
              for k, b in enumerate(check_count(restore.biases, len(layers) - 1, ("restore", "biases"),
                                                "bias vectors"))]
    model.weights, model.biases = weights, biases
    _progress(model, restore.iteration, restore.optimizer_state, ("restore",))


def _progress(model: NetworkModel, iteration: int, state: dict[str, list[float]], loc: tuple[str, ...]) -> None:
    """The iteration and the optimizer's state to continue from, the state checked against this network's rule."""
    size = nn.parameter_count(model.layers) if model.train_biases else limits.weight_count(model.layers)
    expected = OPTIMIZERS[model.optimizer].init_state(size)
    for key, values in state.items():
        if key not in expected:
            raise invalid((*loc, "optimizer_state", key),
                          f"{model.optimizer} keeps no state {key!r}; it keeps {', '.join(expected) or 'none'}")
        check_vector(values, expected[key].size, (*loc, "optimizer_state", key), key)
    model.iteration, model.optimizer_state = iteration, dict(state)


def optimizer_choice(given: Any) -> tuple[str, dict[str, float]]:
    """A request's optimizer (a name, or {"name": ..., hyper-parameters}) as the name and the settings given."""
    if given is None:
        return "sgd", {}
    if isinstance(given, str):
        return given, {}
    data = given if isinstance(given, dict) else given.model_dump(exclude_none=True)
    return data["name"], {k: float(v) for k, v in data.items() if k != "name" and v is not None}


def _dataset(data: dict[str, Any], model: NetworkModel, settings: Settings) -> DataSet:
    values = sum(map(len, data["inputs"])) + sum(map(len, data["targets"]))
    limits.check_samples(len(data["inputs"]), settings, values)
    return check_dataset(data["inputs"], data["targets"], model.layers, model.loss)


def apply_patch(model: NetworkModel, patch: NetworkPatch, settings: Settings) -> None:
    """Edit the learning rate, optimizer, single weights or biases, or the data set; any edit of the
    parameters or hyper-parameters clears a divergence."""
    layers = model.layers
    if patch.reset and patch.restore is not None:
        raise invalid(("restore",), "send either reset or restore, not both")
    if patch.reset:
        weights, biases = nn.initial_parameters(layers, model.init.scheme, model.init.scale, model.init.seed)
        model.weights, model.biases = [w.tolist() for w in weights], [b.tolist() for b in biases]
        model.iteration, model.optimizer_state = 0, {}
    if patch.restore is not None:
        _restore(model, patch.restore)
    if patch.learning_rate is not None:
        model.learning_rate = patch.learning_rate
    if patch.optimizer is not None:
        name, settings_given = optimizer_choice(patch.optimizer)
        try:
            nn.validate_structure(model.layers, model.activations, model.loss, model.reduction, name, settings_given)
        except nn.SpecError as err:
            raise invalid(err.field, err.message) from None
        if name != model.optimizer:
            model.optimizer_state = {}  # the old rule's state means nothing to the new one
        model.optimizer, model.optimizer_settings = name, settings_given
    for n, edit in enumerate(patch.weights or []):
        if edit.l > len(layers) or edit.j > layers[edit.l - 1] or edit.i > layers[edit.l - 2]:
            raise invalid(("weights", n), f"w_{{{edit.j}{edit.i}}}^{edit.l} does not exist in a {layers} network "
                          f"(l ≤ {len(layers)}, j ≤ n_l, i ≤ n_(l-1))")
        model.weights[edit.l - 2][edit.j - 1][edit.i - 1] = edit.value
    for n, bedit in enumerate(patch.biases or []):
        if bedit.l > len(layers) or bedit.j > layers[bedit.l - 1]:
            raise invalid(("biases", n), f"b_{bedit.j}^{bedit.l} does not exist in a {layers} network")
        model.biases[bedit.l - 2][bedit.j - 1] = bedit.value
    if patch.dataset is not None:
        model.dataset = _dataset(patch.dataset.model_dump(), model, settings)
    if (patch.learning_rate is not None or patch.optimizer is not None or patch.weights or patch.biases
            or patch.reset or patch.restore is not None):
        model.settle(None)
