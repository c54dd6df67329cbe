// Operator workplace: the page keeps no state of its own beyond what the API returns.
// Websocket messages are hints ("something changed"); the page re-reads the desk and the call.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const STATE_TITLES = {
    offline: "Не в сети", available: "Готов", paused: "Пауза",
    talking: "Разговор", wrapup: "Завершение звонка",
  };
  const KIND_TITLES = {
    call: "Звонок", appeal: "Обращение", appointment: "Запись на приём", callback: "Обратный звонок",
    transfer: "Перевод", report: "Устаревшие сведения",
  };
  // Summaries that already say what they are ("Жалоба: …", "Переведён в …") keep no prefix.
  const SELF_TITLED = ["Жалоба", "Обращение", "Переведён", "Звонок", "Запись", "Обратный звонок"];
  let desk = null;
  let call = null;
  let catalog = null;
  let wrapupDeadline = null;
  let chosenFaq = "";

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    const { dataset, ...rest } = props || {};
    Object.assign(node, rest);
    Object.assign(node.dataset, dataset || {});
    for (const child of children) node.append(child);
    return node;
  }

  function option(value, text) {
    return el("option", { value, textContent: text });
  }

  async function api(method, path, body) {
    const init = { method, headers: {}, credentials: "same-origin" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const resp = await fetch(path, init);
    if (resp.status === 401) {
      location.href = "/login?next=%2Foperator";
      throw new Error("Требуется вход в систему");
    }
    const data = await resp.json();
    if (!resp.ok) {
      const err = new Error(data.message || "Ошибка сервера");
      err.data = data;
      throw err;
    }
    return data;
  }

  function showError(err) {
    $("notice").hidden = true;
    $("error").textContent = err.message;
    $("error").hidden = false;
  }

  function notice(text) {
    $("error").hidden = true;
    $("notice").textContent = text;
    $("notice").hidden = false;
  }

  async function act(fn) {
    try {
      $("error").hidden = true;
      await fn();
    } catch (err) {
      showError(err);
    }
  }

  function fmtTime(epoch) {
    const options = {
      day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
    };
    if (desk && desk.timezone) options.timeZone = desk.timezone;
    return new Date(epoch * 1000).toLocaleString("ru-RU", options);
  }

  // ---- desk and state -------------------------------------------------------------------
  async function loadDesk() {
    desk = await api("GET", "/api/operator/desk");
    renderDesk();
    if (desk.call_id) {
      await loadCall(desk.call_id);
    } else {
      call = null;
      renderCall();
    }
  }

  function renderDesk() {
    const me = desk.operator;
    const badgeState = $("state").dataset.state;
    $("me").textContent = `${me.name} · ${me.sip || "нет SIP"}`;
    const badge = $("state");
    badge.textContent = STATE_TITLES[desk.state] || desk.state;
    if (desk.state === "paused" && desk.pause_reason) badge.textContent += `: ${desk.pause_reason}`;
    badge.className = `badge state-${desk.state}`;
    badge.dataset.state = desk.state;
    const reasons = $("pause-reason");
    if (!reasons.options.length) desk.pause_reasons.forEach((r) => reasons.append(option(r, r)));
    $("btn-ready").disabled = desk.state === "talking";
    $("btn-pause").disabled = desk.state === "talking";
    wrapupDeadline = desk.wrapup ? Date.now() / 1000 + desk.wrapup.remaining_s : null;
    tick();
    if (desk.state === "wrapup" && badgeState !== "wrapup") {
      // The wrap-up form sits low on the page: bring it up the moment the call ends.
      $("wrapup").scrollIntoView({ block: "start" });
      $("wrapup-code").focus({ preventScroll: true });
    }
  }

  function tick() {
    const timer = $("wrapup-timer");
    if (wrapupDeadline === null) {
      timer.hidden = true;
      return;
    }
    const left = Math.max(0, Math.ceil(wrapupDeadline - Date.now() / 1000));
    timer.hidden = false;
    timer.textContent = left > 0 ? `осталось ${left} с` : "время истекло";
  }

  async function setState(state, reason) {
    await act(async () => {
      await api("POST", "/api/operator/state", { state, reason: reason || "" });
      await loadDesk();
    });
  }

  // ---- the call: screen pop, history, script ---------------------------------------------
  async function loadCall(callId) {
    call = await api("GET", `/api/operator/calls/${encodeURIComponent(callId)}`);
    renderCall();
  }

  function arrivalText(pop) {
    const a = pop.arrival;
    const parts = [pop.arrival_title];
    if (a.ivr_choices.length) parts.push(`меню: ${a.ivr_choices.join(" → ")}`);
    if (a.overflow_from) parts.push(`из центра «${a.overflow_from}»`);
    a.overflow_context.forEach(([k, v]) => parts.push(`${k}: ${v}`));
    if (a.callback_id) parts.push(`заявка ${a.callback_id}`);
    return parts.join("; ");
  }

  function historyText(h) {
    const title = KIND_TITLES[h.kind] || h.kind;
    const titled = [title, ...SELF_TITLED].some((t) => h.summary.startsWith(t));
    const text = titled ? h.summary : `${title}: ${h.summary}`;
    // Appeal numbers are what a citizen quotes; call ids mean nothing to a person.
    return h.ref && h.kind === "appeal" ? `${text} (№ ${h.ref})` : text;
  }

  function renderCall() {
    $("no-call").hidden = call !== null;
    $("pop").hidden = call === null;
    $("script-step").hidden = call === null;
    const history = $("history");
    history.replaceChildren();
    if (call === null) {
      history.append(el("li", { className: "muted", textContent: "—" }));
      $("script-path").replaceChildren();
      $("appeals").replaceChildren();
      $("call-actions").replaceChildren();
      $("script-title").textContent = "";
      renderWrapupAvailability();
      return;
    }
    const pop = call.pop;
    $("pop-number").textContent = pop.number;
    $("pop-name").textContent = pop.caller_name || "не известно";
    $("pop-waited").textContent = `${Math.round(pop.waited_s)} с`;
    $("pop-topic").textContent = pop.topic_title || pop.topic || "—";
    $("pop-arrival").textContent = arrivalText(pop);
    if (!call.history.length) history.append(el("li", { className: "muted", textContent: "Обращений не было" }));
    call.history.forEach((h) => history.append(el("li", { dataset: { kind: h.kind } },
      el("span", { className: "when", textContent: fmtTime(h.at) }),
      historyText(h))));
    renderScript(call.script);
    $("appeals").replaceChildren(...call.appeals.map((a) =>
      el("li", { textContent: `№ ${a.number}: ${a.classification_title}` })));
    $("call-actions").replaceChildren(...call.actions.map((a) => el("li", { textContent: a.summary })));
    if (!$("book-name").value && call.facts.citizen_name) $("book-name").value = call.facts.citizen_name;
    renderAgencies(pop.topic);
    renderWrapupAvailability();
  }

  function renderScript(s) {
    const step = s.step;
    $("script-title").textContent = `— ${s.title}`;
    $("step-text").textContent = step.text;
    $("step-text").dataset.step = step.id;
    $("step-hint").textContent = step.hint || "";
    $("step-mandatory").hidden = !step.mandatory;
    $("step-faq").replaceChildren(...step.faq.map((f) =>
      el("div", { className: "faq" }, el("b", { textContent: f.question }), f.answer)));
    const transfer = $("step-transfer");
    transfer.hidden = !step.transfer_to;
    if (step.transfer_to) {
      transfer.textContent = `Перевод: ${step.transfer_to.name} (${step.transfer_to.transfer_number})`;
      $("transfer-agency").value = step.transfer_to.id;
    }
    $("step-choices").replaceChildren(...step.choices.map((c) => el("button",
      { type: "button", className: "choice", textContent: c.label, onclick: () => answer(c.id) })));
    $("step-input-row").hidden = !step.input;
    $("step-input").value = "";
    $("step-next").hidden = s.finished || step.choices.length > 0;
    $("step-back").hidden = s.path.length === 0;
    $("step-done").hidden = !s.finished;
    $("script-path").replaceChildren(...s.path.map((p) =>
      el("li", { textContent: `${p.text} — ${p.label || p.answer || "✓"}` })));
  }

  async function answer(value) {
    await act(async () => {
      const stepId = call.script.step.id;
      await api("POST", `/api/operator/calls/${call.call_id}/script`, { step_id: stepId, answer: value });
      await loadCall(call.call_id);
    });
  }

  // ---- knowledge base -------------------------------------------------------------------
  async function search(event) {
    event.preventDefault();
    await act(async () => {
      const q = encodeURIComponent($("kb-query").value);
      const found = await api("GET", `/api/operator/kb/search?q=${q}&limit=5`);
      const list = $("kb-results");
      list.replaceChildren();
      if (!found.hits.length) list.append(el("li", { className: "muted", textContent: "Ничего не найдено" }));
      found.hits.forEach((h) => list.append(el("li", { dataset: { faq: h.id } },
        el("b", { textContent: h.question }),
        el("p", { className: "answer", textContent: h.answer }),
        el("button", { type: "button", textContent: "Ответ дан", onclick: () => chooseFaq(h) }),
        " ",
        el("button", { type: "button", textContent: "Устарело?", onclick: () => askOutdated(h.id) }))));
    });
  }

  function chooseFaq(hit) {
    chosenFaq = hit.id;
    notice(`Статья выбрана для завершения звонка: ${hit.question}`);
    renderWrapupFields();
  }

  function askOutdated(entryId) {
    $("outdated-entry").textContent = entryId;
    $("outdated-form").hidden = false;
    $("outdated-note").focus();
  }

  async function sendOutdated(event) {
    event.preventDefault();
    await act(async () => {
      const body = { entry_id: $("outdated-entry").textContent, note: $("outdated-note").value };
      await api("POST", "/api/operator/kb/outdated", body);
      $("outdated-form").hidden = true;
      $("outdated-note").value = "";
      notice("Сообщение об устаревшей информации отправлено");
    });
  }

  function renderAgencies(topic) {
    const list = catalog.agencies.filter((a) => !topic || a.topics.includes(topic));
    $("agencies").replaceChildren(...list.map((a) => el("li", { dataset: { agency: a.id } },
      el("b", { textContent: a.name }),
      el("div", { textContent: `${a.address}; тел. ${a.phones.join(", ")}; ${a.hours}` }),
      el("button", { type: "button", textContent: "Устарело?", onclick: () => askOutdated(a.id) }))));
  }

  // ---- appeal classification (cascading selects) -------------------------------------------
  async function loadLevel(level, code) {
    const path = code ? `/api/operator/classifier?code=${encodeURIComponent(code)}` : "/api/operator/classifier";
    const data = await api("GET", path);
    const select = $(`cls-${level}`);
    select.replaceChildren(option("", "— выберите —"), ...data.options.map((o) => option(o.code, o.label)));
    select.disabled = false;
  }

  async function classChanged(event) {
    const level = Number(event.target.dataset.level);
    for (let i = level + 1; i < 4; i += 1) {
      $(`cls-${i}`).replaceChildren();
      $(`cls-${i}`).disabled = true;
    }
    if (event.target.value && level < 3) await act(() => loadLevel(level + 1, event.target.value));
  }

  function chosenClass() {
    for (let i = 3; i >= 0; i -= 1) if ($(`cls-${i}`).value) return $(`cls-${i}`).value;
    return "";
  }

  async function registerAppeal(event) {
    event.preventDefault();
    if (!call) return showError(new Error("Нет активного звонка"));
    await act(async () => {
      const body = {
        kind: $("appeal-kind").value, classification: chosenClass(), text: $("appeal-text").value,
        executor_id: $("appeal-executor").value, urgency: $("appeal-urgency").value,
      };
      const appeal = await api("POST", `/api/operator/calls/${call.call_id}/appeals`, body);
      notice(`Зарегистрировано обращение № ${appeal.number}`);
      await loadCall(call.call_id);
    });
  }

  // ---- transfer, callback, booking ---------------------------------------------------------
  async function callAction(event, path, body, done) {
    event.preventDefault();
    if (!call) return showError(new Error("Нет активного звонка"));
    await act(async () => {
      await api("POST", `/api/operator/calls/${call.call_id}/${path}`, body());
      notice(done);
      await loadCall(call.call_id);
    });
  }

  function serviceChanged() {
    const service = catalog.services.find((s) => s.id === $("book-service").value);
    const ids = service && service.agencies.length ? service.agencies : catalog.agencies.map((a) => a.id);
    const names = Object.fromEntries(catalog.agencies.map((a) => [a.id, a.name]));
    $("book-agency").replaceChildren(...ids.map((id) => option(id, names[id] || id)));
    $("book-slot").replaceChildren();
  }

  async function loadSlots() {
    await act(async () => {
      const q = new URLSearchParams({
        agency_id: $("book-agency").value, service_id: $("book-service").value, day: $("book-day").value,
      });
      const data = await api("GET", `/api/operator/booking/slots?${q}`);
      $("book-slot").replaceChildren(...data.slots.map((s) => option(s.start, s.start.slice(11))));
      if (!data.slots.length) showError(new Error("На этот день свободного времени нет"));
    });
  }

  // ---- wrap-up ------------------------------------------------------------------------------
  function renderWrapupAvailability() {
    const open = call !== null && call.ended_at !== null && !call.wrapped_up;
    $("wrapup-submit").disabled = !open;
    $("wrapup-hint").textContent = open
      ? "Разговор завершён: выберите результат и заполните обязательные поля."
      : "Доступно после окончания разговора.";
    renderWrapupFields();
  }

  function renderWrapupFields() {
    const code = catalog.result_codes.find((c) => c.code === $("wrapup-code").value);
    const facts = call ? { ...call.facts } : {};
    if (chosenFaq) facts.faq_id = chosenFaq;
    const names = code ? [...code.required] : [];
    if (!names.includes("comment")) names.push("comment");
    const box = $("wrapup-fields");
    const typed = Object.fromEntries([...box.querySelectorAll("input")].map((i) => [i.name, i.value]));
    const titles = call ? call.fact_titles : {};
    box.replaceChildren(...names.map((name) => {
      const value = typed[name] || facts[name] || "";
      const required = code && code.required.includes(name);
      const label = catalog.fields[name] || name;
      const field = el("div", { className: `wrapup-field${required ? " required" : ""}` });
      if (titles[name] && value === facts[name]) {
        // A coded fact (classification, agency...): the person reads its name, the form sends the code.
        field.append(el("span", { className: "label", textContent: label }),
          el("span", { className: "fact", id: `wt-${name}`, textContent: titles[name] }),
          el("input", { type: "hidden", name, id: `wf-${name}`, value }));
        return field;
      }
      const input = el("input", { name, id: `wf-${name}`, value });
      field.append(el("label", { htmlFor: input.id, textContent: label }), input);
      return field;
    }));
  }

  async function submitWrapup(event) {
    event.preventDefault();
    await act(async () => {
      const fields = Object.fromEntries(
        [...$("wrapup-fields").querySelectorAll("input")].map((i) => [i.name, i.value]));
      const body = { result_code: $("wrapup-code").value, fields };
      await api("POST", `/api/operator/calls/${call.call_id}/wrapup`, body);
      notice("Обработка звонка завершена");
      chosenFaq = "";
      $("wrapup-code").value = "";
      $("wrapup-fields").replaceChildren();
      $("book-name").value = "";
      await loadDesk();
    });
  }

  // ---- start-up -----------------------------------------------------------------------------
  function fillCatalog() {
    const agencies = catalog.agencies.map((a) => option(a.id, a.name));
    $("appeal-executor").replaceChildren(...agencies.map((o) => o.cloneNode(true)));
    $("transfer-agency").replaceChildren(
      ...catalog.agencies.filter((a) => a.transfer_number).map((a) => option(a.id, a.name)));
    $("book-service").replaceChildren(...catalog.services.map((s) => option(s.id, s.name)));
    $("wrapup-code").replaceChildren(option("", "— результат —"),
      ...catalog.result_codes.map((c) => option(c.code, c.label)));
    $("book-day").value = new Date().toISOString().slice(0, 10);
    serviceChanged();
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/operator/ws`);
    ws.onopen = () => {
      $("link").textContent = "онлайн";
      $("link").className = "badge up";
      act(loadDesk);
    };
    ws.onmessage = () => act(loadDesk);
    ws.onclose = () => {
      $("link").textContent = "нет связи";
      $("link").className = "badge down";
      setTimeout(connect, 1000);
    };
  }

  function bind() {
    $("btn-ready").onclick = () => setState("available");
    $("btn-pause").onclick = () => setState("paused", $("pause-reason").value);
    $("btn-offline").onclick = () => setState("offline");
    $("step-next").onclick = () => answer($("step-input").value);
    $("step-back").onclick = () => act(async () => {
      await api("POST", `/api/operator/calls/${call.call_id}/script/back`);
      await loadCall(call.call_id);
    });
    $("kb-form").onsubmit = search;
    $("outdated-form").onsubmit = sendOutdated;
    $("outdated-cancel").onclick = () => { $("outdated-form").hidden = true; };
    document.querySelectorAll(".cls").forEach((s) => { s.onchange = classChanged; });
    $("appeal-form").onsubmit = registerAppeal;
    $("transfer-form").onsubmit = (e) => callAction(e, "transfer",
      () => ({ agency_id: $("transfer-agency").value, note: $("transfer-note").value }), "Звонок переведён");
    $("callback-form").onsubmit = (e) => callAction(e, "callback",
      () => ({ phone: $("cb-phone").value, in_minutes: Number($("cb-minutes").value) }),
      "Обратный звонок назначен");
    $("book-service").onchange = serviceChanged;
    $("book-load").onclick = loadSlots;
    $("booking-form").onsubmit = (e) => callAction(e, "appointments", () => ({
      agency_id: $("book-agency").value, service_id: $("book-service").value,
      start: $("book-slot").value, citizen_name: $("book-name").value,
    }), "Гражданин записан на приём");
    $("wrapup-code").onchange = renderWrapupFields;
    $("wrapup-form").onsubmit = submitWrapup;
    setInterval(tick, 1000);
  }

  async function start() {
    bind();
    await act(async () => {
      catalog = await api("GET", "/api/operator/catalog");
      fillCatalog();
      await loadLevel(0, null);
    });
    connect();
  }

  start();
})();
