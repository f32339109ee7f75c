// chromatic studio: the phase page (candidates, decisions, previews, generate).
"use strict";

function scoreCells(c) {
  const t = c.scores.theory, ch = c.scores.chromatic;
  const parts = Object.entries(t).filter(([k]) => k !== "total").map(([k, v]) => `${esc(k.replace(/_/g, " "))} ${(+v).toFixed(2)}`).join(", ");
  const num = (v, d = 2) => (v === null || v === undefined ? "–" : (+v).toFixed(d));
  const conf = ch && (ch.confidence === null || ch.confidence === undefined) ? ", no calibrated confidence" : ch ? `, confidence ${num(ch.confidence)}` : "";
  const rel = ch && ch.match_relative !== null && ch.match_relative !== undefined ? `, relative ${ch.match_relative >= 0 ? "+" : ""}${(+ch.match_relative).toFixed(2)} sd` : "";
  const chrom = ch ? ` · chromatic: match ${num(ch.match, 3)}${rel}, term ${num(ch.term)}, weight ${num(ch.weight)} · time ${ch.temporal.map((v) => v.toFixed(2)).join("/")}, space ${ch.spatial.map((v) => v.toFixed(2)).join("/")}, being ${ch.ontological.map((v) => v.toFixed(2)).join("/")}${conf}` : "";
  return parts + chrom;
}

function summaryText(c) {
  const d = c.details;
  return Array.isArray(d.lines) ? d.lines.join(" / ") : (d.chords || d.progression || [d.template, d.contour, d.pattern].filter(Boolean)).join(" ");
}

function summary(c) {
  const d = c.details;
  if (Array.isArray(d.lines) && d.lines.length) return `<span class="lyric">“${esc(d.lines[0])}${d.lines.length > 1 ? " …" : ""}”</span>`;
  return esc((d.chords || d.progression || [d.template, d.contour, d.pattern].filter(Boolean)).join(" "));
}

// Keys whose signature has flats: their notes are named with flats (B♭, not A♯).
function flatKey(key) {
  const [tonic, mode] = key.split(" ");
  const flatMajor = ["F", "Bb", "Eb", "Ab", "Db", "Gb", "Cb"], flatMinor = ["D", "G", "C", "F", "Bb", "Eb", "Ab"];
  return (mode === "minor" ? flatMinor : flatMajor).includes(tonic);
}

function voicingText(d, flats) {
  const chords = Array.isArray(d.chords) ? d.chords : [];
  return d.voicing.map((row, i) => `${chords[i] ? `<b>${esc(chords[i])}</b> ` : ""}${row.map((p) => noteName(p, flats)).join(" ")}`).join("<br>");
}

function detailValue(k, v, d, flats) {
  if (k === "voicing" && Array.isArray(v)) return voicingText(d, flats);
  if (k === "lines" && Array.isArray(v)) return v.map((x) => `<span class="lyric">${esc(x)}</span>`).join("<br>");
  if (/program/.test(k) && v && typeof v === "object") return Object.entries(v).map(([r, n]) => `${esc(r)}: ${esc(programName(n))}`).join(", ");
  if (/program/.test(k)) return esc(programName(v));
  if (Array.isArray(v)) return esc(v.map((x) => (Array.isArray(x) ? `[${x}]` : x)).join(" "));
  if (v && typeof v === "object") return esc(Object.entries(v).map(([a, b]) => `${a}: ${typeof b === "object" ? JSON.stringify(b) : b}`).join(", "));
  return esc(v);
}

function candUrl(d, c, what) {
  return `/api/songs/${enc(d.song)}/phases/${enc(d.phase)}/candidates/${enc(c.id)}/${what}`;
}

function candLink(d, c, text) {
  return midiLink(candUrl(d, c, "midi"), fileName(d.song, d.phase, c.id), text);
}

function generateForm(phase, sections) {
  const pick = sections.length ? `<select id="regen-section" title="regenerate one section only"><option value="">all sections</option>${sections.map((n) => `<option>${esc(n)}</option>`).join("")}</select>` : "";
  return `<label>seed <input id="seed" type="number" min="0" placeholder="random" style="width:7em"></label>
    <label>candidates <input id="n" type="number" min="1" max="500" placeholder="${phase === "chords" ? 200 : 50}" style="width:5em"></label>
    ${pick} <button id="regen">Generate (g)</button> <span class="progress"><div id="bar"></div></span> <span id="job"></span>`;
}

