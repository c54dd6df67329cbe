// Supervisor dashboard: renders the live snapshots pushed over the websocket and ticks the
// wait clocks locally between snapshots (server time offset taken from each snapshot).
"use strict";

const MODE_NAMES = { day: "Дневной режим", automatic: "Автоматический режим", emergency: "Режим ЧС" };
const STATE_NAMES = {
  available: "свободен", ringing: "вызов", talking: "разговор", wrapup: "постобработка",
  paused: "пауза", offline: "не в сети",
};
const CALLBACK_NAMES = { pending: "ожидает", dialing: "набор", done: "выполнен", failed: "не удался" };
const NEAR_FRACTION = 0.75;
const CALLBACK_RISK_S = 120;

let snapshot = null;
let offsetMs = 0;

function now() { return (Date.now() + offsetMs) / 1000; }
let timeZone = "";  // the center's, from the snapshots
function localTime(t) {
  const options = timeZone ? { timeZone } : {};
  return new Date(t * 1000).toLocaleTimeString("ru-RU", options);
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : String(child ?? ""));
  }
  return node;
}

function fmtDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}:${String(s % 60).padStart(2, "0")}` : `${s} с`;
}

function fmtSeconds(value) { return value === null || value === undefined ? "—" : `${Math.round(value)} с`; }
function fmtPct(value) { return value === null || value === undefined ? "—" : `${Math.round(value)}%`; }

function waitClass(waited, limit) {
  if (waited >= limit) return "over";
  return waited >= limit * NEAR_FRACTION ? "near" : "ok";
}

function renderHeader(snap) {
  const mode = document.getElementById("mode");
  mode.textContent = MODE_NAMES[snap.mode] || snap.mode;
  mode.className = `badge mode-${snap.mode}`;
  mode.dataset.mode = snap.mode;
  const ami = document.getElementById("ami");
  ami.textContent = snap.ami_connected ? "AMI: связь есть" : "AMI: нет связи";
  ami.className = `badge ${snap.ami_connected ? "up" : "down"}`;
  const note = document.getElementById("announcement");
  note.hidden = !(snap.mode === "emergency" && snap.announcement);
  note.textContent = snap.announcement ? `Объявление: ${snap.announcement}` : "";
  const toggle = document.getElementById("emergency-toggle");
  toggle.textContent = snap.mode === "emergency" ? "Выключить режим ЧС" : "Включить режим ЧС";
}

function renderAlerts(alerts) {
  const list = document.getElementById("alerts");
  list.replaceChildren();
  if (!alerts.length) list.append(el("li", { class: "none" }, "Нет предупреждений"));
  for (const alert of alerts) {
    list.append(el("li", { class: alert.severity, "data-kind": alert.kind, "data-id": alert.id },
      alert.text, " — уже", el("span", { class: "ticker", "data-since": alert.since }, "")));
  }
}

// Table rows, or one row saying there are none.
function rowsOrNone(rows, columns, text) {
  return rows.length ? rows : [el("tr", { class: "none" }, el("td", { colSpan: columns }, text))];
}

function queueTitle(name) {
  const queue = snapshot && snapshot.queues.find((q) => q.name === name);
  return queue ? queue.title || queue.name : name;
}

function operatorName(id) {
  const op = snapshot && snapshot.operators.find((o) => o.id === id);
  return op ? op.name : id;
}

function figure(label, value, cls, bad) {
  return el("span", {}, `${label}: `, el("b", { class: `${cls}${bad ? " bad" : ""}` }, value));
}

function renderQueue(queue) {
  const f = queue.figures;
  const figures = el("div", { class: "figures" },
    figure("Ждут", queue.waiting.length, "waiting-count"),
    figure("Прогноз", fmtSeconds(queue.predicted_wait_s), "predicted"),
    figure("Уровень сегодня", fmtPct(f.sl_today_pct), "sl-today", f.sl_today_pct !== null && f.sl_today_pct < 80),
    figure("за 15 мин", fmtPct(f.sl_15m_pct), "sl-15m", f.sl_15m_pct !== null && f.sl_15m_pct < 80),
    figure("ASA", fmtSeconds(f.asa_s), "asa"),
    figure("Отвечено", `${f.answered} из ${f.offered}`, "answered"),
    figure("Потеряно", f.abandoned, "abandoned"));
  const rows = queue.waiting.map((c) => el("tr", {},
    el("td", {}, c.position), el("td", {}, c.number_masked || "скрыт"),
    el("td", {}, c.topic_title || c.topic || "—"),
    el("td", {}, c.priority),
    el("td", {}, el("span", { class: "wait", "data-call": c.call_id, "data-since": c.since,
      "data-limit": queue.limit_s }, ""),
      el("div", { class: "bar" }, el("span", { "data-bar-since": c.since, "data-limit": queue.limit_s }))),
    el("td", {}, fmtSeconds(c.predicted_wait_s))));
  const table = el("table", { class: "waiting" },
    el("thead", {}, el("tr", {}, ...["№", "Номер", "Тема", "Приоритет", "Ожидание", "Прогноз"]
      .map((t) => el("th", {}, t)))),
    el("tbody", {}, ...rowsOrNone(rows, 6, "нет ожидающих")));
  return el("article", { class: "queue", "data-queue": queue.name },
    el("h2", {}, queue.title || queue.name, ` (предел ${Math.round(queue.limit_s)} с)`),
    figures, table);
}

function renderOperators(operators) {
  const body = document.querySelector("#operators tbody");
  body.replaceChildren(...rowsOrNone(operators.map((o) => el("tr", { "data-operator": o.id },
    el("td", {}, o.name), el("td", { class: `state-${o.state}` }, STATE_NAMES[o.state] || o.state),
    el("td", {}, el("span", { class: "ticker", "data-since": o.since }, "")),
    el("td", {}, o.pause_reason || ""), el("td", {}, o.queues.map(queueTitle).join(", ")),
    el("td", { class: "caller" }, o.caller_masked || (o.call_id ? "скрыт" : "")))),
  6, "нет операторов на линии"));
  fillSelect(document.getElementById("op-select"), operators.map((o) => [o.id, o.name]));
}

function renderCallbacks(callbacks) {
  const body = document.querySelector("#callbacks tbody");
  body.replaceChildren(...rowsOrNone(callbacks.map((c) => el("tr", { "data-callback": c.id },
    el("td", {}, c.number_masked), el("td", {}, c.topic_title || c.topic || "—"),
    el("td", {}, el("span", { class: "deadline", "data-deadline": c.deadline }, "")),
    el("td", {}, c.attempts), el("td", {}, CALLBACK_NAMES[c.status] || c.status))),
  5, "нет"));
}

function renderPartners(partners) {
  const body = document.querySelector("#partners tbody");
  body.replaceChildren(...rowsOrNone(partners.map((p) => el("tr", { "data-partner": p.id },
    el("td", {}, p.name), el("td", {}, fmtSeconds(p.predicted_wait_s)),
    el("td", {}, p.accepting ? "да" : "нет"),
    el("td", {}, p.last_heard === null ? "никогда"
      : el("span", { class: "ticker", "data-since": p.last_heard, "data-suffix": " назад" }, "")),
    el("td", {}, p.sent), el("td", {}, p.received))),
  6, "нет партнёров"));
}

function fillSelect(select, pairs) {
  const wanted = pairs.map(([id]) => id).join("|");
  if (select.dataset.ids === wanted) return; // keep the supervisor's choice while data flows
  const current = select.value;
  select.replaceChildren(...pairs.map(([id, name]) => el("option", { value: id }, name)));
  select.dataset.ids = wanted;
  if (pairs.some(([id]) => id === current)) select.value = current;
  else prefill();
}

function render(snap) {
  renderHeader(snap);
  renderAlerts(snap.alerts);
  document.getElementById("queues").replaceChildren(...snap.queues.map(renderQueue));
  const queues = snap.queues.map((q) => [q.name, q.title || q.name]);
  fillSelect(document.getElementById("queue-select"), queues);
  fillSelect(document.getElementById("op-queues"), queues);
  renderOperators(snap.operators);
  renderCallbacks(snap.callbacks);
  renderPartners(snap.partners);
  tick();
}

function tick() {
  const t = now();
  document.getElementById("clock").textContent = localTime(t);
  for (const node of document.querySelectorAll(".wait[data-since]")) {
    const waited = t - Number(node.dataset.since);
    node.textContent = fmtDuration(waited);
    node.className = `wait ${waitClass(waited, Number(node.dataset.limit))}`;
  }
  for (const node of document.querySelectorAll("[data-bar-since]")) {
    const waited = t - Number(node.dataset.barSince);
    const limit = Number(node.dataset.limit);
    node.style.width = `${Math.min(100, (100 * waited) / limit)}%`;
    node.className = waitClass(waited, limit);
  }
  for (const node of document.querySelectorAll(".ticker[data-since]")) {
    node.textContent = ` ${fmtDuration(t - Number(node.dataset.since))}${node.dataset.suffix || ""}`;
  }
  for (const node of document.querySelectorAll(".deadline[data-deadline]")) {
    const left = Number(node.dataset.deadline) - t;
    node.textContent = left < 0 ? `просрочен на ${fmtDuration(-left)}` : fmtDuration(left);
    node.className = `deadline ${left < 0 ? "over" : left <= CALLBACK_RISK_S ? "near" : ""}`;
  }
}

function connect() {
  const link = document.getElementById("link");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/api/supervisor/ws`);
  socket.onopen = () => { link.textContent = "онлайн"; link.className = "badge online"; };
  socket.onmessage = (event) => {
    const first = snapshot === null;
    snapshot = JSON.parse(event.data);
    offsetMs = snapshot.taken_at * 1000 - Date.now();
    timeZone = snapshot.timezone || timeZone;
    render(snapshot);
    if (first) loadAudit(); // again, now with the names of operators and queues
  };
  socket.onclose = () => {
    link.textContent = "нет связи с сервером";
    link.className = "badge offline";
    setTimeout(connect, 2000);
  };
}

