// chromatic studio: the song page and the phase page. Plain JavaScript, no build step.
"use strict";

const params = new URLSearchParams(location.search);
if (params.get("token")) sessionStorage.setItem("studio-token", params.get("token"));
const TOKEN = sessionStorage.getItem("studio-token") || "";
const $ = (sel, root = document) => root.querySelector(sel);
const main = $("#main");
const state = { phase: null, sel: 0, song: null, pending: null, explain: false };

function esc(v) {
  return String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
const enc = encodeURIComponent;
function say(text) { $("#status").textContent = text; }

function banner(html, info = false) {
  const b = $("#banner");
  b.hidden = !html;
  b.className = info ? "info" : "";
  b.innerHTML = html || "";
}

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Studio-Token": TOKEN },
    body: JSON.stringify(body),
  };
  const resp = await fetch(path, opts);
  let data = {};
  try { data = await resp.json(); } catch (e) { data = { error: resp.statusText }; }
  data._status = resp.status;
  return data;
}

function errorText(d) {
  return [d.path, d.field, d.error].filter(Boolean).join(": ");
}

// --- piano roll (canvas, from JSON notes) ---------------------------------------------------

const COLORS = ["#4a7dff", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#1098ad", "#c2255c"];

function drawRoll(canvas, roll) {
  const w = (canvas.width = canvas.clientWidth * devicePixelRatio);
  const h = (canvas.height = canvas.clientHeight * devicePixelRatio);
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, w, h);
  const notes = roll.tracks.flatMap((t, i) => t.notes.map((n) => [n, i, t]));
  if (!notes.length) return;
  let lo = 127, hi = 0;
  for (const [n] of notes) { lo = Math.min(lo, n[2]); hi = Math.max(hi, n[2]); }
  const span = Math.max(hi - lo + 1, 12), secs = Math.max(roll.seconds, 0.1);
  const rowH = h / span;
  for (const [n, i, t] of notes) {
    ctx.globalAlpha = t.candidate === false ? 0.35 : 0.9;
    ctx.fillStyle = COLORS[i % COLORS.length];
    const x = (n[0] / secs) * w, len = Math.max((n[1] / secs) * w, 2);
    ctx.fillRect(x, h - (n[2] - lo + 1) * rowH, len, Math.max(rowH - 1, 1));
  }
  ctx.globalAlpha = 1;
  ctx.fillStyle = "#333";
  ctx.font = `${11 * devicePixelRatio}px sans-serif`;
  for (const m of roll.markers || []) {
    const x = (m.time / secs) * w;
    ctx.fillRect(x, 0, devicePixelRatio, h);
    ctx.fillText(m.text, x + 3, 12 * devicePixelRatio);
  }
}

function legend(roll) {
  return roll.tracks.map((t, i) => `<span style="color:${COLORS[i % COLORS.length]}">■ ${esc(t.name)}${t.candidate === false ? " (context)" : ""}</span>`).join(" ");
}

// --- pages -----------------------------------------------------------------------------------

async function songList() {
  const d = await api("/api/songs");
  if (d.single && d.songs.length === 1) { location.hash = `#/s/${enc(d.songs[0])}`; return; }
  main.innerHTML = `<h1>Songs</h1><ul>${d.songs.map((s) => `<li><a href="#/s/${enc(s)}">${esc(s)}</a></li>`).join("")}</ul>`;
}

function planTable(plan) {
  if (!plan) return "<p>No plan yet (run <code>chromatic plan</code>).</p>";
  if (plan.error) return `<p class="err">${esc(plan.error)}</p>`;
  const rows = plan.sections.map((s, i) => `<tr data-name="${esc(s.name)}" data-index="${i}">
    <td><button class="up" data-i="${i}" title="move up">↑</button><button class="down" data-i="${i}" title="move down">↓</button></td>
    <td>${esc(s.name)}${s.approved ? "" : " <em>(not approved)</em>"}</td><td>${s.bars}</td>
    <td><input class="repeat" type="number" min="0" max="16" value="${s.repeat}"></td>
    <td><input class="vocals" type="checkbox" ${s.vocals ? "checked" : ""}></td>
    <td>${s.intensity}</td><td><input class="notes" value="${esc(s.notes || "")}"></td></tr>`).join("");
  return `<table id="plan"><tr><th></th><th>section</th><th>bars</th><th>repeat</th><th>vocals</th><th>intensity</th><th>notes</th></tr>${rows}</table>
    <p>${plan.length.bars ?? "?"} bars, ${plan.length.seconds ?? "?"} s <button id="save-plan">Save plan</button></p>`;
}

