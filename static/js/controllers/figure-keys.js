// The network figure by keyboard: Tab reaches it, arrows choose a node, bias, weight or the loss node, and Enter or
// Space does what a click on it does (a node: its next computation; a weight or bias: the edit popup, or the
// landscape's pick). What is chosen is said in a small status line.

import { moveChoice } from "../models/figure-choice.js";
import { choiceWords } from "../models/spoken.js";

/**
 * container: the figure's element; figure: its view (choose, clientPoint); network() and state(): what is shown;
 * onNode({l, j}) (l "loss" for the loss node), onEdge({l, j, i, clientX, clientY}), onBias({l, j, clientX, clientY}).
 */
export function bindFigureKeys(container, { figure, network, state, onNode, onEdge, onBias }) {
  container.tabIndex = 0;
  container.setAttribute("role", "group");
  container.setAttribute("aria-roledescription", "network figure");
  container.setAttribute("aria-label",
    "The network: nodes by layer, edges are the weights. Arrow keys choose a node, bias or weight; Enter acts on it.");
  const status = document.createElement("p");
  status.id = `${container.id}-choice`;
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  container.append(status);
  let chosen = null;

  function act(item) {
    if (item.kind === "node") onNode({ l: item.l, j: item.j });
    else if (item.kind === "loss") onNode({ l: "loss", j: null });
    else if (item.kind === "bias") onBias({ l: item.l, j: item.j, ...figure.clientPoint(item) });
    else onEdge({ l: item.l, j: item.j, i: item.i, ...figure.clientPoint(item) });
  }

  container.addEventListener("keydown", (e) => {
    if (e.target !== container || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
    const net = network();
    if (!net) return;
    if ((e.key === "Enter" || e.key === " ") && chosen) {
      e.preventDefault();
      act(chosen);
      return;
    }
    const next = moveChoice(net.layers, chosen, e.key);
    if (!next) return;
    e.preventDefault(); // the arrows choose here; elsewhere on the page they step
    chosen = next;
    container.dataset.choice = [next.kind, next.l, next.j, next.i].filter((v) => v != null).join(":");
    figure.choose(next);
    status.textContent = choiceWords(next, net, state());
  });
}