function wireGenerate(song, phase) {
  $("#regen").onclick = () => {
    const body = {};
    if ($("#seed").value !== "") body.seed = +$("#seed").value;
    if ($("#n").value !== "") body.n = +$("#n").value;
    const pick = $("#regen-section");
    if (pick && pick.value) body.section = pick.value;
    const what = `Generate ${phase}${body.section ? ` (${body.section})` : ""}`;
    runJob(`/api/songs/${enc(song)}/phases/${enc(phase)}/regenerate`, body, what, () => phasePage(song, phase, true));
  };
}

async function notGenerated(song, phase, s) {
  state.phase = null;
  const needs = s.needs.length ? `It is made over the approved ${s.needs.join(" and ")} loops (promote them first).` : "It needs only the proposal.";
  main.innerHTML = `<h1>${esc(phase)}</h1><p>No candidates yet. ${esc(needs)}</p><p>${generateForm(phase, [])}</p>`;
  wireGenerate(song, phase);
  if (typeof ownPanel === "function") ownPanel(song, phase, null);  // own.js: drop a MIDI file
}

async function phasePage(song, phase, keepSel = false) {
  $("#crumbs").innerHTML = `› <a href="#/s/${enc(song)}">${esc(song)}</a> › ${esc(phase)}`;
  const sv = await api(`/api/songs/${enc(song)}`);
  if (!sv.error) state.song = sv;
  const s = (sv.phases || []).find((x) => x.phase === phase);
  if (s && !s.review) { notGenerated(song, phase, s); return; }
  const d = await api(`/api/songs/${enc(song)}/phases/${enc(phase)}`);
  if (d.error) { state.phase = null; main.innerHTML = `<p class="err">${esc(errorText(d))}</p>`; return; }
  const prev = state.phase && state.phase.phase === phase && keepSel ? state.phase.candidates[state.sel]?.id : null;
  state.phase = d;
  state.sel = Math.max(0, prev ? d.candidates.findIndex((c) => c.id === prev) : 0);
  const rows = d.candidates.map((c, i) => `<tr class="cand" data-i="${i}" data-id="${esc(c.id)}">
    <td><button class="play-row" title="play this candidate">▶</button></td>
    <td>${c.section ? esc(c.section) + " " : ""}#${c.rank}</td><td>${esc(c.id)}</td><td class="status ${c.status}">${c.status}</td>
    <td class="label">${labelCell(c)}</td><td>${c.scores.composite.toFixed(3)}</td><td class="summary" title="${esc(summaryText(c))}">${summary(c)}</td>
    <td>${candLink(d, c, "MIDI")}</td></tr>`).join("");
  const sections = [...new Set(d.candidates.map((c) => c.section).filter(Boolean))];
  const promoted = d.promoted.map((f) => midiLink(`/api/songs/${enc(song)}/phases/${enc(phase)}/approved/${enc(f)}`, fileName(song, phase, f.replace(/\.mid$/, "")), f)).join(" ");
  main.innerHTML = `<div class="phase-grid"><div>
    <p><button id="promote">Promote approved</button> ${generateForm(phase, sections)}</p>
    <p>Approved loops: ${promoted || "none promoted yet"}</p>
    <table id="cands"><tr><th></th><th>rank</th><th>id</th><th>status</th><th>label</th><th>score</th><th>summary</th><th></th></tr>${rows}</table></div>
    <div class="detail" id="detail"></div></div>`;
  $("#cands").onclick = (ev) => {
    const r = ev.target.closest("tr.cand");
    if (!r || ev.target.closest("a")) return;
    select(+r.dataset.i);
    if (ev.target.closest("button.play-row")) play();
  };
  $("#promote").onclick = promote;
  wireGenerate(song, phase);
  if (typeof ownPanel === "function") ownPanel(song, phase, d);  // own.js: drop a MIDI file
  if (d.candidates.length) select(state.sel);
}

function labelCell(c) {
  return c.label ? esc(c.label) : c.section ? `<span class="muted" title="an approved candidate without a label is promoted under its section's name">${esc(c.section)} (section)</span>` : "";
}

