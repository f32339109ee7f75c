// chromatic studio: the song page and the phase page. Plain JavaScript, no build step.
"use strict";

const params = new URLSearchParams(location.search);
if (params.get("token")) sessionStorage.setItem("studio-token", params.get("token"));
const TOKEN = sessionStorage.getItem("studio-token") || "";
const $ = (sel, root = document) => root.querySelector(sel);
const main = $("#main");
const state = { phase: null, sel: 0, song: null, pending: null, explain: false, gm: null, page: null };

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

function fmtSeconds(s) {
  s = Math.round(+s || 0);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// --- MIDI files: download links that can also be dragged onto a DAW or the desktop -----------

function fileName(...parts) {
  const stem = parts.filter(Boolean).join("-").replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+|[._]+$/g, "");
  return (stem || "chromatic").slice(0, 120) + ".mid";
}

function midiLink(url, name, text) {
  return `<a class="midi" href="${esc(url)}" download="${esc(name)}" draggable="true" title="download ${esc(name)}, or drag it onto a DAW track or the desktop">⬇ ${esc(text)}</a>`;
}

// Chromium's drag-out of a file: the DownloadURL item ("type:name:absolute URL").
document.addEventListener("dragstart", (ev) => {
  const a = ev.target.closest && ev.target.closest("a.midi");
  if (!a || !ev.dataTransfer) return;
  const url = new URL(a.getAttribute("href"), location.href).href;
  ev.dataTransfer.setData("DownloadURL", `audio/midi:${a.getAttribute("download")}:${url}`);
  ev.dataTransfer.setData("text/uri-list", url);
  ev.dataTransfer.effectAllowed = "copy";
});

function programName(n) {
  return state.gm && Number.isInteger(+n) ? `${state.gm.programs[+n]} (${n})` : String(n);
}

// --- long jobs: progress, then one human sentence --------------------------------------------

function jobMessage(j, what) {
  const r = j.result || {};
  if (j.state === "failed") return `${what} failed: ${j.error}`;
  if (j.kind === "assemble") return `Assembled ${r.midi} and rendered ${r.audio} (${fmtSeconds(r.seconds)}) in ${Math.round(j.elapsed_s)} s.`;
  if (j.kind === "regenerate") return `${what}: ${r.summary}${r.section ? ` for ${r.section}` : ""} (seed ${r.seed}, ${Math.round(j.elapsed_s)} s).`;
  return `${what} done in ${Math.round(j.elapsed_s)} s.`;
}

async function runJob(path, body, what, done) {
  const d = await api(path, body);
  if (d._status !== 200) { banner(esc(`${what} could not start: ${errorText(d)}`)); return; }
  say(`${what}…`);
  const tick = async () => {
    const j = await api(`/api/jobs/${d.id}`);
    const bar = $("#bar"), label = $("#job");
    if (bar) bar.style.width = `${Math.round(100 * j.progress)}%`;
    if (label) label.textContent = j.state === "running" ? `${j.steps[Math.min(j.step, j.steps.length - 1)]} (${Math.round(j.elapsed_s)} s)` : "";
    if (j.state === "running") { setTimeout(tick, 400); return; }
    say("");
    banner(esc(jobMessage(j, what)), j.state === "done");
    if (j.state === "done") done();
  };
  tick();
}

