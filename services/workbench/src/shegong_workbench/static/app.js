/* 社工站工作台: forms go to a queue in IndexedDB first, then to the services in order.
 *
 * A command keeps the Idempotency-Key it got when the worker pressed 保存, so sending it again
 * (after a reload, a closed tab, a lost answer) is answered by the service with the first answer
 * and records nothing twice. A 409 (someone changed the record first) is never retried on its
 * own: it waits under 需要处理 until the worker keeps it (a new change at the current version)
 * or drops it.
 *
 * A command belongs to the worker who saved it (`author`). On a shared phone the sender sends
 * only the signed-in worker's own commands; a colleague's wait on the phone, shown by count
 * (never their content), until that colleague signs in again, or until a station lead discards
 * them (audited by the workbench first). The proxy checks the author against the session too.
 */
"use strict";

const DB_NAME = "workbench";
const DB_VERSION = 1;
const LOCK = "workbench-queue";
const RETRY_MS = 5000;
const BUILD = document.documentElement.dataset.build || "dev";
const PAGES = `workbench-pages-${BUILD}`; /* the same name as in sw.js: both from the build */
const PAGES_PREFIX = "workbench-pages-";

/* who is signed in on this page (empty on a page shown without a session) */
const me = () => (document.body && document.body.dataset.user) || "";
const myName = () => (document.body && document.body.dataset.userName) || me();
const mine = (c) => Boolean(me()) && c.author === me();

/* ---------- IndexedDB: commands (the queue, ordered by seq) and sent (a short log) ---------- */

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore("commands", { keyPath: "seq", autoIncrement: true });
      db.createObjectStore("sent", { keyPath: "seq", autoIncrement: true });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(stores, mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction(stores, mode);
    let result;
    Promise.resolve(work(t)).then((r) => { result = r; });
    t.oncomplete = () => { db.close(); resolve(result); };
    t.onerror = () => { db.close(); reject(t.error); };
    t.onabort = () => { db.close(); reject(t.error); };
  });
}

function all(store) {
  return new Promise((resolve, reject) => {
    const req = store.getAll();
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

const queue = {
  async add(commands) {
    return tx(["commands"], "readwrite", (t) => {
      const s = t.objectStore("commands");
      for (const c of commands) s.add(c);
    });
  },
  async list() {
    return tx(["commands"], "readonly", (t) => all(t.objectStore("commands")));
  },
  async put(command) {
    return tx(["commands"], "readwrite", (t) => { t.objectStore("commands").put(command); });
  },
  async done(command, outcome) {
    return tx(["commands", "sent"], "readwrite", (t) => {
      t.objectStore("commands").delete(command.seq);
      const log = t.objectStore("sent");
      log.add({ label: command.label, key: command.key, at: new Date().toISOString(), outcome });
    });
  },
  async sent() {
    return tx(["sent"], "readonly", (t) => all(t.objectStore("sent")));
  },
};

/* ---------- building commands from forms ---------- */

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function newId(prefix) {
  return `${prefix}-${uuid().replace(/-/g, "")}`;
}

function localIso(value) {
  /* a datetime-local value is the station's time (UTC+8) */
  if (!value) return value;
  return (value.length === 16 ? `${value}:00` : value) + "+08:00";
}

function nowLocal() {
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 16);
}

function typed(el) {
  const v = el.value;
  switch (el.dataset.type) {
    case "int": return v === "" ? undefined : Number.parseInt(v, 10);
    case "bool": return el.checked;
    case "datetime": return v === "" ? undefined : localIso(v);
    case "lines": return v.split("\n").map((s) => s.trim()).filter(Boolean);
    default: return v === "" ? undefined : v;
  }
}

function setPath(target, path, value) {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    const nextIsIndex = /^\d+$/.test(path[i + 1]);
    if (node[key] === undefined) node[key] = nextIsIndex ? [] : {};
    node = node[key];
  }
  node[path[path.length - 1]] = value;
}

function prune(value) {
  /* drop empty objects and the holes left by dropped rows */
  if (Array.isArray(value)) return value.map(prune).filter((v) => v !== undefined);
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      const p = prune(v);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

function formBody(form) {
  /* names: a.b for nesting, rows as a.0.b, x[] for a list of checked values;
     a row whose data-row-key field is empty is left out */
  const skipped = new Set();
  for (const el of form.querySelectorAll("[data-row-key]")) {
    if (!el.value) skipped.add(el.name.slice(0, el.name.lastIndexOf(".")));
  }
  const body = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.type === "submit" || el.type === "button") continue;
    const row = el.name.includes(".") ? el.name.slice(0, el.name.lastIndexOf(".")) : null;
    if (row && skipped.has(row)) continue;
    if (el.name.endsWith("[]")) {
      const key = el.name.slice(0, -2);
      body[key] = body[key] || [];
      if ((el.type === "checkbox" || el.type === "radio") ? el.checked : el.value) body[key].push(el.value);
      continue;
    }
    if (el.type === "radio") { if (el.checked) body[el.name] = el.value; continue; }
    if (el.type === "checkbox" && el.dataset.type !== "bool") { if (el.checked) body[el.name] = el.value; continue; }
    const v = typed(el);
    if (v !== undefined) setPath(body, el.name.split("."), v);
  }
  return prune(body) || {};
}

