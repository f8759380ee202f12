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

async function request(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
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
export const createNetwork = (spec) => request("POST", "/api/networks", spec);
export const getNetwork = (id) => request("GET", net(id));
export const patchNetwork = (id, patch) => request("PATCH", net(id), patch);
export const forward = (id, selection) => request("POST", `${net(id)}/forward`, selection);
export const backward = (id, selection) => request("POST", `${net(id)}/backward`, selection);
export const step = (id, selection) => request("POST", `${net(id)}/step`, selection);
export const train = (id, body) => request("POST", `${net(id)}/train`, body);
export const trace = (id, selection) => request("POST", `${net(id)}/trace`, selection);
export const predict = (id, inputs) => request("POST", `${net(id)}/predict`, { inputs });
export const gradcheck = (id, selection) => request("POST", `${net(id)}/gradcheck`, selection);
export const landscape = (id, body) => request("POST", `${net(id)}/landscape`, body);