// --- the song list and the song page ----------------------------------------------------------

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
    <p>${plan.length.bars ?? "?"} bars, ${fmtSeconds(plan.length.seconds)} <button id="save-plan">Save plan</button></p>`;
}

function phaseRow(song, s) {
  const base = `/api/songs/${enc(song)}/phases/${enc(s.phase)}`;
  const st = s.error ? `<span class="err">${esc(s.error)}</span>`
    : s.review ? `${s.candidates} candidates, ${s.approved} approved, ${s.rejected} rejected`
    : `not generated <a class="button" href="#/s/${enc(song)}/${s.phase}">Generate…</a>`;
  const loops = s.promoted.map((f) => midiLink(`${base}/approved/${enc(f)}`, fileName(song, s.phase, f.replace(/\.mid$/, "")), f.replace(/\.mid$/, ""))).join(" ");
  return `<tr><td><a href="#/s/${enc(song)}/${s.phase}">${s.phase}</a></td><td>${st}</td><td>${loops}</td></tr>`;
}

async function songPage(song) {
  const d = await api(`/api/songs/${enc(song)}`);
  if (d.error) { main.innerHTML = `<p class="err">${esc(errorText(d))}</p>`; return; }
  state.song = d;
  $("#crumbs").innerHTML = `› <a href="#/s/${enc(song)}">${esc(song)}</a>`;
  const p = d.proposal;
  const prop = p.error ? `<p class="err">${esc(p.error)}</p>` : `<h1><span class="swatch" style="background:${esc(p.color.hex)}"></span> ${esc(p.title)}</h1>
    <p>${esc(p.key)} · ${p.bpm} bpm · ${esc(p.time_signature)} · ${esc(p.color.name)}${p.singer ? ` · sung by ${esc(p.singer)}` : ""}</p><p>${esc(p.concept)}</p>`;
  const a = d.arrangement;
  const base = `/api/songs/${enc(song)}`;
  main.innerHTML = `${prop}<h2>Plan</h2>${planTable(d.plan)}<h2>Phases</h2>
    <table id="phases"><tr><th>phase</th><th>candidates</th><th>approved loops (MIDI)</th></tr>${d.phases.map((s) => phaseRow(song, s)).join("")}</table>
    <h2>Arrangement</h2><p><button id="assemble">Assemble and render</button> <span class="progress"><div id="bar"></div></span> <span id="job"></span></p>
    ${a.midi ? `<p id="downloads">${midiLink(`${base}/download/arrangement.mid`, fileName(song, "arrangement"), "arrangement.mid")} <span id="track-links"></span></p>` : ""}
    ${a.audio ? `<audio id="song-audio" controls preload="none" src="${base}/arrangement/audio?t=${Date.now()}"></audio>` : "<p>No rendered arrangement yet.</p>"}
    <div class="roll" id="song-roll"></div><div id="song-legend" class="legend"></div>`;
  $("#assemble").onclick = () => runJob(`${base}/assemble`, {}, "Assemble and render", () => songPage(song));
  wirePlan(song, d.plan);
  if (!a.midi) return;
  const roll = await api(`${base}/arrangement/roll`);
  if (roll.error || state.song !== d) return;
  const pr = new PianoRoll($("#song-roll"), roll, 64);
  $("#song-legend").innerHTML = rollLegend(roll);
  $("#track-links").innerHTML = "one part: " + roll.tracks.map((t, i) => midiLink(`${base}/download/track/${i}`, fileName(song, t.name || t.instrument), t.name || t.instrument)).join(" ");
  const el = $("#song-audio");
  if (el) {
    pr.follow(el);
    pr.onseek = (t) => { el.currentTime = t; el.play().catch(() => {}); };
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

// --- the keyboard --------------------------------------------------------------------------------

const KEYS = {
  phase: [["j / k", "next / previous candidate"], ["space", "play / pause the selected candidate"], ["a", "approve"], ["r", "reject"],
    ["l", "edit the label"], ["d", "download the selected candidate's MIDI"], ["g", "generate (the chosen section, or all)"]],
  song: [["space", "play / pause the arrangement"], ["click the roll", "play from there"]],
};

function showKeys(page) {
  state.page = page;
  const keys = KEYS[page] || [];
  $("#keys").innerHTML = keys.length ? "Keys: " + keys.map(([k, what]) => `<kbd>${esc(k)}</kbd> ${esc(what)}`).join(" · ") : "";
}

document.addEventListener("keydown", (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.target.matches("input, textarea, select")) return;
  let fn = null;
  if (state.page === "song" && ev.key === " ") {
    const el = $("#song-audio");
    if (el) fn = () => (el.paused ? el.play().catch(() => {}) : el.pause());
  } else if (state.page === "phase") {
    fn = phaseKey(ev.key);
  }
  if (fn) { ev.preventDefault(); fn(); }
});

function route() {
  banner("");
  say("");
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  state.phase = parts.length === 3 ? state.phase : null;
  if (parts[0] === "s" && parts.length === 2) { showKeys("song"); songPage(parts[1]); }
  else if (parts[0] === "s" && parts.length === 3) { showKeys("phase"); phasePage(parts[1], parts[2]); }
  else { showKeys(null); songList(); }
}
window.addEventListener("hashchange", route);
Promise.all([api("/api/songs"), api("/api/gm")])
  .then(([d, gm]) => { state.explain = !!d.explain; state.gm = gm.error ? null : gm; })
  .finally(route);