function base(form, overrides) {
  const d = form.dataset;
  return {
    id: uuid(),
    key: `wb-${uuid()}`, /* the Idempotency-Key: fixed now, sent with every try */
    service: d.service,
    path: d.path,
    label: d.label || "记录",
    aggregate: d.aggregate || null,
    basedOn: d.version !== undefined ? Number(d.version) : null, /* the version the worker saw */
    ifMatch: d.ifMatch !== undefined && d.version !== undefined ? Number(d.version) : null,
    compare: d.compare || null,
    history: d.history || null, /* the record's timeline: who changed it since, and when */
    fields: d.fields ? JSON.parse(d.fields) : {}, /* form field → the record's field */
    author: me(), /* who saved it: only they send it */
    authorName: myName(),
    group: d.aggregate || uuid(),
    state: "pending",
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

const builders = {
  default(form, body) {
    return [base(form, { body })];
  },
  visit(form, body) {
    const kinds = body.service_kinds || [];
    const policies = body.policies || [];
    delete body.service_kinds; delete body.policies;
    body.services = kinds.map((kind) => ({ kind, policies: kind === "policy_briefing" ? policies : [] }));
    return [base(form, { body })];
  },
  refer(form, body) {
    const choice = body.basis_choice; const giver = body.given_by; const legal = body.legal_basis;
    delete body.basis_choice; delete body.given_by; delete body.legal_basis;
    const hid = form.dataset.aggregate;
    const member = form.dataset.member || undefined;
    const purposes = body.shares_personal_data ? ["referral", "data_sharing"] : ["referral"];
    const before = [];
    for (const purpose of purposes) {
      if (choice === "consent") {
        before.push(base(form, { path: `/households/${hid}/consents`, label: `${form.dataset.label}（同意）`,
          body: prune({ purpose, member_id: member, given_by: giver }), ifMatch: null }));
      } else if (choice === "legal") {
        before.push(base(form, { path: `/households/${hid}/legal-bases`, label: `${form.dataset.label}（法定依据）`,
          body: { purpose, basis: legal }, ifMatch: null }));
      }
    }
    return [...before, base(form, { body })];
  },
  "meeting-schedule"(form, body) {
    const station = body.station_id; delete body.station_id;
    return [base(form, { path: `/stations/${station}/meetings`, body, group: body.meeting_id })];
  },
  "meeting-record"(form, body) {
    const station = body.station_id; delete body.station_id;
    let meeting = body.meeting_id; delete body.meeting_id;
    const kind = body.kind; delete body.kind;
    const out = [];
    if (!meeting) {
      meeting = newId("m");
      out.push(base(form, { path: `/stations/${station}/meetings`, label: `${form.dataset.label}（安排）`,
        body: prune({ meeting_id: meeting, kind, title: body.title || "会议", scheduled_on: body.held_on,
          announced_on: body.held_on, venue: body.venue }), group: meeting }));
    }
    out.push(base(form, { path: `/stations/${station}/meetings/${meeting}/held`, body, group: meeting }));
    return out;
  },
  "org-file"(form, body) {
    const station = body.station_id; delete body.station_id;
    return [base(form, { path: `/stations/${station}/organisations`, body })];
  },
};

function fill(form) {
  for (const el of form.querySelectorAll("[data-fill]")) {
    if (el.dataset.fill === "now" && (!el.value || el.type === "hidden")) el.value = nowLocal();
    if (el.dataset.fill === "today" && !el.value) el.value = nowLocal().slice(0, 10);
    if (el.dataset.fill === "new-id" && !el.value) el.value = newId(el.dataset.prefix || "x");
  }
}

async function submitted(event) {
  const form = event.target;
  event.preventDefault();
  fill(form);
  if (!form.reportValidity()) return;
  const body = formBody(form);
  const build = builders[form.dataset.kind] || builders.default;
  const commands = build(form, body);
  await queue.add(commands); /* stored before anything is sent: a closed tab loses nothing */
  form.reset();
  for (const el of form.querySelectorAll('[data-fill="new-id"]')) el.value = "";
  fill(form);
  toast(navigator.onLine ? "已保存，正在发送…" : "已保存在本机，联网后自动发送");
  await refreshCounts();
  flush();
}

/* ---------- sending, in order ---------- */

let retryTimer = null;
let authLost = false;

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, RETRY_MS);
}

