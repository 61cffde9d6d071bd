// Faultline dashboard: plain JS over the query API (docs/api.md). GFNs are 64-bit, so they are
// BigInt here; kernel times in ns fit a double exactly for any trace shorter than ~104 days.
"use strict";

const $ = (id) => document.getElementById(id);
const COLOURS = { private: "#7b3fbf", shared: "#3fa7a0", unbacked: "#d6d6d6", populated: "#f0a020", alert: "#d62828" };
const ATTR_PRIVATE = 8n;
const MIN_PAGES = 16n;

const token = (() => {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) sessionStorage.setItem("faultline-token", decodeURIComponent(m[1]));
  return sessionStorage.getItem("faultline-token");
})();

const view = {
  vm: null,        // selected VM id
  summary: null,   // /api/vm answer
  memslots: [],    // /api/vm/memslots answer's memslots
  first: 0n, last: 0n,
  fitGuest: true,  // the window follows the guest's memslots until the user picks one
  ranges: [], populated: [],
  alerts: [],
  at: null,        // null: now
  selectedAlert: null,
};

// ---- API

async function api(path, params) {
  const q = new URLSearchParams(params || {}).toString();
  const r = await fetch("/api/" + path + (q ? "?" + q : ""), { headers: token ? { Authorization: "Bearer " + token } : {} });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.status);
  return body;
}

const hex = (n) => "0x" + n.toString(16);
const big = (s) => BigInt(s);
const seconds = (ns) => (ns / 1e9).toFixed(6);

// ---- VM list

