import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

import { texNum } from "../../static/js/models/format.js";
import { optimizerName, plainDescent, updateWords } from "../../static/js/models/update-words.js";

const katex = createRequire(import.meta.url)("../../static/vendor/katex/katex.min.js");
const parses = (latex) => katex.renderToString(latex, { throwOnError: true });

test("only plain gradient descent is described as moving against the gradient times η", () => {
  assert.match(updateWords({ optimizer: "sgd" }), /^Gradient descent: the weight/);
  assert.match(updateWords({}), /^Gradient descent/);
  assert.match(updateWords({ optimizer: { name: "adam", beta1: 0.9 } }, true), /^Adam: the bias moves by \$\\eta\$ times its gradient's running mean/);
  assert.match(updateWords({ optimizer: "momentum" }), /velocity/);
  assert.equal(plainDescent({ optimizer: "sgd" }), true);
  assert.equal(plainDescent({ optimizer: { name: "momentum" } }), false);
  assert.equal(optimizerName({ optimizer: "adam" }), "Adam");
});

test("every number texNum writes can be squared and still parses in KaTeX", () => {
  for (const v of [2.57e-5, -2.57e-5, 1.5e7, 0.25, -0.25, 0, Infinity]) {
    assert.doesNotThrow(() => parses(`${texNum(v)}^2`), String(v));
    assert.doesNotThrow(() => parses(`\\sqrt{${texNum(v, 2)}}^{2} = ${texNum(v * v)}`), String(v));
  }
});
