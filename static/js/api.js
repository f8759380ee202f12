// The REST client: one async function per endpoint of docs/api.md; it touches no DOM and throws ApiError on failure.

/** An HTTP failure carrying the server's status and its `detail` (a string or the 422 list). */
export class ApiError extends Error {
  constructor(status, detail, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
  }
}

/** Turns a FastAPI `detail` into one readable sentence. */
export function describeDetail(detail) {
  if (detail == null) return "";
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        const loc = Array.isArray(d.loc) ? d.loc.filter((p) => p !== "body").join(".") : "";
        return loc ? `${loc}: ${d.msg}` : String(d.msg ?? "");
      })
      .join("; ");
  }
  return JSON.stringify(detail);
}

// A network the page creates is protected: its token stays in this browser (localStorage survives a reload) and
// goes with every change; anyone else, a room's followers included, may read it but never change it.
const memory = new Map(); // where tokens live when localStorage is unavailable (private mode, node --test)
const tokenKey = (id) => `deltaflow-token:${id}`;

/** The stored token of a network this browser created (or forked), or null. */
export function tokenOf(id) {
  try {
    return globalThis.localStorage?.getItem(tokenKey(id)) ?? memory.get(id) ?? null;
  } catch {
    return memory.get(id) ?? null;
  }
}

/** Keeps a network's token (shown once by the server) for the changes this browser makes later. */
export function rememberToken(id, token) {
  if (!id || !token) return;
  memory.set(id, token);
  try {
    globalThis.localStorage?.setItem(tokenKey(id), token);
  } catch {
    // private mode: the token lasts as long as the page
  }
}

async function request(method, path, body, token = null) {
  const init = { method, headers: { Accept: "application/json" } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    // A network failure (server down) becomes an ApiError too, so callers have one path.
    throw new ApiError(0, null, `Cannot reach the server (${err.message}).`);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    const detail = data && typeof data === "object" && "detail" in data ? data.detail : data;
    const what = describeDetail(detail) || response.statusText || "request failed";
    throw new ApiError(response.status, detail, `${response.status}: ${what}`);
  }
  return data;
}

/** A promise that never rejects: {ok, value} or {ok: false, error}, so a request can start before anyone awaits it. */
export const settle = (promise) => promise.then((value) => ({ ok: true, value }), (error) => ({ ok: false, error }));

const net = (id) => `/api/networks/${encodeURIComponent(id)}`;

export const meta = () => request("GET", "/api/meta");
export const listPresets = () => request("GET", "/api/presets");
/** Creates a protected network and keeps its token in this browser. */
export async function createNetwork(spec) {
  const created = await request("POST", "/api/networks", { protected: true, ...spec });
  rememberToken(created.id, created.token);
  return created;
}
export const getNetwork = (id) => request("GET", net(id));
export const patchNetwork = (id, patch) => request("PATCH", net(id), patch, tokenOf(id));
export const forward = (id, selection) => request("POST", `${net(id)}/forward`, selection);
export const backward = (id, selection) => request("POST", `${net(id)}/backward`, selection);
export const step = (id, selection) => request("POST", `${net(id)}/step`, selection, tokenOf(id));
export const train = (id, body) => request("POST", `${net(id)}/train`, body, tokenOf(id));
export const trace = (id, selection) => request("POST", `${net(id)}/trace`, selection);
export const predict = (id, inputs) => request("POST", `${net(id)}/predict`, { inputs });
export const gradcheck = (id, selection) => request("POST", `${net(id)}/gradcheck`, selection);
export const landscape = (id, body) => request("POST", `${net(id)}/landscape`, body);
export const graph = (id, selection) => request("POST", `${net(id)}/graph`, selection);
export const nudge = (id, body) => request("POST", `${net(id)}/nudge`, body);
