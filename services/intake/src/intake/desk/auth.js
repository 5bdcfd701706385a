// Sign-in: development tokens (demo) or OIDC authorisation code + PKCE (production).
// The access token lives in sessionStorage: gone when the tab closes.
const KEY = "motcua.desk.token";
const PKCE = "motcua.desk.pkce";

export function token() {
  return sessionStorage.getItem(KEY);
}

export function claims() {
  const t = token();
  if (!t) return null;
  try {
    const part = t.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
    const c = JSON.parse(json);
    if (c.exp && c.exp * 1000 < Date.now()) return null;
    return c;
  } catch {
    return null;
  }
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

export async function devSignIn(role, tenantId) {
  const r = await fetch("/ban-tiep-nhan/dev-token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ role, tenant_id: tenantId }),
  });
  if (!r.ok) throw new Error("Không lấy được mã đăng nhập thử nghiệm.");
  sessionStorage.setItem(KEY, (await r.json()).access_token);
}

function base64url(bytes) {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(n = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(n)));
}

export async function challengeOf(verifier) {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

async function discovery(issuer) {
  const r = await fetch(issuer.replace(/\/$/, "") + "/.well-known/openid-configuration");
  if (!r.ok) throw new Error("Không kết nối được cổng định danh.");
  return r.json();
}

function redirectUri() {
  return location.origin + "/ban-tiep-nhan/";
}

// Step 1: to the identity provider with a fresh verifier (kept for the return) and state.
export async function oidcStart(config) {
  const meta = await discovery(config.issuer);
  const verifier = randomString(48);
  const state = randomString(16);
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state }));
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: redirectUri(),
    scope: "openid",
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
  }).toString();
  location.assign(url.toString());
}

// Step 2: back with ?code&state: the code and the verifier for the token; the URL cleaned.
export async function oidcFinish(config) {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  if (!code) return false;
  const saved = JSON.parse(sessionStorage.getItem(PKCE) || "null");
  sessionStorage.removeItem(PKCE);
  history.replaceState(null, "", location.pathname);
  if (!saved || saved.state !== params.get("state")) {
    throw new Error("Phiên đăng nhập không khớp, vui lòng đăng nhập lại.");
  }
  const meta = await discovery(config.issuer);
  const r = await fetch(meta.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri(),
      client_id: config.client_id,
      code_verifier: saved.verifier,
    }),
  });
  if (!r.ok) throw new Error("Cổng định danh từ chối đăng nhập.");
  sessionStorage.setItem(KEY, (await r.json()).access_token);
  return true;
}