async function select(i) {
  const d = state.phase;
  if (!d || !d.candidates.length) return;
  state.sel = Math.max(0, Math.min(i, d.candidates.length - 1));
  document.querySelectorAll("tr.cand").forEach((r) => r.classList.toggle("selected", +r.dataset.i === state.sel));
  const row = $(`tr.cand[data-i="${state.sel}"]`);
  if (row) row.scrollIntoView({ block: "nearest" });
  const c = d.candidates[state.sel];
  const flats = flatKey(state.song?.proposal?.key || "");
  const details = Object.entries(c.details).filter(([k]) => k !== "style")
    .map(([k, v]) => `<dt>${esc(k.replace(/_/g, " "))}</dt><dd>${detailValue(k, v, c.details, flats)}</dd>`).join("");
  $("#detail").innerHTML = `<h2>${esc(c.id)} <small class="${c.status}">${c.status}</small></h2>
    <p><label>label <input id="label" value="${esc(c.label || "")}" placeholder="${esc(c.section || "e.g. verse")}"></label>
    <button id="approve">Approve (a)</button> <button id="reject">Reject (r)</button> <button id="play">Play (space)</button>
    ${candLink(d, c, "MIDI (d, or drag)")}</p>
    <audio id="player" controls preload="none"></audio> <span id="audio-state"></span>
    <div class="roll" id="roll"></div><div id="legend" class="legend"></div>
    <p><b>composite ${c.scores.composite.toFixed(3)}</b> · ${scoreCells(c)}</p><dl>${details}</dl>
    ${state.explain ? `<details id="why"><summary>Why this chromatic score</summary><img id="why-img" alt="occlusion of bars and pitches"></details>` : ""}`;
  if (state.explain) {
    $("#why").ontoggle = () => {
      const img = $("#why-img");
      if ($("#why").open && !img.src) img.src = candUrl(d, c, "explain.png");
    };
  }
  $("#approve").onclick = () => decide({ status: "approved" });
  $("#reject").onclick = () => decide({ status: "rejected" });
  $("#play").onclick = play;
  $("#label").onkeydown = (ev) => { if (ev.key === "Enter") { ev.preventDefault(); decide({ label: ev.target.value }); ev.target.blur(); } };
  prefetch(d, c);
  const roll = await api(candUrl(d, c, "roll"));
  if (state.phase === d && d.candidates[state.sel] === c) {
    if (roll.error) $("#legend").innerHTML = `<span class="err">${esc(roll.error)}</span>`;
    else {
      const pr = new PianoRoll($("#roll"), roll);
      pr.follow($("#player"));
      pr.onseek = (t) => play(t);
      if (typeof ownRoll === "function") ownRoll(pr, d, c);  // own.js: select bars, regenerate
      $("#legend").innerHTML = rollLegend(roll);
    }
  }
}

// Render the selected candidate's preview while the artist looks at it (the server caches it),
// so pressing space plays at once; a quick j-j-j only renders where the cursor rests.
let prefetchTimer = null;
function prefetch(d, c) {
  clearTimeout(prefetchTimer);
  prefetchTimer = setTimeout(() => {
    if (state.phase === d && d.candidates[state.sel] === c) fetch(candUrl(d, c, "preview.wav"), { method: "HEAD" }).catch(() => {});
  }, 250);
}

function play(at) {
  const d = state.phase, c = d && d.candidates[state.sel];
  const el = $("#player");
  if (!c || !el) return;
  const seek = typeof at === "number";
  if (!el.paused && !seek) { el.pause(); return; }
  const src = candUrl(d, c, "preview.wav");
  if (!el.src.endsWith(src)) {
    $("#audio-state").textContent = "rendering…";
    el.src = src;
  }
  if (seek) el.currentTime = at;
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
      row.children[3].textContent = c.status;
      row.children[3].className = `status ${c.status}`;
      row.children[4].innerHTML = labelCell(c);
    }
    say(`${c.id}: ${c.status}${c.label ? " as " + c.label : c.section ? ` (as ${c.section})` : ""}`);
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
    const what = r.promoted.map((p) => `${p.id} as ${p.file}`).join(", ");
    banner(esc(what ? `Promoted ${what}.` : "Nothing promoted: no candidate is approved."), true);
    phasePage(d.song, d.phase, true);
  } else banner(`Not promoted: ${esc(errorText(r))}`);
}

function phaseKey(key) {
  if (key === "g") return () => { const b = $("#regen"); if (b) b.click(); };
  if (!state.phase || !$("#cands")) return null;
  const keys = {
    j: () => select(state.sel + 1), k: () => select(state.sel - 1), " ": () => play(),
    a: () => decide({ status: "approved" }), r: () => decide({ status: "rejected" }),
    l: () => { const b = $("#label"); if (b) { b.focus(); b.select(); } },
    d: () => { const a = $("#detail a.midi"); if (a) a.click(); },
  };
  return keys[key] || null;
}
