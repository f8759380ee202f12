// A small trace in the shape POST /trace returns (a 2-1-1 network: 2 inputs, 1 hidden node, 1 output), for tests.

export function tinyTrace() {
  let id = 0;
  const ev = (phase, quantity, l, j, i, value, depends_on = []) => ({
    id: id++, phase, quantity, l, j, i, value, symbol: `${quantity}_{${j ?? ""}${i ?? ""}}^{${l}}`, latex: `${quantity} = ${value}`, depends_on,
  });
  const events = [
    ev("forward", "a", 1, 1, null, 0.5),
    ev("forward", "a", 1, 2, null, -1),
    ev("forward", "z", 2, 1, null, 0.3, [0, 1]),
    ev("forward", "a", 2, 1, null, 0.57, [2]),
    ev("forward", "z", 3, 1, null, 0.1, [3]),
    ev("forward", "a", 3, 1, null, 0.52, [4]),
    ev("loss", "loss", 3, null, null, 0.12, [5]),
    ev("backward", "grad_a", 3, 1, null, -0.48, [6]),
    ev("backward", "delta", 3, 1, null, -0.12, [7]),
    ev("backward", "grad_w", 3, 1, 1, -0.0684, [8, 3]),
    ev("backward", "grad_b", 3, 1, null, -0.12, [8]),
    ev("backward", "grad_a", 2, null, 1, -0.05, [8]),
    ev("backward", "delta", 2, 1, null, -0.0123, [11]),
    ev("backward", "grad_w", 2, 1, 1, -0.00615, [12, 0]),
    ev("backward", "grad_w", 2, 1, 2, 0.0123, [12, 1]),
    ev("backward", "grad_b", 2, 1, null, -0.0123, [12]),
    ev("update", "w", 2, 1, 1, 0.2031, [13]),
    ev("update", "w", 2, 1, 2, -0.4062, [14]),
    ev("update", "b", 2, 1, null, 0.1062, [15]),
    ev("update", "w", 3, 1, 1, 0.8342, [9]),
    ev("update", "b", 3, 1, null, 0.06, [10]),
  ];
  return { events, input: [0.5, -1], target: [1], loss: 0.12 };
}

export const tinyNetwork = () => ({
  id: "n1", layers: [2, 1, 1], activations: ["sigmoid", "sigmoid"], loss: "mse", learning_rate: 0.5, iteration: 12000,
  preset: "xor", weights: [[[0.2, -0.4]], [[0.8]]], biases: [[0.1], [0]],
  dataset: { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] },
});
