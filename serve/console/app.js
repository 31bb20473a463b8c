// shopgraph console: plain browser JavaScript, no build step. Talks to the same HTTP API as any
// client, with the API key typed into the header field (kept in this browser's localStorage).
"use strict";

const KINDS = ["returns", "warranty", "shipping", "payment", "privacy", "other"];
const SCOPES = ["global", "brand", "category", "product"];
const $ = (id) => document.getElementById(id);
let sessionId = null;

// ------------------------------------------------------------------ helpers
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return node;
}

function headers(extra = {}) {
  const key = $("api-key").value.trim();
  return key ? { Authorization: "Bearer " + key, ...extra } : extra;
}

async function api(method, path, body, isForm = false) {
  const init = { method, headers: headers(isForm || body === undefined ? {} : { "Content-Type": "application/json" }) };
  if (body !== undefined) init.body = isForm ? body : JSON.stringify(body);
  const res = await fetch(path, init);
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = data.error || {};
    throw new Error(`${res.status} ${e.code || ""}: ${e.message || res.statusText}`);
  }
  return data;
}

function status(text, ok = true) {
  const s = $("pol-status");
  s.textContent = text;
  s.className = "status " + (ok ? "ok" : "err");
}

function fillSelect(select, values, first) {
  select.replaceChildren(...(first ? [el("option", { value: "" }, first)] : []), ...values.map((v) => el("option", { value: v }, v)));
}

// ------------------------------------------------------------------ answers
function renderAnswer(r) {
  const box = el("div", { class: "answer-box" });
  box.append(el("div", { class: "answer", "data-testid": "answer" }, r.answer));
  const badges = el("div", { class: "badges" },
    el("span", { class: "badge", "data-testid": "intent" },
      `intent: ${r.intent.label}` + (r.intent.confidence == null ? "" : ` (${r.intent.confidence.toFixed(2)})`)),
    el("span", { class: "badge" + (r.sentiment.label === "negative" ? " neg" : ""), "data-testid": "sentiment" }, `sentiment: ${r.sentiment.label}`));
  if (r.escalate) badges.append(el("span", { class: "badge warn" }, "escalate"));
  if (r.abstained) badges.append(el("span", { class: "badge warn" }, "abstained"));
  if (r.fallback) badges.append(el("span", { class: "badge warn" }, "generator fallback"));
  box.append(badges);
  if (r.clarification) {
    const opts = el("div", { class: "row" }, el("span", {}, r.clarification.question));
    for (const o of r.clarification.options) {
      opts.append(el("button", { class: "secondary", type: "button", onclick: () => { $("chat-product").value = o.id; } }, o.label));
    }
    box.append(opts);
  }
  const list = el("ol", { class: "citations", "data-testid": "citations" });
  for (const c of r.citations) {
    const doc = (c.doc_id ? ` · ${c.doc_id} v${c.doc_version ?? "?"}` : "") + (c.applies_to ? ` · for ${c.applies_to} only` : "");
    list.append(el("li", { "data-testid": "citation" },
      el("strong", {}, `[${c.number}] `), c.text, el("div", { class: "src" }, `${c.kind}${c.source ? " / " + c.source : ""} · ${c.id}${doc}`)));
  }
  box.append(list);
  const t = r.timings || {};
  const stages = Object.entries(t.stages_ms || {}).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(" · ");
  box.append(el("div", { class: "timings" }, `${(t.total_ms || 0).toFixed(1)} ms — ${stages} — ${r.generator}`));
  return box;
}

async function streamChat(body, onDelta) {
  const res = await fetch("/v1/chat", { method: "POST", headers: headers({ "Content-Type": "application/json" }), body: JSON.stringify(body) });
  if (!res.ok) {
    const data = await res.json().catch(() => ({}));
    throw new Error(`${res.status}: ${(data.error || {}).message || res.statusText}`);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = "", final = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i); buf = buf.slice(i + 2);
      const event = (block.match(/^event: (.*)$/m) || [])[1];
      const data = JSON.parse((block.match(/^data: (.*)$/m) || [])[1] || "{}");
      if (event === "delta") onDelta(data.text);
      else if (event === "done") final = data;
      else if (event === "error") throw new Error(data.message);
    }
  }
  return final;
}

async function ask(message, productId, sid, stream, onDelta) {
  const body = { message };
  if (productId) body.product_id = productId;
  if (sid) body.session_id = sid;
  if (stream) return streamChat({ ...body, stream: true }, onDelta);
  return api("POST", "/v1/chat", body);
}

// ------------------------------------------------------------------ playground
$("chat-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const message = $("chat-message").value.trim();
  if (!message) return;
  const turn = el("div", { class: "turn" }, el("div", { class: "q" }, message));
  const live = el("div", { class: "answer" });
  turn.append(live);
  $("chat-log").prepend(turn);
  try {
    const r = await ask(message, $("chat-product").value.trim(), sessionId, $("chat-stream").checked, (t) => { live.textContent += t; });
    if (!r) throw new Error("the answer stream ended without a final event");
    const box = renderAnswer(r);
    live.remove();
    turn.append(box);
    sessionId = r.session_id;
    $("chat-session").textContent = sessionId;
    $("chat-message").value = "";
  } catch (e) {
    live.textContent = "Error: " + e.message;
    live.className = "status err";
  }
});
$("chat-new").addEventListener("click", () => { sessionId = null; $("chat-session").textContent = "(new)"; $("chat-log").replaceChildren(); });

// ------------------------------------------------------------------ policies
let editing = null; // id of the policy in the editor, null for a new one