async function send(c) {
  const headers = {
    "Content-Type": "application/json", "Idempotency-Key": c.key, "X-Workbench": "1", "X-Workbench-Author": c.author || "",
  };
  if (c.ifMatch !== null && c.ifMatch !== undefined) headers["If-Match"] = String(c.ifMatch);
  return fetch(`/api/${c.service}${c.path}`, {
    method: "POST", headers, body: JSON.stringify(c.body), credentials: "same-origin", cache: "no-store",
  });
}

async function read(url) {
  if (!url) return null;
  try {
    const r = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    return r.ok ? await r.json() : null;
  } catch (e) {
    return null;
  }
}

async function current(c) {
  /* the record as it is now, to show beside what the worker entered */
  return read(c.compare);
}

function reached(c) {
  /* the timeline read holds every version up to the one the service answered with */
  const target = c.answer && c.answer.current_version;
  if (typeof target !== "number") return Boolean(c.since);
  return Boolean(c.since) && c.since.reduce((m, e) => Math.max(m, e.version), c.basedOn || 0) >= target;
}

async function since(c) {
  /* the record's timeline entries after the version the worker saw: who changed it, when.
     The timeline is a read model and may trail the record by a moment: asked again a few times */
  let entries = null;
  for (let i = 0; i < 6; i++) {
    const page = await read(c.history); /* the latest events first: what came after basedOn */
    entries = page && Array.isArray(page.items) ? page.items : null;
    if (entries === null) return null;
    const top = entries.reduce((m, e) => Math.max(m, e.version), 0);
    const target = c.answer && c.answer.current_version;
    if (typeof target !== "number" || top >= target) break;
    await new Promise((done) => setTimeout(done, 500));
  }
  return entries.filter((e) => c.basedOn === null || e.version > c.basedOn).reverse()
    .map((e) => ({ version: e.version, title: e.title, actor: e.actor, at: e.occurred_at, facts: e.facts || {},
      changed: [...Object.entries(e.facts || {}), ...Object.entries(e.personal || {})]
        .filter(([, v]) => v !== null && v !== undefined).map(([k]) => k) }));
}

