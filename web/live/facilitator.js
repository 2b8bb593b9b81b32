// The facilitator's page: every table's clock, cast, chronology, decisions and debrief. The
// facilitator's secret is the part of the address after '#'. Text is put on the page as text.
"use strict";
const $ = (id) => document.getElementById(id);
const status = (text) => { $("status").textContent = text || ""; };
const token = location.hash.slice(1);
let ws = null;

function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  ws = new WebSocket(`${proto}://${location.host}/ws`);
  ws.onopen = () => { status(""); send({ type: "facilitate", token }); };
  ws.onclose = () => { status("Lost the connection to the host: trying again…"); setTimeout(connect, 1500); };
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.type === "refused") status(msg.message);
    else if (msg.type === "tables") { $("join-url").textContent = msg.join; render(msg.tables); }
  };
}

const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };

function button(label, msg, secondary) {
  const b = el("button", label, secondary ? "secondary" : "");
  b.type = "button";
  b.dataset.key = `${msg.code}-${msg.type}-${msg.speed || ""}`;
  b.addEventListener("click", () => send(msg));
  return b;
}

function tableOf(rows, head) {
  const t = el("table");
  const th = el("thead"); const tr = el("tr");
  head.forEach((h) => tr.append(el("th", h)));
  th.append(tr); t.append(th);
  const tb = el("tbody");
  rows.forEach((r) => { const row = el("tr"); r.forEach((c) => row.append(el("td", c))); tb.append(row); });
  t.append(tb);
  return t;
}

// Kept across the page's refreshes: what the facilitator is typing into each inject form.
const drafts = {};

function injectForm(t) {
  const f = el("form"); f.className = "controls";
  const id = `inject-${t.code}`;
  const l = el("label", "Inject"); l.htmlFor = id;
  const text = el("input"); text.id = id; text.dataset.key = id; text.maxLength = 2000;
  text.value = drafts[t.code] || "";
  text.addEventListener("input", () => { drafts[t.code] = text.value; });
  const tl = el("label", "to"); tl.htmlFor = `${id}-to`;
  const to = el("select"); to.id = `${id}-to`; to.dataset.key = `${id}-to`;
  const all = el("option", "everyone"); all.value = ""; to.append(all);
  for (const r of t.playable) { const o = el("option", r.name); o.value = r.id; to.append(o); }
  to.value = drafts[`${t.code}-to`] || "";
  to.addEventListener("change", () => { drafts[`${t.code}-to`] = to.value; });
  const b = el("button", "Send the inject"); b.type = "submit";
  f.append(l, text, tl, to, b);
  f.addEventListener("submit", (e) => {
    e.preventDefault();
    send({ type: "inject", code: t.code, to: to.value || null, text: text.value });
    drafts[t.code] = "";
  });
  return f;
}

function render(tables) {
  const box = $("tables");
  const active = document.activeElement;
  const focused = active && active.dataset && active.dataset.key;
  const caret = active && typeof active.selectionStart === "number" ? [active.selectionStart, active.selectionEnd] : null;
  const open = new Set([...box.querySelectorAll("details[open]")].map((d) => d.dataset.code));
  box.replaceChildren();
  for (const t of tables) {
    const s = el("section"); s.className = "table"; s.setAttribute("aria-label", `Table ${t.code}`);
    s.append(el("h2", t.title), el("p", t.code, "code"));
    const c = t.clock;
    const state = c.ended ? "ended" : !c.started ? "not started" : c.running ? "running" : "paused";
    s.append(el("p", `${c.now} · ${c.hours} h · ${state} · speed ${c.speed}×`, "clock"));
    const ctl = el("div"); ctl.className = "controls";
    if (!c.ended) {
      if (!c.running) ctl.append(button(c.started ? "Resume" : "Start the clock", { type: "start", code: t.code }));
      else ctl.append(button("Pause", { type: "pause", code: t.code }, true));
      if (c.started) ctl.append(button("Jump to the next event", { type: "next", code: t.code }, true));
      for (const sp of [60, 600, 3600]) ctl.append(button(`${sp}×`, { type: "speed", code: t.code, speed: sp }, true));
      if (c.started) ctl.append(button("End and debrief", { type: "end", code: t.code }, true));
    }
    s.append(ctl);
    s.append(injectForm(t));
    s.append(el("h3", "Agencies"));
    s.append(tableOf(t.roles.map((r) => [r.name, r.players.join(", ") || "by the book", r.told_at || "not yet told", String(r.open), String(r.met), String(r.late), String(r.missed), String(r.wrongful)]),
      ["Agency", "Played by", "Told of the child", "Open", "Met", "Late", "Missed", "Wrongful"]));
    s.append(el("h3", "Decisions"));
    s.append(tableOf(t.decisions.map((d) => [d.at, `${d.by} (${d.role})`, d.action, d.rationale]), ["When", "Who", "Action", "Rationale"]));
    const links = el("p");
    links.append(document.createTextNode("The debrief for the room: "));
    for (const [ext, label] of [["html", "page to print"], ["md", "Markdown"], ["json", "JSON"]]) {
      const a = el("a", label); a.href = `/debrief/${t.code}.${ext}?key=${encodeURIComponent(token)}`; a.target = "_blank";
      links.append(a, document.createTextNode(" "));
    }
    s.append(links);
    if (t.debrief.length) {
      s.append(el("h3", "Debrief"));
      s.append(tableOf(t.debrief.map((d) => [d.name, `${d.percent} %`, `${d.earned} of ${d.possible}`]), ["Agency", "Score", "Points"]));
    }
    const det = el("details"); det.dataset.code = t.code; det.open = open.has(t.code); det.append(el("summary", `Chronology (${t.chronology.length} entries)`));
    const ol = el("ol"); ol.className = "feed";
    t.chronology.forEach((l) => { const li = el("li"); li.append(el("span", l.at, "when"), el("span", l.who, "who"), document.createTextNode(l.text)); ol.append(li); });
    det.append(ol); s.append(det);
    box.append(s);
  }
  // The button that had the keyboard's focus keeps it across the page's refresh.
  const again = focused && box.querySelector(`[data-key="${CSS.escape(focused)}"]`);
  if (again) {
    again.focus();
    if (caret && typeof again.setSelectionRange === "function") again.setSelectionRange(caret[0], caret[1]);
  }
}

connect();