function showVms(vms) {
  const body = $("vms").tBodies[0];
  body.replaceChildren(...vms.map((v) => {
    const tr = document.createElement("tr");
    tr.dataset.vm = v.id;
    tr.className = v.id === view.vm ? "selected" : "";
    for (const text of [v.id, v.attached ? `${v.type} (attached)` : v.type, String(v.alerts)]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    tr.onclick = () => select(v.id);
    return tr;
  }));
  $("vms-empty").hidden = vms.length > 0;
  if (!view.vm && vms.length > 0) select(vms[0].id).catch(report);
}

async function select(vm) {
  view.vm = vm;
  view.selectedAlert = null;
  document.querySelectorAll("#vms tbody tr").forEach((tr) => tr.classList.toggle("selected", tr.dataset.vm === vm));
  $("vm").hidden = false;
  await refreshVm(true);
}

// ---- one VM

async function refreshVm(whole) {
  const vm = view.vm;
  const [summary, slots, alerts] = await Promise.all([
    api("vm", { vm }), api("vm/memslots", { vm }), api("vm/alerts", { vm }),
  ]);
  if (vm !== view.vm) return;
  view.summary = summary;
  view.memslots = slots.memslots;
  view.alerts = alerts.alerts;
  $("vm-title").textContent = vm;
  const started = summary.guestStarted ? "guest running" : "set-up";
  const attached = summary.attached ? " · attached mid-stream: created before the capture, type and earlier set-up unknown" : "";
  $("vm-summary").textContent = `${summary.type} on ${summary.host} · ${started}${attached}${summary.destroyed ? " · destroyed" : ""}`
    + ` · ${slots.memslots.length} memslot(s), ${slots.gmem.length} guest_memfd file(s)`
    + ` · events ${seconds(summary.firstTsNs)}–${seconds(summary.lastTsNs)} s`;
  showMemslots(slots);
  showAlerts(alerts);
  setupSlider();
  // A VM first seen before its memslots would otherwise keep the default window after they arrive.
  if (whole || view.fitGuest) await zoomAll(); else await loadMap();
}

function guestExtent() {
  const slots = view.memslots.filter((m) => m.addressSpace === 0 && m.pages > 0);
  if (slots.length === 0) return [0n, 0xfffffn];
  let lo = big(slots[0].firstGfn), hi = big(slots[0].lastGfn);
  for (const m of slots) {
    if (big(m.firstGfn) < lo) lo = big(m.firstGfn);
    if (big(m.lastGfn) > hi) hi = big(m.lastGfn);
  }
  return [lo, hi];
}

function zoomAll() {
  view.fitGuest = true;
  const [first, last] = guestExtent();
  return setWindow(first, last);
}

/** Shows GFNs [first, last]; the inputs change only here, so a live refresh never undoes typing. */
function setWindow(first, last) {
  view.first = first;
  view.last = last;
  $("first").value = hex(first);
  $("last").value = hex(last);
  return loadMap();
}

/** A window the user chose (typed, zoomed, an alert's pages): live updates keep it. */
function zoomTo(first, last) {
  view.fitGuest = false;
  if (last - first + 1n < MIN_PAGES) {
    const mid = (first + last) / 2n;
    first = mid >= MIN_PAGES / 2n ? mid - MIN_PAGES / 2n : 0n;
    last = first + MIN_PAGES - 1n;
  }
  return setWindow(first, last);
}

/** Zooms by factor num/den around GFN g. */
function zoomAround(g, num, den) {
  const span = view.last - view.first + 1n;
  let newSpan = span * num / den;
  if (newSpan < MIN_PAGES) newSpan = MIN_PAGES;
  const offset = (g - view.first) * newSpan / span;
  let first = g > offset ? g - offset : 0n;
  zoomTo(first, first + newSpan - 1n).catch(report);
}

let mapRequests = 0;

async function loadMap() {
  const mine = ++mapRequests;
  const params = { vm: view.vm, first: hex(view.first), last: hex(view.last) };
  if (view.at !== null) params.at = String(view.at);
  const r = await api("vm/ranges", params);
  if (mine !== mapRequests) return; // a newer window or time was asked for meanwhile
  view.ranges = (r.ranges || []).map((x) => ({ first: big(x.first), last: big(x.last), attributes: big(String(x.attributes)) }));
  view.populated = (r.populated || []).map((x) => ({ first: big(x.first), last: big(x.last) }));
  $("map-note").textContent = r.ranges === null ? "that time is before the kept history"
    : r.truncated ? "more than 10 000 ranges: zoom in to see them all" : "";
  showRanges();
  drawMap();
}

function showRanges() {
  const body = $("ranges").tBodies[0];
  body.replaceChildren(...view.ranges.slice(0, 500).map((x) => {
    const tr = document.createElement("tr");
    const priv = (x.attributes & ATTR_PRIVATE) !== 0n;
    for (const text of [hex(x.first), hex(x.last), String(x.last - x.first + 1n), hex(x.attributes), priv ? "private" : ""]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
  $("range-count").textContent = String(view.ranges.length);
}

// ---- memory map

/** Pixel columns [x0, x1) that GFNs [a, b] cover on a canvas of width w; at least one pixel. */
function columns(a, b, w) {
  const span = Number(view.last - view.first + 1n);
  const lo = a < view.first ? view.first : a;
  const hi = b > view.last ? view.last : b;
  if (hi < lo) return null;
  const x0 = Math.floor(Number(lo - view.first) / span * w);
  const x1 = Math.max(x0 + 1, Math.ceil(Number(hi - view.first + 1n) / span * w));
  return [x0, x1];
}

function drawMap() {
  const c = $("map");
  const g = c.getContext("2d");
  const w = c.width, top = 22, bar = 56, strip = top + bar + 3, stripH = 8;
  g.clearRect(0, 0, w, c.height);
  g.fillStyle = COLOURS.unbacked;
  g.fillRect(0, top, w, bar);
  g.fillStyle = "#eeeeee";
  g.fillRect(0, strip, w, stripH);
  // Memslots (address space 0): shared unless an attribute says private.
  g.fillStyle = COLOURS.shared;
  for (const m of view.memslots) {
    if (m.addressSpace !== 0 || m.pages === 0) continue;
    const x = columns(big(m.firstGfn), big(m.lastGfn), w);
    if (x) g.fillRect(x[0], top, x[1] - x[0], bar);
  }
  g.fillStyle = COLOURS.private;
  const priv = view.ranges.filter((r) => (r.attributes & ATTR_PRIVATE) !== 0n);
  for (const r of priv) {
    const x = columns(r.first, r.last, w);
    if (x) g.fillRect(x[0], top, x[1] - x[0], bar);
  }
  // Shared holes between private ranges get at least a pixel too, so zoomed out they do not vanish.
  g.fillStyle = COLOURS.shared;
  for (let i = 1; i < priv.length; i++) {
    if (priv[i].first <= priv[i - 1].last + 1n) continue;
    const x = columns(priv[i - 1].last + 1n, priv[i].first - 1n, w);
    if (x) g.fillRect(x[0], top, x[1] - x[0], bar);
  }
  // Below the bar, a strip: which pages have their backing populated.
  g.fillStyle = COLOURS.populated;
  for (const p of view.populated) {
    const x = columns(p.first, p.last, w);
    if (x) g.fillRect(x[0], strip, x[1] - x[0], stripH);
  }
  // Page grid once single pages are wide enough to see.
  const span = Number(view.last - view.first + 1n);
  if (span <= 256) {
    g.strokeStyle = "rgba(255,255,255,0.6)";
    for (let i = 1; i < span; i++) {
      const x = Math.round(i / span * w) + 0.5;
      g.beginPath(); g.moveTo(x, top); g.lineTo(x, top + bar); g.stroke();
    }
  }
  // Memslot boundaries with their slot numbers.
  g.strokeStyle = "#1d1d1f";
  g.fillStyle = "#1d1d1f";
  g.font = "11px ui-monospace, monospace";
  for (const m of view.memslots) {
    if (m.addressSpace !== 0 || m.pages === 0) continue;
    for (const [edge, label] of [[big(m.firstGfn), `slot ${m.slot}${m.gmemFd !== null ? " (gmem)" : ""}`], [big(m.lastGfn) + 1n, null]]) {
      if (edge < view.first || edge > view.last + 1n) continue;
      const x = Math.round(Number(edge - view.first) / span * w) + 0.5;
      g.beginPath(); g.moveTo(x, top - 4); g.lineTo(x, strip + stripH + 2); g.stroke();
      if (label) g.fillText(label, Math.min(x + 3, w - 90), strip + stripH + 14);
    }
  }
  // Alerts with a GFN range: a red mark above the bar.
  for (const a of view.alerts) {
    if (!a.gfn_start) continue;
    const x = columns(big(a.gfn_start), big(a.gfn_end), w);
    if (!x) continue;
    g.fillStyle = COLOURS.alert;
    g.fillRect(x[0], 4, Math.max(3, x[1] - x[0]), 12);
    if (a.alert_id === view.selectedAlert) {
      g.strokeStyle = COLOURS.alert;
      g.strokeRect(x[0] - 1.5, top - 1.5, Math.max(3, x[1] - x[0]) + 3, bar + 3);
    }
  }
  c.dataset.first = hex(view.first);
  c.dataset.last = hex(view.last);
}

/** The GFN under canvas x (CSS pixels). */
function gfnAt(canvas, clientX) {
  const rect = canvas.getBoundingClientRect();
  const frac = Math.min(Math.max((clientX - rect.left) / rect.width, 0), 0.999999);
  return view.first + BigInt(Math.floor(frac * Number(view.last - view.first + 1n)));
}

function describe(g) {
  const r = view.ranges.find((x) => x.first <= g && g <= x.last);
  const slot = view.memslots.find((m) => m.addressSpace === 0 && big(m.firstGfn) <= g && g <= big(m.lastGfn));
  const pop = view.populated.some((p) => p.first <= g && g <= p.last);
  const kind = !slot ? "unbacked" : r && (r.attributes & ATTR_PRIVATE) !== 0n ? "private" : "shared";
  return `GFN ${hex(g)}: ${kind}${slot ? ` · slot ${slot.slot}` : ""}${pop ? " · populated" : ""}`
    + `${r ? ` · attributes ${hex(r.attributes)}` : ""}`;
}

// ---- memslots and alerts

function showMemslots(slots) {
  const body = $("memslots").tBodies[0];
  body.replaceChildren(...slots.memslots.map((m) => {
    const tr = document.createElement("tr");
    const gmem = m.gmemFd === null ? "" : `fd ${m.gmemFd}${m.gmemInode ? " / inode " + m.gmemInode : ""}`;
    for (const text of [`${m.addressSpace}:${m.slot}`, `${m.firstGfn}–${m.lastGfn}`, String(m.pages), m.flags, gmem, m.gmemFirstPage || ""]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
}

function showAlerts(answer) {
  const per = Object.entries(answer.perRule).map(([r, n]) => `${r}: ${n}`).join(" · ");
  $("alert-counts").textContent = answer.total === 0 ? "none" : `${answer.total} · ${per}`;
  $("alerts").replaceChildren(...answer.alerts.map((a) => {
    const li = document.createElement("li");
    li.dataset.rule = a.rule;
    li.className = a.alert_id === view.selectedAlert ? "selected" : "";
    const head = document.createElement("div");
    head.innerHTML = `<span class="rule"></span> <span class="meta"></span>`;
    head.children[0].textContent = a.rule;
    head.children[1].textContent = `${a.priority} · ${seconds(a.first_ts)} s`
      + (a.gfn_start ? ` · GFN ${a.gfn_start}–${a.gfn_end}` : "") + (a.count > 1 ? ` · ×${a.count}` : "");
    const msg = document.createElement("div");
    msg.textContent = a.message;
    const ev = document.createElement("table");
    ev.className = "mono";
    for (const e of a.evidence_detail) {
      const tr = ev.insertRow();
      for (const text of [`#${e.seq}`, seconds(e.ts), e.type, e.summary]) tr.insertCell().textContent = text;
    }
    li.append(head, msg, ev);
    li.onclick = () => focusAlert(a);
    return li;
  }));
  drawTimeline();
}

/** Shows an alert's pages as they were when it fired. */
function focusAlert(a) {
  view.selectedAlert = a.alert_id;
  document.querySelectorAll("#alerts li").forEach((li, i) => li.classList.toggle("selected", view.alerts[i].alert_id === a.alert_id));
  setAt(a.last_ts);
  if (a.gfn_start) {
    const lo = big(a.gfn_start), hi = big(a.gfn_end);
    const pad = (hi - lo + 1n) * 4n;
    zoomTo(lo > pad ? lo - pad : 0n, hi + pad).catch(report);
  } else {
    loadMap().catch(report);
  }
}

function drawTimeline() {
  const c = $("timeline");
  const g = c.getContext("2d");
  const w = c.width, h = c.height;
  g.clearRect(0, 0, w, h);
  const s = view.summary;
  if (!s) return;
  const t0 = s.firstTsNs, t1 = Math.max(s.lastTsNs, t0 + 1);
  const xOf = (t) => Math.round((t - t0) / (t1 - t0) * (w - 10)) + 5;
  g.strokeStyle = "#bbb";
  g.beginPath(); g.moveTo(0, h / 2 + 0.5); g.lineTo(w, h / 2 + 0.5); g.stroke();
  g.fillStyle = COLOURS.alert;
  for (const a of view.alerts) {
    const x = xOf(a.first_ts);
    g.beginPath(); g.moveTo(x, 8); g.lineTo(x + 6, h / 2); g.lineTo(x, h - 8); g.lineTo(x - 6, h / 2); g.fill();
  }
  if (view.at !== null) {
    g.strokeStyle = COLOURS.private;
    const x = xOf(view.at) + 0.5;
    g.beginPath(); g.moveTo(x, 0); g.lineTo(x, h); g.stroke();
  }
  g.fillStyle = "#6b6b70";
  g.font = "11px ui-monospace, monospace";
  g.fillText(seconds(t0) + " s", 4, h - 2);
  const end = seconds(t1) + " s";
  g.fillText(end, w - g.measureText(end).width - 4, h - 2);
}

// ---- time

function setupSlider() {
  const s = view.summary, slider = $("slider");
  slider.min = String(s.firstTsNs);
  slider.max = String(Math.max(s.lastTsNs, s.firstTsNs + 1));
  slider.step = "1000";
  if (view.at === null) slider.value = slider.max;
}

function setAt(ns) {
  view.at = ns;
  $("now").checked = ns === null;
  $("at").textContent = ns === null ? "now" : seconds(ns) + " s";
  if (ns !== null) $("slider").value = String(ns);
  drawTimeline();
}

// ---- live updates

let lastVms = "";

function connect() {
  const es = new EventSource("/api/updates" + (token ? "?access_token=" + encodeURIComponent(token) : ""));
  es.addEventListener("vms", (e) => {
    $("live").textContent = "live";
    $("live").classList.remove("off");
    const vms = JSON.parse(e.data);
    const before = lastVms;
    lastVms = e.data;
    showVms(vms);
    // Re-read the shown VM when it changed and the view follows the present.
    const mine = vms.find((v) => v.id === view.vm);
    const old = before && JSON.parse(before).find((v) => v.id === view.vm);
    if (mine && view.at === null && JSON.stringify(mine) !== JSON.stringify(old)) refreshVm(false).catch(report);
  });
  es.addEventListener("unavailable", (e) => {
    $("live").textContent = "unavailable: " + e.data;
    $("live").classList.add("off");
  });
  es.onerror = () => {
    $("live").textContent = "reconnecting…";
    $("live").classList.add("off");
  };
}

function report(e) {
  $("map-note").textContent = String(e.message || e);
}

// ---- wiring

// Typing a window stops it following the guest, so a live refresh never overwrites the typing.
for (const id of ["first", "last"]) $(id).addEventListener("input", () => { view.fitGuest = false; });
$("zoom-all").onclick = () => zoomAll().catch(report);
$("zoom-in").onclick = () => zoomAround((view.first + view.last) / 2n, 1n, 4n);
$("zoom-out").onclick = () => zoomAround((view.first + view.last) / 2n, 4n, 1n);
$("go").onclick = () => {
  try {
    const a = BigInt($("first").value.trim()), b = BigInt($("last").value.trim());
    if (a > b) throw new Error("first is after last");
    zoomTo(a, b).catch(report);
  } catch (e) {
    report(e);
  }
};
$("map").addEventListener("wheel", (e) => {
  e.preventDefault();
  zoomAround(gfnAt($("map"), e.clientX), e.deltaY < 0 ? 1n : 2n, e.deltaY < 0 ? 2n : 1n);
}, { passive: false });
$("map").addEventListener("mousemove", (e) => { $("hover").textContent = describe(gfnAt($("map"), e.clientX)); });
$("map").addEventListener("click", (e) => zoomAround(gfnAt($("map"), e.clientX), 1n, 8n));
$("slider").addEventListener("input", () => setAt(Number($("slider").value)));
$("slider").addEventListener("change", () => loadMap().catch(report));
$("now").addEventListener("change", () => {
  if ($("now").checked) {
    setAt(null);
    refreshVm(false).catch(report);
  } else {
    setAt(Number($("slider").value));
    loadMap().catch(report);
  }
});

api("vms").then(showVms).catch(report);
connect();
