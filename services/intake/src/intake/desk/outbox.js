// Border-commune mode: a registration that could not reach the server is kept in
// localStorage with its Idempotency-Key and sent again, with the same key, when the link
// returns; the server answers a repeated key with the first dossier, so it arrives once.
const KEY = "motcua.desk.pending";

export function pending() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "[]");
  } catch {
    return [];
  }
}

function save(items) {
  localStorage.setItem(KEY, JSON.stringify(items));
}

export function keep(item) {
  save([...pending().filter((p) => p.key !== item.key), item]);
}

export function drop(key) {
  save(pending().filter((p) => p.key !== key));
}

export function mark(key, problem) {
  save(pending().map((p) => (p.key === key ? { ...p, problem } : p)));
}
