"""The class's results from the answers a room keeps: per question the distribution's summary and the common wrong
answers with what they likely mean; per student a score; the CSV export (pure: no store, no web)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from typing import Any

from app.rooms.scoring import tolerance, within_10_percent

WORDS = {"z": "z", "a": "a", "delta": "δ", "grad_a": "∂L/∂a", "grad_w": "∂L/∂w", "grad_b": "∂L/∂b", "w": "w", "b": "b"}
COMMON = 5  # wrong answers listed per question
CSV_COLUMNS = ("follower", "name", "question", "symbol", "value", "answer", "within_10_percent")


def context_of(events: list[dict[str, Any]], asked: dict[str, Any]) -> dict[str, float]:
    """Recorded when a question is asked: the other quantities at the asked one's position (same l, j, i), by
    name, so a wrong answer can later be told apart as, e.g., z given for a or the gradient given for the update."""
    where = (asked.get("l"), asked.get("j"), asked.get("i"))
    return {str(ev["quantity"]): float(ev["value"]) for ev in events
            if (ev.get("l"), ev.get("j"), ev.get("i")) == where and ev["quantity"] != asked["quantity"]}


def _near(answer: float, target: float) -> bool:
    return abs(answer - target) <= tolerance(target) * (1 + 1e-9)


def likely(record: dict[str, Any], answer: float) -> str | None:
    """What a wrong answer likely means, when it matches a recognisable slip; None otherwise."""
    value, asked = float(record["value"]), str(record.get("quantity", ""))
    context: dict[str, float] = record.get("context") or {}
    candidates: list[tuple[str, float]] = []
    if asked in ("w", "b") and f"grad_{asked}" in context:
        candidates.append(("η forgotten: the gradient given for the update", context[f"grad_{asked}"]))
    for quantity, other in context.items():
        candidates.append((f"{WORDS.get(quantity, quantity)} given for {WORDS.get(asked, asked)}", other))
    flipped = "the sign of δ flipped" if asked == "delta" else "the sign flipped"
    candidates.append((flipped, -value))
    for words, target in candidates:
        if not _near(target, value) and _near(answer, target):  # a slip that lands on the truth is no slip
            return words
    return None


def _summary(record: dict[str, Any], answers: Iterable[float]) -> dict[str, Any]:
    values = list(answers)
    value = float(record["value"])
    wrong = Counter(float(f"{a:.3g}") for a in values if not _near(a, value))
    common = sorted(wrong.items(), key=lambda kv: (-kv[1], kv[0]))[:COMMON]
    return {"id": record["id"], "symbol": record["symbol"], "value": value, "answers": len(values),
            "within_10_percent": within_10_percent(value, values),
            "common_wrong": [{"value": v, "count": n, "likely": likely(record, v)} for v, n in common]}


def by_name(names: dict[str, str]) -> list[tuple[str, str]]:
    """(follower, name) in the class list's order: by name, then id."""
    return sorted(names.items(), key=lambda kv: (kv[1].casefold(), kv[0]))


def score(asked: list[tuple[dict[str, Any], dict[str, float]]], follower: str) -> tuple[int, int]:
    """(answered, within 10 %) of one follower over the room's questions."""
    answered = correct = 0
    for record, answers in asked:
        if follower in answers:
            answered += 1
            correct += _near(answers[follower], float(record["value"]))
    return answered, correct


def results(names: dict[str, str], asked: list[tuple[dict[str, Any], dict[str, float]]]) -> dict[str, Any]:
    """GET /api/rooms/{code}/results: every question kept, oldest first, and every student by name."""
    students = []
    for follower, name in by_name(names):
        answered, correct = score(asked, follower)
        students.append({"follower": follower, "name": name, "answered": answered, "correct": correct})
    return {"questions": [_summary(record, answers.values()) for record, answers in asked], "students": students}


def _cell(text: str) -> str:
    """A student's own text as a spreadsheet shows it, never as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def results_csv(names: dict[str, str], asked: list[tuple[dict[str, Any], dict[str, float]]]) -> str:
    """One row per student × question; an unanswered question has an empty answer and within_10_percent."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for follower, name in by_name(names):
        for record, answers in asked:
            value = float(record["value"])
            given = answers.get(follower)
            hit = "" if given is None else ("true" if _near(given, value) else "false")
            writer.writerow((follower, _cell(name), record["id"], record["symbol"], repr(value),
                             "" if given is None else repr(given), hit))
    return out.getvalue()