function advance(items, sent, answer) {
  /* The worker's own earlier command moved the record from `basedOn` to answer.version with
     nobody in between: later commands made from the same page follow it, not a colleague. */
  if (!answer || typeof answer.version !== "number" || !Array.isArray(answer.events)) return [];
  if (sent.basedOn === null || answer.version - answer.events.length !== sent.basedOn) return [];
  const moved = [];
  for (const c of items) {
    if (c.seq <= sent.seq || c.state !== "pending") continue; /* only the ones still to send */
    if (c.aggregate !== sent.aggregate || c.basedOn !== sent.basedOn) continue;
    c.basedOn = answer.version;
    if (c.ifMatch !== null) c.ifMatch = answer.version;
    moved.push(c);
  }
  for (const f of document.querySelectorAll(`form[data-aggregate="${sent.aggregate}"]`)) {
    if (Number(f.dataset.version) === sent.basedOn) f.dataset.version = String(answer.version);
  }
  return moved;
}

async function flushOnce() {
  const items = (await queue.list()).sort((a, b) => a.seq - b.seq);
  const held = new Set(items.filter((c) => c.state === "attention").map((c) => c.group));
  let sentAny = false;
  for (const c of items) {
    if (c.state !== "pending") continue;
    if (!mine(c)) continue; /* a colleague's: it waits for them to sign in on this phone */
    if (held.has(c.group)) continue; /* an earlier command of this record waits for the worker */
    let r;
    try {
      r = await send(c);
    } catch (e) {
      setNet(false);
      scheduleRetry();
      return sentAny; /* offline: keep everything, in order, and try again later */
    }
    setNet(true);
    let answer = null;
    try { answer = await r.json(); } catch (e) { answer = null; }
    if (r.ok) {
      await queue.done(c, r.headers.get("Idempotent-Replayed") === "true" ? "replayed" : "recorded");
      for (const moved of advance(items, c, answer)) await queue.put(moved);
      sentAny = true;
      continue;
    }
    if (r.status === 401) {
      authLost = true;
      showAuthLost();
      return sentAny;
    }
    if (r.status === 403 && answer && answer.error === "NotTheAuthor") {
      return sentAny; /* someone else signed in since this page opened: theirs is not ours */
    }
    if (r.status >= 500 || r.status === 429 || r.status === 408) {
      scheduleRetry();
      return sentAny;
    }
    /* 409: someone changed the record first; other 4xx: refused. Both wait for the worker. */
    c.state = "attention";
    c.status = r.status;
    c.answer = answer;
    c.current = r.status === 409 ? await current(c) : null;
    c.since = r.status === 409 ? await since(c) : null;
    await queue.put(c);
    held.add(c.group);
  }
  return sentAny;
}

let flushing = null;
let again = false;

async function flush() {
  /* one sender in this page (a call while sending asks for one more round), one across tabs */
  if (authLost) return;
  if (flushing) { again = true; return flushing; }
  const run = async () => {
    const sentAny = await flushOnce();
    await refreshCounts();
    if (document.getElementById("pending-list")) await drawQueue();
    if (sentAny) toast("已发送");
  };
  flushing = (async () => {
    do {
      again = false;
      if (navigator.locks) await navigator.locks.request(LOCK, run);
      else await run();
    } while (again);
  })().finally(() => { flushing = null; });
  return flushing;
}

/* ---------- resolving 需要处理 ---------- */

async function keepMine(seq) {
  const c = (await queue.list()).find((x) => x.seq === seq);
  if (!c) return;
  const version = c.answer && c.answer.current_version;
  if (typeof version === "number") {
    c.ifMatch = version;
    c.basedOn = version;
  }
  c.key = `wb-${uuid()}`; /* a new change, decided by the worker, at the current version */
  c.state = "pending";
  delete c.answer; delete c.current; delete c.since; delete c.status;
  await queue.put(c);
  await drawQueue();
  flush();
}

