// The presenter's class dashboard on screen: the class list, the totals, the pacing controls, the names toggle
// and the results table. It renders what it is given and reports clicks; it never calls fetch.

import { share, wrongText } from "../models/classroom.js";
import { fmt } from "../models/format.js";
import { tex } from "./tex.js";

const $ = (id) => document.getElementById(id);

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function button(text, label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "btn";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

/**
 * on: {rename(row), remove(row), lock(value), pause(paused, message), names(anonymous), csv(), end()}.
 * Returns {rows(rows, totalsText), results(results), pacing(pacing), names(anonymous)}.
 */
export function createDashboardView(on) {
  const pauseButton = $("btn-pause");
  let paused = false;
  for (const input of document.querySelectorAll("#lock-choice input")) {
    input.addEventListener("change", () => input.checked && on.lock(input.value));
  }
  pauseButton.addEventListener("click", () => on.pause(!paused, $("pause-message").value.trim() || null));
  $("btn-names").addEventListener("click", () => on.names(!document.body.classList.contains("anonymous")));
  $("btn-csv").addEventListener("click", () => on.csv());
  $("btn-end").addEventListener("click", () => on.end());

  function rows(list, totals) {
    $("dash-totals").textContent = totals;
    $("list-empty").hidden = list.length > 0;
    const body = $("class-rows");
    body.replaceChildren(...list.map((row) => {
      const tr = document.createElement("tr");
      tr.dataset.follower = row.follower;
      const actions = document.createElement("td");
      actions.className = "actions";
      actions.append(button("Rename", `Rename ${row.label}`, () => on.rename(row)),
        button("Remove", `Remove ${row.label}`, () => on.remove(row)));
      tr.append(cell(row.label, "name"), cell(row.mode, row.mode === "own copy" ? "mode-own" : ""),
        cell(row.place, "col-place"), cell(String(row.answers), "num"), cell(String(row.correct), "num col-correct"),
        cell(row.seen, "col-seen"), actions);
      return tr;
    }));
  }

  function results(got) {
    const questions = got.questions || [];
    $("results-empty").hidden = questions.length > 0;
    $("result-rows").replaceChildren(...questions.map((q) => {
      const tr = document.createElement("tr");
      const symbol = document.createElement("td");
      const math = document.createElement("span");
      tex(math, q.symbol);
      symbol.append(math);
      tr.append(symbol, cell(fmt(q.value, 4)), cell(String(q.answers)), cell(share(q), "col-within"),
        cell(wrongText(q, (v) => fmt(v, 4)) || "–", "wrong"));
      return tr;
    }));
  }

  function pacing(p) {
    paused = p.paused;
    for (const input of document.querySelectorAll("#lock-choice input")) input.checked = input.value === p.lock;
    pauseButton.textContent = p.paused ? "Resume the class" : "Pause the class";
    pauseButton.setAttribute("aria-pressed", String(p.paused));
    if (p.message && !$("pause-message").value) $("pause-message").value = p.message;
    $("pause-state").textContent = p.paused ? `Paused: “${p.message || "Eyes up here"}”` : "Not paused";
    document.body.classList.toggle("is-paused", p.paused);
    document.body.dataset.lock = p.lock;
    document.body.dataset.paused = String(p.paused);
  }

  function names(anonymous) {
    const b = $("btn-names");
    b.textContent = anonymous ? "Show names" : "Hide names";
    document.body.classList.toggle("anonymous", anonymous);
  }

  return { rows, results, pacing, names };
}
