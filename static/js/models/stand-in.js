// A stand-in for an object that is built later (its module is imported after the page's first drawing): calls
// made before it exists wait for it, or take a fallback where the caller needs an answer at once.

/**
 * methods: the names callers use; fallbacks: {name: (...args) => value} answered while the object is missing.
 * Returns {proxy, adopt(target)}: proxy is handed out at once; adopt puts the real object behind it and runs the
 * calls that waited, in order, resolving the promises they returned.
 */
export function createStandIn(methods, fallbacks = {}) {
  let target = null;
  const waiting = [];
  const proxy = {};
  for (const name of methods) {
    proxy[name] = (...args) => {
      if (target) return target[name](...args);
      if (Object.hasOwn(fallbacks, name)) return fallbacks[name](...args);
      return new Promise((resolve, reject) => waiting.push({ name, args, resolve, reject }));
    };
  }
  function adopt(real) {
    target = real;
    for (const call of waiting.splice(0)) {
      try {
        call.resolve(real[call.name](...call.args));
      } catch (err) {
        call.reject(err);
      }
    }
  }
  return { proxy, adopt, get ready() { return target !== null; } };
}