async function dropMine(seq) {
  const c = (await queue.list()).find((x) => x.seq === seq);
  if (!c) return;
  await queue.done(c, "dropped");
  await refreshCounts();
  await drawQueue();
  flush();
}

/* ---------- showing the queue ---------- */

function flat(value, prefix = "", out = {}) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flat(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = value;
  }
  return out;
}

let names = null; /* code → Chinese name, and field → Chinese name, from the page (vocabulary.py) */

function named(code) {
  if (names === null) {
    const tag = document.getElementById("names");
    names = tag ? JSON.parse(tag.textContent) : { codes: {}, fields: {} };
  }
  return names.codes[code] || code;
}

function fieldName(key) {
  named("");
  return key.split(".").map((k) => names.fields[k] || k).join(" · ");
}

function shown(v) {
  if (v === undefined || v === null || v === "") return "—";
  if (v === true) return "是";
  if (v === false) return "否";
  if (Array.isArray(v)) return v.map(shown).join("、");
  if (typeof v === "object") {
    return Object.entries(v).filter(([k]) => !k.endsWith("_id")).map(([, x]) => shown(x)).join(" ");
  }
  return named(String(v));
}

function recorded(now, there, entries, top) {
  /* the record's value; for what is a fact of a change, not of the record (a tier's reason),
     the colleague's change that came in between */
  if (now[there] !== undefined) return now[there];
  const last = [...(entries || [])].reverse().find((e) => e.facts[top] !== undefined);
  return last ? last.facts[top] : undefined;
}

function changedBy(entries, keys) {
  /* the latest change since the worker's version that touched this field: who, and when */
  if (!entries) return "—";
  const touched = (e) => keys.some((k) => e.changed.includes(k) || e.changed.includes(`${k}_sealed`));
  const last = [...entries].reverse().find(touched);
  return last ? `${last.actor} · ${localTime(last.at)}` : "未改动";
}

function localTime(iso) {
  return new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }).slice(0, -3);
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function attentionCard(c) {
  const card = el("article", { class: "card attention", "data-testid": "attention-item", "data-seq": String(c.seq) });
  const a = c.answer || {};
  const why = c.status === 409
    ? `此记录已被他人修改（您看到的是第 ${a.expected_version} 版，现在是第 ${a.current_version} 版），您的修改尚未保存。`
    : `服务未接受这条记录（${c.status}）：${a.message || (a.errors || []).map((e) => `${fieldName(e.field)} ${e.message}`).join("；")}`;
  card.append(el("h3", { text: c.label }), el("p", { text: why }));
  const table = el("table", { class: "compare" });
  table.append(el("caption", { text: "您填写的 与 现在的记录" }));
  const head = el("tr", {}, el("th", { scope: "col", text: "项目" }), el("th", { scope: "col", text: "您填写的" }),
    el("th", { scope: "col", text: "现在的记录" }));
  table.append(head);
  head.append(el("th", { scope: "col", text: "由谁、何时修改" }));
  const entered = flat(c.body);
  const now = c.current ? flat(c.current) : {};
  const fields = c.fields || {};
  for (const [k, v] of Object.entries(entered)) {
    const top = k.split(".")[0];
    const there = fields[top] ? fields[top] + k.slice(top.length) : k; /* e.g. tier → risk_tier */
    const tr = el("tr", {}, el("th", { scope: "row", text: fieldName(k) }), el("td", { "data-field": k, class: "mine", text: shown(v) }),
      el("td", { "data-field": k, class: "theirs", text: c.current ? shown(recorded(now, there, c.since, top)) : "联网后显示" }),
      el("td", { "data-field": k, class: "who", text: changedBy(c.since, [top, there.split(".")[0]]) }));
    table.append(tr);
  }
  card.append(el("div", { class: "scroll" }, table));
  if (c.since && c.since.length) {
    const list = el("ul", { class: "rows", "data-testid": "changes-since" });
    for (const e of c.since) list.append(el("li", { text: `第 ${e.version} 版 · ${e.title} · ${e.actor} · ${localTime(e.at)}` }));
    card.append(el("p", { text: "您看到之后的修改：" }), list);
  }
  const actions = el("p", { class: "actions" });
  if (c.status === 409) {
    const keep = el("button", { type: "button", "data-action": "keep", text: "保留我的（作为新的修改）" });
    keep.addEventListener("click", () => keepMine(c.seq));
    actions.append(keep, " ");
  }
  const drop = el("button", { type: "button", "data-action": "drop", class: "secondary", text: "放弃我的" });
  drop.addEventListener("click", () => dropMine(c.seq));
  actions.append(drop);
  card.append(actions);
  return card;
}