async function post(url, body) {
  const result = document.getElementById("control-result");
  const response = await fetch(url, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const data = await response.json();
  result.textContent = response.ok ? "Выполнено" : data.message;
  result.className = response.ok ? "" : "error";
  loadAudit();
  return response.ok;
}

async function loadAudit() {
  const response = await fetch("/api/supervisor/audit?limit=30");
  if (!response.ok) return;
  const entries = await response.json();
  const items = entries.map((e) => el("li", { "data-action": e.action },
    `${localTime(e.at)} ${e.actor === "engine" ? "система" : e.actor}: ${describe(e)}`));
  document.getElementById("audit").replaceChildren(
    ...(items.length ? items : [el("li", { class: "none" }, "нет действий")]));
}

// One readable line per action of the audit log.
const ACTIONS = {
  set_emergency: (d) => (d.on ? `включил(а) режим ЧС, объявление: «${d.announcement}»`
    : "выключил(а) режим ЧС"),
  pause_operator: (d) => (d.paused
    ? `поставил(а) на паузу: ${operatorName(d.operator)}, причина: «${d.reason}»`
    : `снял(а) с паузы: ${operatorName(d.operator)}`),
  move_operator: (d) => `перевёл(а) ${operatorName(d.operator)} в очереди: `
    + `${(d.queues || []).map(queueTitle).join(", ") || "никакие"}`,
  set_queue_limit: (d) => `предел ожидания очереди «${queueTitle(d.queue)}»: ${d.limit_s} с`,
  queue_limit: (d) => `предел ожидания очереди «${queueTitle(d.queue)}»: ${d.limit_s} с`,
  mode_changed: (d) => `режим: ${MODE_NAMES[d.mode] || d.mode}`,
};

function describe(entry) {
  const text = ACTIONS[entry.action];
  if (text) return text(entry.details || {});
  const details = Object.entries(entry.details || {}).map(([k, v]) => `${k}: ${v}`).join(", ");
  return details ? `${entry.action} (${details})` : entry.action;
}

function selected(id) { return encodeURIComponent(document.getElementById(id).value); }

// Prefill the inputs with the current values of what was just chosen: fewer typing mistakes.
function prefill() {
  if (!snapshot) return;
  const op = snapshot.operators.find((o) => o.id === document.getElementById("op-select").value);
  if (op) {
    for (const option of document.getElementById("op-queues").options) {
      option.selected = op.queues.includes(option.value);
    }
  }
  const queue = snapshot.queues.find((q) => q.name === document.getElementById("queue-select").value);
  if (queue) document.getElementById("queue-limit").value = Math.round(queue.limit_s);
}

function bindControls() {
  document.getElementById("op-select").onchange = prefill;
  document.getElementById("queue-select").onchange = prefill;
  document.getElementById("emergency-toggle").onclick = () => post("/api/supervisor/emergency", {
    on: !(snapshot && snapshot.mode === "emergency"),
    announcement: document.getElementById("emergency-text").value,
  });
  document.getElementById("op-pause").onclick = () => post(
    `/api/supervisor/operators/${selected("op-select")}/pause`,
    { paused: true, reason: document.getElementById("op-reason").value });
  document.getElementById("op-unpause").onclick = () => post(
    `/api/supervisor/operators/${selected("op-select")}/pause`, { paused: false, reason: "" });
  document.getElementById("op-move").onclick = () => post(
    `/api/supervisor/operators/${selected("op-select")}/queues`,
    { queues: Array.from(document.getElementById("op-queues").selectedOptions, (o) => o.value) });
  document.getElementById("queue-limit-set").onclick = () => post(
    `/api/supervisor/queues/${selected("queue-select")}/limit`,
    { limit_s: Number(document.getElementById("queue-limit").value) });
}

bindControls();
loadAudit();
connect();
setInterval(tick, 250);
