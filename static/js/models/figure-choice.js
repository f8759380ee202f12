// Choosing the network figure's parts by keyboard: every node, bias and weight (and the loss node) in columns by
// layer, and where each arrow key goes from a chosen one. Pure: the view draws the choice, a controller acts on it.

/** Columns of items, one per layer and a last one for the loss: each node, then its bias and incoming weights. */
export function figureColumns(layers) {
  const columns = layers.map((n, k) => {
    const l = k + 1;
    const col = [];
    for (let j = 1; j <= n; j += 1) {
      col.push({ kind: "node", l, j });
      if (l >= 2) {
        col.push({ kind: "bias", l, j });
        for (let i = 1; i <= layers[k - 1]; i += 1) col.push({ kind: "weight", l, j, i });
      }
    }
    return col;
  });
  columns.push([{ kind: "loss" }]);
  return columns;
}

const same = (a, b) => a.kind === b.kind && a.l === b.l && a.j === b.j && a.i === b.i;

/** Where a key moves the choice: ↑ ↓ within a layer, ← → to the same node of the layer before or after, Home and
 * End to the first node and the loss; null for another key. A missing or stale choice starts at the first node. */
export function moveChoice(layers, item, key) {
  const columns = figureColumns(layers);
  let c = -1;
  let r = -1;
  if (item) {
    c = columns.findIndex((col) => col.some((x) => same(x, item)));
    if (c >= 0) r = columns[c].findIndex((x) => same(x, item));
  }
  if (c < 0) return ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End"].includes(key) ? columns[0][0] : null;
  const col = columns[c];
  const nodeIn = (k, j) => {
    const nodes = columns[k].filter((x) => x.kind !== "bias" && x.kind !== "weight");
    return nodes[Math.min(nodes.length, Math.max(1, j)) - 1];
  };
  switch (key) {
    case "ArrowDown":
      return col[Math.min(col.length - 1, r + 1)];
    case "ArrowUp":
      return col[Math.max(0, r - 1)];
    case "ArrowRight":
      return c + 1 < columns.length ? nodeIn(c + 1, item.j ?? 1) : item;
    case "ArrowLeft":
      return c > 0 ? nodeIn(c - 1, item.j ?? 1) : item;
    case "Home":
      return columns[0][0];
    case "End":
      return columns[columns.length - 1][0];
    default:
      return null;
  }
}