async function loadPolicies() {
  try {
    const data = await api("GET", "/v1/policies");
    const rows = data.policies.map((p) => el("tr", { "data-policy-id": p.id },
      el("td", {}, p.id), el("td", {}, p.kind), el("td", {}, p.scope + (p.target ? ":" + p.target : "")),
      el("td", {}, String(p.version)), el("td", {}, `${p.updated_at.slice(0, 19).replace("T", " ")} ${p.updated_by}`),
      el("td", {}, el("button", { class: "link", type: "button", onclick: () => edit(p.id) }, "edit"))));
    $("pol-table").tBodies[0].replaceChildren(...rows);
  } catch (e) { status(e.message, false); }
}

async function edit(id) {
  const p = await api("GET", "/v1/policies/" + encodeURIComponent(id));
  editing = id;
  $("editor-title").textContent = `Editing ${id} (v${p.version})`;
  $("ed-id").value = p.id; $("ed-id").disabled = true;
  $("ed-kind").value = p.kind; $("ed-scope").value = p.scope; $("ed-target").value = p.target || "";
  $("ed-title").value = p.title; $("ed-body").value = p.body; $("ed-comment").value = "";
  await loadHistory(id);
}

function newPolicy() {
  editing = null;
  $("editor-title").textContent = "New policy";
  for (const f of ["ed-id", "ed-target", "ed-title", "ed-body", "ed-comment"]) $(f).value = "";
  $("ed-id").disabled = false;
  $("hist-table").tBodies[0].replaceChildren();
}

async function loadHistory(id) {
  const h = await api("GET", `/v1/policies/${encodeURIComponent(id)}/history`);
  const rows = h.versions.slice().reverse().map((v) => el("tr", {},
    el("td", {}, String(v.version) + (v.deleted ? " (deleted)" : "")), el("td", {}, v.updated_at.slice(0, 19).replace("T", " ")),
    el("td", {}, v.updated_by), el("td", {}, v.title),
    el("td", {}, v.live || v.deleted ? "" : el("button", { class: "link", type: "button", onclick: () => rollback(id, v.version) }, "roll back to this"))));
  $("hist-table").tBodies[0].replaceChildren(...rows);
}

async function previewAsk(target) {
  const q = $("pv-question").value.trim();
  if (!q) return;
  target.replaceChildren(el("span", {}, "asking..."));
  try {
    const r = await ask(q, $("pv-product").value.trim(), null, false);
    target.replaceChildren(renderAnswer(r));
  } catch (e) { target.replaceChildren(el("span", { class: "status err" }, e.message)); }
}

async function afterChange(message) {
  status(message);
  await loadPolicies();
  if (editing) await loadHistory(editing).catch(() => {});
  await previewAsk($("pv-after"));
}

$("editor").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = { kind: $("ed-kind").value, scope: $("ed-scope").value, format: "markdown", content: $("ed-body").value };
  if ($("ed-target").value.trim()) body.target = $("ed-target").value.trim();
  if ($("ed-title").value.trim()) body.title = $("ed-title").value.trim();
  if ($("ed-comment").value.trim()) body.comment = $("ed-comment").value.trim();
  if ($("pv-question").value.trim() && !$("pv-before").textContent) await previewAsk($("pv-before"));
  try {
    const id = editing || $("ed-id").value.trim();
    const p = editing ? await api("PUT", "/v1/policies/" + encodeURIComponent(id), body)
                      : await api("POST", "/v1/policies", { id, ...body });
    editing = p.id;
    $("ed-id").disabled = true;
    $("editor-title").textContent = `Editing ${p.id} (v${p.version})`;
    await afterChange(`saved ${p.id} as version ${p.version}`);
  } catch (e) { status(e.message, false); }
});

$("ed-delete").addEventListener("click", async () => {
  if (!editing || !confirm(`Delete policy ${editing}?`)) return;
  try {
    await api("DELETE", "/v1/policies/" + encodeURIComponent(editing));
    const id = editing;
    await afterChange(`deleted ${id}`);
    newPolicy();
  } catch (e) { status(e.message, false); }
});

async function rollback(id, version) {
  try {
    const p = await api("POST", `/v1/policies/${encodeURIComponent(id)}/rollback`, { version });
    await edit(id);
    await afterChange(`rolled ${id} back to the content of v${version} (now v${p.version})`);
  } catch (e) { status(e.message, false); }
}

$("upload-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const file = $("upload-file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  for (const [field, id] of [["id", "upload-id"], ["kind", "upload-kind"], ["scope", "upload-scope"], ["target", "upload-target"]]) {
    if ($(id).value.trim()) form.append(field, $(id).value.trim());
  }
  try {
    const p = await api("POST", "/v1/policies/upload", form, true);
    status(`uploaded ${p.id} as version ${p.version}`);
    await loadPolicies();
    await edit(p.id);
  } catch (e) { status(e.message, false); }
});

$("pv-ask").addEventListener("click", () => { $("pv-after").replaceChildren(); previewAsk($("pv-before")); });
$("pol-refresh").addEventListener("click", loadPolicies);
$("pol-new").addEventListener("click", newPolicy);

// ------------------------------------------------------------------ tabs and start
for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => {
    document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t === tab));
    document.querySelectorAll(".panel").forEach((p) => p.classList.toggle("active", p.id === tab.dataset.tab));
    if (tab.dataset.tab === "policies") loadPolicies();
  });
}
$("api-key").value = localStorage.getItem("shopgraph.key") || "";
$("api-key").addEventListener("change", () => localStorage.setItem("shopgraph.key", $("api-key").value.trim()));
fillSelect($("ed-kind"), KINDS); fillSelect($("ed-scope"), SCOPES);
fillSelect($("upload-kind"), KINDS, "kind (or front matter)"); fillSelect($("upload-scope"), SCOPES, "scope (or front matter)");
newPolicy();
