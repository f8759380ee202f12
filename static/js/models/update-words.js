// What an update step says in words and which arithmetic the matrix view may show, per optimizer: only plain
// gradient descent moves a weight by η times its gradient, so only it gets that equation. Pure strings.

/** The optimizer's name of a network ("sgd" when none is set; the field may be a name or {name, ...}). */
export const optimizerOf = (net) => (net && net.optimizer && typeof net.optimizer === "object" ? net.optimizer.name : (net && net.optimizer) || "sgd");

const RULES = {
  sgd: "Gradient descent: the {p} moves against its gradient, scaled by the learning rate $\\eta$.",
  momentum: "Momentum: the {p} moves against its velocity $v$, a running sum of its gradients, scaled by the learning rate $\\eta$.",
  adam: "Adam: the {p} moves by $\\eta$ times its gradient's running mean $\\hat m$, divided by the square root of its squared gradient's running mean $\\hat v$.",
};

/** The words for an update of a weight or a bias under the network's optimizer. */
export function updateWords(net, bias = false) {
  const rule = RULES[optimizerOf(net)] || "The {p} moves by its optimizer's rule, written out above.";
  return rule.replace("{p}", bias ? "bias" : "weight");
}

const NAMES = { sgd: "gradient descent", momentum: "momentum", adam: "Adam" };

/** The optimizer's name as a sentence writes it. */
export const optimizerName = (net) => NAMES[optimizerOf(net)] || optimizerOf(net);

/** Whether new = old − η ∂L/∂w holds for this network's updates (plain gradient descent only). */
export const plainDescent = (net) => optimizerOf(net) === "sgd";