async function songPage(song) {
  const d = await api(`/api/songs/${enc(song)}`);
  if (d.error) { main.innerHTML = `<p class="err">${esc(errorText(d))}</p>`; return; }
  state.song = d;
  $("#crumbs").innerHTML = `› <a href="#/s/${enc(song)}">${esc(song)}</a>`;
  const p = d.proposal;
  const prop = p.error ? `<p class="err">${esc(p.error)}</p>` : `<h1><span class="swatch" style="background:${esc(p.color.hex)}"></span> ${esc(p.title)}</h1>
    <p>${esc(p.key)} · ${p.bpm} bpm · ${esc(p.time_signature)} · ${esc(p.color.name)}</p><p>${esc(p.concept)}</p>`;
  const phases = d.phases.map((s) => `<tr><td><a href="#/s/${enc(song)}/${s.phase}">${s.phase}</a></td>
    <td>${s.error ? `<span class="err">${esc(s.error)}</span>` : s.review ? `${s.candidates} candidates, ${s.approved} approved, ${s.rejected} rejected` : "not generated"}</td>
    <td>${s.promoted.length ? "promoted: " + s.promoted.map(esc).join(", ") : ""}</td></tr>`).join("");
  const a = d.arrangement;
  main.innerHTML = `${prop}<h2>Plan</h2>${planTable(d.plan)}<h2>Phases</h2><table>${phases}</table>
    <h2>Arrangement</h2><p><button id="assemble">Assemble and render</button> <span class="progress"><div id="bar"></div></span> <span id="job"></span></p>
    ${a.audio ? `<audio id="song-audio" controls preload="none" src="/api/songs/${enc(song)}/arrangement/audio?t=${Date.now()}"></audio>` : "<p>No rendered arrangement yet.</p>"}
    <div class="timeline" id="timeline"></div><canvas class="roll" id="song-roll"></canvas><div id="song-legend"></div>`;
  $("#assemble").onclick = () => runJob(`/api/songs/${enc(song)}/assemble`, {}, () => songPage(song));
  wirePlan(song, d.plan);
  if (a.midi) {
    const roll = await api(`/api/songs/${enc(song)}/arrangement/roll`);
    if (!roll.error) {
      drawRoll($("#song-roll"), roll);
      $("#song-legend").innerHTML = legend(roll);
      $("#timeline").innerHTML = (roll.markers || []).map((m) => `<span style="left:${(100 * m.time) / Math.max(roll.seconds, 0.1)}%" data-t="${m.time}">${esc(m.text)}</span>`).join("");
      for (const span of document.querySelectorAll("#timeline span")) {
        span.onclick = () => { const el = $("#song-audio"); if (el) { el.currentTime = +span.dataset.t; el.play().catch(() => {}); } };
      }
    }
  }
}

function wirePlan(song, plan) {
  const table = $("#plan");
  if (!table) return;
  const move = (i, by) => {
    const rows = [...table.querySelectorAll("tr[data-name]")];
    const j = i + by;
    if (j < 0 || j >= rows.length) return;
    if (by < 0) rows[j].before(rows[i]); else rows[j].after(rows[i]);
    rows.forEach((r, k) => r.querySelectorAll("button").forEach((b) => (b.dataset.i = k)));
    [...table.querySelectorAll("tr[data-name]")].forEach((r, k) => r.querySelectorAll("button").forEach((b) => (b.dataset.i = k)));
  };
  table.onclick = (ev) => {
    const b = ev.target.closest("button");
    if (b) move(+b.dataset.i, b.classList.contains("up") ? -1 : 1);
  };
  $("#save-plan").onclick = async () => {
    const sections = [...table.querySelectorAll("tr[data-name]")].map((r) => ({
      index: +r.dataset.index, repeat: +$(".repeat", r).value, vocals: $(".vocals", r).checked, notes: $(".notes", r).value || null,
    }));
    const d = await api(`/api/songs/${enc(song)}/plan`, { version: plan.version, sections });
    if (d._status === 200) { banner("Plan saved.", true); songPage(song); }
    else if (d.conflict) banner(`Plan not saved: ${esc(d.error)} <button onclick="location.reload()">Reload</button>`);
    else banner(`Plan not saved: ${esc(errorText(d))}`);
  };
}