async function drawQueue() {
  const items = (await queue.list()).sort((a, b) => a.seq - b.seq);
  const attention = document.getElementById("attention-list");
  const pending = document.getElementById("pending-list");
  const sent = document.getElementById("sent-list");
  attention.replaceChildren();
  const waiting = items.filter((c) => c.state === "attention" && mine(c));
  for (const c of waiting) {
    if (c.status === 409 && c.history && !reached(c) && navigator.onLine) {
      c.since = await since(c); /* the timeline had not caught up when the 409 came */
      await queue.put(c);
    }
  }
  if (!waiting.length) attention.append(el("p", { class: "muted", text: "无" }));
  for (const c of waiting) attention.append(attentionCard(c));
  pending.replaceChildren();
  for (const c of items.filter((x) => x.state === "pending" && mine(x))) {
    pending.append(el("li", { "data-testid": "pending-item", text: `${c.label} · ${localTime(c.createdAt)}` }));
  }
  const log = (await queue.sent()).slice(-20).reverse();
  sent.replaceChildren();
  drawOthers(items);
  const words = { recorded: "已记录", replayed: "已记录（重复发送，未重复记录）", dropped: "已放弃", discarded: "已由站长放弃" };
  for (const s of log) sent.append(el("li", { "data-outcome": s.outcome, text: `${s.label} · ${words[s.outcome] || s.outcome}` }));
}

/* ---------- colleagues' commands on this phone ---------- */

function othersOf(items) {
  /* author → { name, count }: a colleague's waiting commands, by count only */
  const out = new Map();
  for (const c of items) {
    if (mine(c)) continue;
    const key = c.author || "";
    const o = out.get(key) || { author: key, name: c.authorName || c.author || "未知人员", count: 0 };
    o.count += 1;
    out.set(key, o);
  }
  return [...out.values()];
}

function drawOthers(items) {
  const box = document.getElementById("others-list");
  if (!box) return;
  box.replaceChildren();
  const others = othersOf(items);
  if (!others.length) box.append(el("p", { class: "muted", text: "无" }));
  const lead = ["station_lead", "city_admin"].includes(document.body.dataset.role);
  for (const o of others) {
    const row = el("p", { "data-testid": "others-item", "data-author": o.author, text: `等待 ${o.name} 登录后发送：${o.count} 条` });
    if (lead) { /* an author-less command was queued by a release before authors were kept */
      /* two steps: the first press asks, the second (a different button) decides */
      const drop = el("button", { type: "button", class: "secondary", "data-action": "discard", text: `放弃 ${o.name} 的 ${o.count} 条记录` });
      drop.addEventListener("click", () => {
        const sure = el("button", { type: "button", "data-action": "confirm-discard", text: `确认放弃（无法撤销，将被记录）` });
        sure.addEventListener("click", () => discardOf(o));
        drop.replaceWith(sure);
        sure.focus();
      });
      row.append(" ", drop);
    }
    box.append(row);
  }
}

