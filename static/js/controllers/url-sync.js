// The address bar as a link to what is on screen: ?net=ID&sample=S&step=P[&projector=1], kept current with
// replaceState and read once at start-up.

/** Parses a query string into {net, sample, step, projector}; numbers that are not whole and >= 0 become null. */
export function parseQuery(search) {
  const q = new URLSearchParams(search);
  const int = (name) => {
    const raw = q.get(name) ?? "";
    const v = /^\d+$/.test(raw.trim()) ? Number.parseInt(raw, 10) : NaN;
    return Number.isFinite(v) && v >= 0 ? v : null;
  };
  return { net: q.get("net"), sample: int("sample"), step: int("step"), projector: q.get("projector") === "1" };
}

/** The query string for a view {net, sample, step, projector}. */
export function formatQuery({ net, sample, step, projector }) {
  const q = new URLSearchParams();
  q.set("net", net);
  q.set("sample", String(sample));
  q.set("step", String(step));
  if (projector) q.set("projector", "1");
  return q.toString();
}

export const readUrl = () => parseQuery(location.search);

/** Replaces the address with the view's link (no history entry per step). */
export function writeUrl(view) {
  if (!view.net) return;
  const url = `${location.pathname}?${formatQuery(view)}`;
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, "", url);
}