async function runJob(path, body, done) {
  const d = await api(path, body);
  if (d.error) { banner(esc(errorText(d))); return; }
  const tick = async () => {
    const j = await api(`/api/jobs/${d.id}`);
    const bar = $("#bar");
    if (bar) bar.style.width = `${Math.round(100 * j.progress)}%`;
    const label = $("#job");
    if (label) label.textContent = `${j.state}: ${j.steps[Math.min(j.step, j.steps.length - 1)]} (${j.elapsed_s} s)`;
    if (j.state === "running") setTimeout(tick, 400);
    else if (j.state === "failed") banner(`${esc(j.kind)} failed: ${esc(j.error)}`);
    else { banner(`${esc(j.kind)} done: ${esc(JSON.stringify(j.result))}`, true); done(); }
  };
  tick();
}

// --- the phase page ---------------------------------------------------------------------------

function scoreCells(c) {
  const t = c.scores.theory, ch = c.scores.chromatic;
  const parts = Object.entries(t).filter(([k]) => k !== "total").map(([k, v]) => `${esc(k)} ${(+v).toFixed(2)}`).join(", ");
  const num = (v, d = 2) => (v === null || v === undefined ? "–" : (+v).toFixed(d));
  const chrom = ch ? ` · chromatic match ${num(ch.match, 3)} term ${num(ch.term)} weight ${num(ch.weight)} · T ${ch.temporal.map((v) => v.toFixed(2)).join("/")} S ${ch.spatial.map((v) => v.toFixed(2)).join("/")} O ${ch.ontological.map((v) => v.toFixed(2)).join("/")}${ch.confidence === null || ch.confidence === undefined ? " · no calibrated confidence" : ` conf ${num(ch.confidence)}`}` : "";
  return parts + chrom;
}

function summary(c) {
  const d = c.details;
  return esc((d.chords || d.progression || [d.template, d.contour, d.pattern].filter(Boolean)).join(" "));
}

function sectionPicker(d) {
  const names = [...new Set(d.candidates.map((c) => c.section).filter(Boolean))];
  if (!names.length) return "";
  return `<select id="regen-section"><option value="">all sections</option>${names.map((n) => `<option>${esc(n)}</option>`).join("")}</select>`;
}

async function phasePage(song, phase, keepSel = false) {
  const d = await api(`/api/songs/${enc(song)}/phases/${enc(phase)}`);
  $("#crumbs").innerHTML = `› <a href="#/s/${enc(song)}">${esc(song)}</a> › ${esc(phase)}`;
  if (d.error) { state.phase = null; main.innerHTML = `<p class="err">${esc(errorText(d))}</p>`; return; }
  const prev = state.phase && state.phase.phase === phase && keepSel ? state.phase.candidates[state.sel]?.id : null;
  state.phase = d;
  state.sel = Math.max(0, prev ? d.candidates.findIndex((c) => c.id === prev) : 0);
  const rows = d.candidates.map((c, i) => `<tr class="cand" data-i="${i}" data-id="${esc(c.id)}">
    <td>${c.section ? esc(c.section) + " " : ""}#${c.rank}</td><td>${esc(c.id)}</td><td class="${c.status}">${c.status}</td>
    <td>${esc(c.label || "")}</td><td>${c.scores.composite.toFixed(3)}</td><td>${summary(c)}</td></tr>`).join("");
  main.innerHTML = `<div class="phase-grid"><div>
    <p><button id="promote">Promote approved</button> <label>seed <input id="seed" type="number" min="0" style="width:8em"></label>
    ${sectionPicker(d)} <button id="regen">Regenerate (keeps touched)</button> <span class="progress"><div id="bar"></div></span> <span id="job"></span></p>
    <p>Promoted: ${d.promoted.map(esc).join(", ") || "none"}</p>
    <table id="cands"><tr><th>rank</th><th>id</th><th>status</th><th>label</th><th>score</th><th>summary</th></tr>${rows}</table></div>
    <div class="detail" id="detail"></div></div>`;
  $("#cands").onclick = (ev) => { const r = ev.target.closest("tr.cand"); if (r) select(+r.dataset.i); };
  $("#promote").onclick = promote;
  $("#regen").onclick = () => {
    const body = {};
    if ($("#seed").value !== "") body.seed = +$("#seed").value;
    const pick = $("#regen-section");
    if (pick && pick.value) body.section = pick.value;
    runJob(`/api/songs/${enc(song)}/phases/${enc(phase)}/regenerate`, body, () => phasePage(song, phase, true));
  };
  if (d.candidates.length) select(state.sel);
}