async function discardOf(o) {
  /* a lead's decision for a worker who has left: audited by the workbench before anything goes */
  let r;
  try {
    r = await fetch("/queue/discards", {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-Workbench": "1" },
      body: JSON.stringify({ author: o.author || null, count: o.count }),
    });
  } catch (e) {
    toast("需要联网才能放弃他人的记录");
    return;
  }
  if (!r.ok) { toast(`未能放弃（${r.status}）`); return; }
  const theirs = (await queue.list()).filter((c) => !mine(c) && (c.author || "") === o.author);
  await tx(["commands", "sent"], "readwrite", (t) => {
    for (const c of theirs) t.objectStore("commands").delete(c.seq);
    t.objectStore("sent").add({ label: `${o.name} 的 ${theirs.length} 条记录`, key: null, at: new Date().toISOString(), outcome: "discarded" });
  });
  await refreshCounts();
  await drawQueue();
}

/* ---------- page chrome ---------- */

function toast(text) {
  const t = document.getElementById("toast");
  if (!t) return;
  t.textContent = text;
  t.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove("show"), 4000);
}

function setNet(online) {
  const n = document.getElementById("net");
  if (!n) return;
  n.textContent = online ? "在线" : "离线 · 记录保存在本机";
  n.classList.toggle("offline", !online);
}

function showAuthLost() {
  const b = document.getElementById("attention-banner");
  if (!b) return;
  b.hidden = false;
  b.replaceChildren("登录已过期，待发送的记录仍保存在本机。", el("a", { href: `/signin?next=${encodeURIComponent(location.pathname)}`, text: "重新登录" }));
}

async function refreshCounts() {
  const items = await queue.list();
  const pending = items.filter((c) => c.state === "pending" && mine(c)).length;
  const attention = items.filter((c) => c.state === "attention" && mine(c)).length;
  const others = document.getElementById("others-banner");
  if (others) {
    const waiting = othersOf(items);
    others.hidden = waiting.length === 0 || !me();
    others.textContent = waiting.map((o) => `等待 ${o.name} 登录（${o.count} 条记录保存在本机）`).join("；");
  }
  const q = document.getElementById("queue-count");
  if (q) q.textContent = String(pending);
  const a = document.getElementById("attention-count");
  if (a) { a.textContent = `需要处理 ${attention}`; a.hidden = attention === 0; }
  const banner = document.getElementById("attention-banner");
  if (banner && !authLost) {
    banner.hidden = attention === 0;
    const n = document.getElementById("attention-banner-count");
    if (n) n.textContent = String(attention);
  }
}

async function start() {
  for (const form of document.querySelectorAll("form[data-command]")) {
    form.noValidate = true; /* checked in `submitted`, after the filled-in fields are set */
    form.addEventListener("submit", submitted);
    fill(form);
  }
  const now = document.getElementById("flush-now");
  if (now) now.addEventListener("click", () => { authLost = false; flush(); });
  setNet(navigator.onLine);
  window.addEventListener("online", () => { setNet(true); flush(); });
  window.addEventListener("offline", () => setNet(false));
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
    if (!navigator.serviceWorker.controller && navigator.onLine && window.caches) {
      /* this page came before the worker: keep it too, so it opens offline */
      caches.open(PAGES).then((c) => c.add(location.pathname + location.search)).catch(() => {});
    }
  }
  const signout = document.querySelector("form.signout");
  if (signout && window.caches) {
    /* saved pages hold households' data: they go with the session (the queue stays) */
    signout.addEventListener("submit", () => {
      caches.keys().then((keys) => keys.filter((k) => k.startsWith(PAGES_PREFIX)).forEach((k) => caches.delete(k)));
    });
  }
  await refreshCounts();
  if (document.getElementById("pending-list")) await drawQueue();
  await flush();
  document.body.dataset.ready = "true"; /* drawn, and the first round of sending is over */
}

window.workbench = { queue, flush, formBody };
document.addEventListener("DOMContentLoaded", start);
