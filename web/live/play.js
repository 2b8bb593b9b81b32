// A participant's page: join a table with its code, then play one agency. Everything shown is
// put on the page as text (never as HTML), so nothing anyone types can change the page.
"use strict";
const $ = (id) => document.getElementById(id);
const status = (text) => { $("status").textContent = text || ""; };
let ws = null;
let table = null;      // the code looked up
let view = null;       // the last view
let actionsKey = "";   // the action list shown (rebuilt only when it changes)
let shown = { inbox: 0, log: 0 };

function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  else status("Not connected to the host: reconnecting…");
}

function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  ws = new WebSocket(`${proto}://${location.host}/ws`);
  ws.onopen = () => {
    status("");
    const seat = JSON.parse(localStorage.getItem("safe-return-seat") || "null");
    if (seat) send({ type: "rejoin", code: seat.code, token: seat.token });
  };
  ws.onclose = () => { status("Lost the connection to the host: trying again…"); setTimeout(connect, 1500); };
  ws.onmessage = (e) => receive(JSON.parse(e.data));
}

function receive(msg) {
  if (msg.type === "refused") {
    status(msg.message);
    if (/join again/.test(msg.message)) { localStorage.removeItem("safe-return-seat"); showJoin(); }
  } else if (msg.type === "table") {
    showRoles(msg);
  } else if (msg.type === "joined") {
    if (msg.token) localStorage.setItem("safe-return-seat", JSON.stringify({ code: msg.code, token: msg.token }));
    status("");
  } else if (msg.type === "view") {
    render(msg.view);
  }
}

function showJoin() { $("join").hidden = false; $("play").hidden = true; }

function showRoles(t) {
  table = t.code;
  $("table-title").textContent = `Table ${t.code}: ${t.title}` + (t.started ? " (under way: join a role already played)" : "");
  const box = $("roles");
  box.replaceChildren();
  t.roles.forEach((r, i) => {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio"; input.name = "role"; input.value = r.id; input.required = true;
    if (i === 0) input.checked = true;
    label.append(input, document.createTextNode(r.name + (r.played ? " (played)" : "")));
    box.append(label);
  });
  $("seat-form").hidden = false;
  $("name").focus();
}

function item(list, when, who, text) {
  const li = document.createElement("li");
  const w = document.createElement("span"); w.className = "when"; w.textContent = when;
  const p = document.createElement("span"); p.className = "who"; p.textContent = who;
  li.append(w, p, document.createTextNode(text));
  list.append(li);
}

function render(v) {
  const first = !view;
  view = v;
  $("join").hidden = true; $("play").hidden = false;
  $("role-h").textContent = `${v.name}: ${v.role_name}`;
  const c = v.clock;
  const state = c.ended ? "ended" : !c.started ? "waiting for the facilitator to start" : c.running ? "running" : "paused";
  $("clock").textContent = `${c.now} · ${c.hours} h into the scenario · ${state}` +
    (v.score !== null && v.score !== undefined ? ` · your role scored ${v.score} %` : "");
  const child = $("child");
  child.replaceChildren();
  if (v.child) {
    const dl = document.createElement("dl");
    for (const [k, val] of [["Name", v.child.name], ["Age", String(v.child.age)], ["Legal status", v.child.legal_status || "none"], ["Risk factors", v.child.risk_factors.join(", ") || "none known"]]) {
      const dt = document.createElement("dt"); dt.textContent = k;
      const dd = document.createElement("dd"); dd.textContent = val;
      dl.append(dt, dd);
    }
    child.append(dl);
  } else {
    child.textContent = "Nobody has told you of a missing child yet.";
  }
  if (v.inbox.length < shown.inbox) { $("inbox").replaceChildren(); shown.inbox = 0; }
  v.inbox.slice(shown.inbox).forEach((l) => item($("inbox"), l.at, l.who, l.text));
  shown.inbox = v.inbox.length;
  if (v.log.length < shown.log) { $("log").replaceChildren(); shown.log = 0; }
  v.log.slice(shown.log).forEach((d) => item($("log"), d.at, d.by, `${d.action}${d.rationale ? " — “" + d.rationale + "”" : ""}`));
  shown.log = v.log.length;
  $("duties-box").hidden = !(v.practice || v.duties.length);
  const duties = $("duties");
  duties.replaceChildren();
  for (const d of v.duties) {
    const li = document.createElement("li");
    const st = document.createElement("strong");
    st.textContent = d.status === "open" ? `due ${d.due || "(no time limit)"}` : d.status.replace("_", " ");
    li.append(st, document.createTextNode(` ${d.action}${d.feedback ? " — " + d.feedback : ""}`));
    duties.append(li);
  }
  const key = v.actions.map((a) => a.id).join(",");
  if (key !== actionsKey) {
    actionsKey = key;
    const sel = $("action");
    const keep = sel.value;
    sel.replaceChildren();
    for (const a of v.actions) {
      const o = document.createElement("option"); o.value = a.id; o.textContent = a.name;
      sel.append(o);
    }
    if (v.actions.some((a) => a.id === keep)) sel.value = keep;
    extras();
  }
  const closed = c.ended || !c.started;
  for (const el of $("act-form").elements) el.disabled = closed;
  if (first) $("role-h").focus?.();
}

// The category, grading and form fields the chosen action asks for.
function extras() {
  const box = $("extra");
  box.replaceChildren();
  const a = view && view.actions.find((x) => x.id === $("action").value);
  if (!a) return;
  const select = (id, label, choices) => {
    const l = document.createElement("label"); l.htmlFor = id; l.textContent = label;
    const s = document.createElement("select"); s.id = id; s.required = true;
    for (const ch of choices) { const o = document.createElement("option"); o.value = ch.id; o.textContent = ch.name; s.append(o); }
    box.append(l, s);
  };
  if (a.classifies) select("category", "Category", view.categories);
  if (a.grades) select("grade", "Risk grading", view.grades);
  if (a.form) {
    const h = document.createElement("p"); h.textContent = a.form; box.append(h);
    a.fields.forEach((f, i) => {
      const l = document.createElement("label"); l.htmlFor = `field-${i}`; l.textContent = f.label + (f.required ? " (required)" : "");
      const t = document.createElement("textarea"); t.id = `field-${i}`; t.dataset.field = f.id; t.rows = 2; t.maxLength = 2000; t.required = f.required;
      box.append(l, t);
    });
  }
}

$("action").addEventListener("change", extras);
$("code-form").addEventListener("submit", (e) => {
  e.preventDefault();
  send({ type: "lookup", code: $("code").value });
});
$("seat-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const role = document.querySelector("input[name=role]:checked");
  send({ type: "join", code: table, name: $("name").value, role: role ? role.value : "" });
});
$("act-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const act = { action: $("action").value, rationale: $("rationale").value, fields: [] };
  if ($("category")) act.category = $("category").value;
  if ($("grade")) act.grade = $("grade").value;
  document.querySelectorAll("[data-field]").forEach((t) => act.fields.push([t.dataset.field, t.value]));
  send({ type: "act", act });
  $("rationale").value = "";
  document.querySelectorAll("[data-field]").forEach((t) => { t.value = ""; });
});
$("role-h").tabIndex = -1;
connect();