async function select(i) {
  const d = state.phase;
  if (!d || !d.candidates.length) return;
  state.sel = Math.max(0, Math.min(i, d.candidates.length - 1));
  document.querySelectorAll("tr.cand").forEach((r) => r.classList.toggle("selected", +r.dataset.i === state.sel));
  const row = $(`tr.cand[data-i="${state.sel}"]`);
  if (row) row.scrollIntoView({ block: "nearest" });
  const c = d.candidates[state.sel];
  const details = Object.entries(c.details).filter(([, v]) => typeof v !== "object" || Array.isArray(v))
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(Array.isArray(v) ? v.map((x) => (Array.isArray(x) ? `[${x}]` : x)).join(" ") : v)}</dd>`).join("");
  $("#detail").innerHTML = `<h2>${esc(c.id)} <small class="${c.status}">${c.status}</small></h2>
    <p><label>label <input id="label" value="${esc(c.label || "")}" placeholder="${esc(c.section || "e.g. verse")}"></label>
    <button id="approve">Approve (a)</button> <button id="reject">Reject (r)</button> <button id="play">Play (space)</button></p>
    <audio id="player" controls preload="none"></audio> <span id="audio-state"></span>
    <canvas class="roll" id="roll"></canvas><div id="legend"></div>
    <p><b>composite ${c.scores.composite.toFixed(3)}</b> · ${scoreCells(c)}</p><dl>${details}</dl>
    ${state.explain ? `<details id="why"><summary>Why this chromatic score</summary><img id="why-img" alt="occlusion of bars and pitches"></details>` : ""}`;
  if (state.explain) {
    $("#why").ontoggle = () => {
      const img = $("#why-img");
      if ($("#why").open && !img.src) img.src = `/api/songs/${enc(d.song)}/phases/${enc(d.phase)}/candidates/${enc(c.id)}/explain.png`;
    };
  }
  $("#approve").onclick = () => decide({ status: "approved" });
  $("#reject").onclick = () => decide({ status: "rejected" });
  $("#play").onclick = play;
  $("#label").onkeydown = (ev) => { if (ev.key === "Enter") { ev.preventDefault(); decide({ label: ev.target.value }); ev.target.blur(); } };
  prefetch(d, c);
  const roll = await api(`/api/songs/${enc(d.song)}/phases/${enc(d.phase)}/candidates/${enc(c.id)}/roll`);
  if (state.phase === d && d.candidates[state.sel] === c) {
    if (roll.error) $("#legend").innerHTML = `<span class="err">${esc(roll.error)}</span>`;
    else { drawRoll($("#roll"), roll); $("#legend").innerHTML = legend(roll); }
  }
}

function previewUrl(d, c) {
  return `/api/songs/${enc(d.song)}/phases/${enc(d.phase)}/candidates/${enc(c.id)}/preview.wav`;
}

// Render the selected candidate's preview while the artist looks at it (the server caches it),
// so pressing space plays at once; a quick j-j-j only renders where the cursor rests.
let prefetchTimer = null;
function prefetch(d, c) {
  clearTimeout(prefetchTimer);
  prefetchTimer = setTimeout(() => {
    if (state.phase === d && d.candidates[state.sel] === c) fetch(previewUrl(d, c), { method: "HEAD" }).catch(() => {});
  }, 250);
}

function play() {
  const d = state.phase, c = d && d.candidates[state.sel];
  const el = $("#player");
  if (!c || !el) return;
  if (!el.paused) { el.pause(); return; }
  const src = previewUrl(d, c);
  if (!el.src.endsWith(src)) {
    $("#audio-state").textContent = "rendering…";
    el.src = src;
  }
  const started = performance.now();
  el.onplaying = () => { $("#audio-state").textContent = `playing (${Math.round(performance.now() - started)} ms to start)`; };
  el.onerror = () => { $("#audio-state").textContent = "could not render the preview"; };
  el.play().catch((e) => { $("#audio-state").textContent = `not playing: ${e.name}`; });
}

function seen() {
  const out = {};
  for (const c of state.phase.candidates) out[c.id] = { status: c.status, label: c.label, notes: c.notes };
  return out;
}

// Decisions go out one at a time, each over the version the previous one returned, so fast
// key presses never refuse each other.
let queue = Promise.resolve();
function decide(change) {
  const d = state.phase, c = d && d.candidates[state.sel];
  if (!c) return queue;
  const labelBox = $("#label");
  if (change.status === "approved" && labelBox && labelBox.value.trim() && labelBox.value.trim() !== (c.label || "")) change = { ...change, label: labelBox.value };
  queue = queue.then(() => decideNow(d, c, change)).catch((e) => banner(`Not saved: ${esc(e)}`));
  return queue;
}

async function decideNow(d, c, change) {
  if (state.phase !== d) return;
  const body = { id: c.id, version: d.version, seen: seen(), ...change };
  const r = await api(`/api/songs/${enc(d.song)}/phases/${enc(d.phase)}/decide`, body);
  if (r._status === 200) {
    d.version = r.version;
    Object.assign(c, r.candidate);
    const i = d.candidates.indexOf(c);
    const row = $(`tr.cand[data-i="${i}"]`);
    if (row) {
      row.children[2].textContent = c.status;
      row.children[2].className = c.status;
      row.children[3].textContent = c.label || "";
    }
    say(`${c.id}: ${c.status}${c.label ? " as " + c.label : ""}`);
    banner("");
    if (i === state.sel) {
      const h = $("#detail h2 small");
      if (h) { h.textContent = c.status; h.className = c.status; }
    }
  } else if (r.conflict) {
    state.pending = { id: c.id, change };
    const list = r.changes.map((x) => `<li>${esc(x.id || "")} ${esc(x.field || x.change || x.note || x.error || "")}${x.field ? `: page ${esc(x.page)} → disk ${esc(x.disk)}` : ""}</li>`).join("");
    banner(`<b>Not saved:</b> ${esc(r.error)}<ul id="changes">${list}</ul><button id="reapply">Reload and apply my change again</button> <button id="reload">Reload</button>`);
    $("#reload").onclick = () => { banner(""); phasePage(d.song, d.phase, true); };
    $("#reapply").onclick = async () => {
      banner("");
      const p = state.pending;
      await phasePage(d.song, d.phase, true);
      const again = state.phase.candidates.find((x) => x.id === p.id);
      if (again) queue = queue.then(() => decideNow(state.phase, again, p.change));
    };
  } else {
    banner(`Not saved: ${esc(errorText(r))}`);
  }
}

async function promote() {
  const d = state.phase;
  const r = await api(`/api/songs/${enc(d.song)}/phases/${enc(d.phase)}/promote`, {});
  if (r._status === 200) {
    banner(`Promoted ${r.promoted.map((p) => `${esc(p.id)} → ${esc(p.file)}`).join(", ") || "nothing (no approved candidates)"}`, true);
    phasePage(d.song, d.phase, true);
  } else banner(`Not promoted: ${esc(errorText(r))}`);
}

document.addEventListener("keydown", (ev) => {
  if (!state.phase || !$("#cands") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.target.matches("input, textarea, select")) return;
  const keys = {
    j: () => select(state.sel + 1), k: () => select(state.sel - 1), " ": play,
    a: () => decide({ status: "approved" }), r: () => decide({ status: "rejected" }),
    l: () => { const b = $("#label"); if (b) { b.focus(); b.select(); } },
  };
  const fn = keys[ev.key];
  if (fn) { ev.preventDefault(); fn(); }
});

function route() {
  banner("");
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  state.phase = parts.length === 3 ? state.phase : null;
  if (parts[0] === "s" && parts.length === 2) songPage(parts[1]);
  else if (parts[0] === "s" && parts.length === 3) phasePage(parts[1], parts[2]);
  else songList();
}
window.addEventListener("hashchange", route);
api("/api/songs").then((d) => { state.explain = !!d.explain; }).finally(route);
