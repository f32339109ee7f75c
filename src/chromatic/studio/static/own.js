// chromatic studio: the artist's own material. A MIDI file dropped onto a section becomes that
// section's approved loop (produce import); bars dragged across on the piano roll are
// regenerated, the rest of the section's approved loop kept (produce <phase> --bars A-B).
"use strict";

const REGION_PHASES = ["chords", "drums", "bass", "melody", "harmony"];

function ownSections(phase, d) {
  // the song's order where the candidates give it, then the other approved chord sections
  const chords = (state.song?.phases || []).find((p) => p.phase === "chords");
  const names = new Set(d ? d.candidates.map((c) => c.section).filter(Boolean) : []);
  for (const f of chords?.promoted || []) names.add(f.replace(/\.mid$/, ""));
  return [...names];
}

function dropZone(phase, section) {
  const id = section === null ? "new" : section;
  const name = section === null ? `<input class="drop-name" placeholder="new section, e.g. verse" size="16">` : `<b>${esc(section)}</b>`;
  return `<div class="drop" data-section="${esc(id)}" tabindex="0" title="drop a MIDI file here">
    ${name} <span class="muted">drop a MIDI file here, or</span>
    <label class="pick">choose… <input type="file" accept=".mid,.midi,audio/midi,audio/x-midi" hidden></label>
    <span class="drop-msg"></span></div>`;
}

// One drop zone per section (chords: also a new section, since a chord part defines its own).
function ownPanel(song, phase, d) {
  const sections = ownSections(phase, d);
  const zones = sections.map((s) => dropZone(phase, s)).join("") + (phase === "chords" ? dropZone(phase, null) : "");
  const box = document.createElement("div");
  box.id = "own";
  box.innerHTML = `<h3>Your own ${esc(phase)} part</h3>
    <p class="muted">The file's track becomes the section's approved loop (fitted to its bars; kept note for note).
    <label>track <input id="own-track" placeholder="first with notes" size="12"></label>
    ${phase === "drums" ? "" : `<label>transpose <input id="own-transpose" type="number" min="-48" max="48" value="0" style="width:4em"></label>`}</p>
    ${zones || `<p class="muted">No section has approved chords yet: approve and promote chords first.</p>`}`;
  (main.querySelector(".phase-grid > div") || main).appendChild(box);
  box.querySelectorAll(".drop").forEach((zone) => {
    const send = (file) => ownImport(song, phase, zone, file);
    zone.addEventListener("dragover", (ev) => { ev.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (ev) => {
      ev.preventDefault();
      zone.classList.remove("over");
      const f = ev.dataTransfer && ev.dataTransfer.files[0];
      if (f) send(f);
    });
    const input = zone.querySelector("input[type=file]");
    input.onchange = () => { if (input.files[0]) send(input.files[0]); input.value = ""; };
  });
}

async function ownImport(song, phase, zone, file) {
  const section = zone.dataset.section === "new" ? (zone.querySelector(".drop-name").value || "").trim() : zone.dataset.section;
  const msg = zone.querySelector(".drop-msg");
  const q = new URLSearchParams({ section });
  const track = ($("#own-track")?.value || "").trim();
  const transpose = $("#own-transpose")?.value || "0";
  if (track) q.set("track", track);
  if (transpose !== "0") q.set("transpose", transpose);
  msg.textContent = `importing ${file.name}…`;
  zone.classList.remove("ok", "bad");
  let r;
  try {
    const resp = await fetch(`/api/songs/${enc(song)}/phases/${enc(phase)}/import?${q}`, {
      method: "POST",
      headers: { "Content-Type": "audio/midi", "X-Studio-Token": TOKEN, "X-Filename": encodeURIComponent(file.name) },
      body: file,
    });
    r = await resp.json().catch(() => ({ error: resp.statusText }));
    r._status = resp.status;
  } catch (e) {
    r = { error: String(e), _status: 0 };
  }
  if (r._status !== 200) {
    const text = errorText(r);
    zone.classList.add("bad");
    msg.textContent = text;
    banner(esc(`Not imported: ${text}`));
    return;
  }
  const warn = r.warnings.length ? ` Warnings: ${r.warnings.join("; ")}.` : "";
  const text = `Imported ${r.notes} notes (${r.bars} bars) of ${r.file} as ${r.section}'s ${r.phase}: ${r.approved}.${warn}`;
  await phasePage(song, phase, true);
  const at = state.phase ? state.phase.candidates.findIndex((c) => c.id === r.candidate) : -1;
  if (at >= 0) select(at);
  banner(esc(text), true);
  const again = document.querySelector(`#own .drop[data-section="${CSS.escape(r.section)}"] .drop-msg`);
  if (again) { again.textContent = "imported ✓"; again.parentElement.classList.add("ok"); }
}

// --- select bars on the roll, regenerate them ---------------------------------------------------

function ownRoll(pr, d, c) {
  const section = c.section || c.label;
  if (!REGION_PHASES.includes(d.phase) || !section || !(pr.roll.bars || []).length) return;
  const bars = pr.roll.bars;  // bar lines in seconds; bars.length - 1 bars
  const sel = document.createElement("div");
  sel.className = "roll-sel";
  sel.hidden = true;
  pr.wrap.appendChild(sel);
  const bar = document.createElement("p");
  bar.id = "region";
  pr.wrap.after(bar);
  const promoted = d.promoted.includes(`${section}.mid`);
  let drag = null, chosen = null, dragged = false;
  const barAt = (ev) => {
    const x = ev.clientX - pr.head.getBoundingClientRect().left;
    const t = ((x - GUTTER) / (pr.w - GUTTER)) * pr.roll.seconds;
    let i = 0;
    while (i + 1 < bars.length - 1 && bars[i + 1] <= t) i++;
    return i + 1;  // 1-based
  };
  const show = () => {
    if (!chosen) {
      sel.hidden = true;
      bar.innerHTML = `<span class="muted">Drag across bars on the roll to regenerate only those bars of ${esc(section)}.</span>`;
      return;
    }
    const [a, b] = chosen, x0 = pr.x(bars[a - 1], pr.w), x1 = pr.x(bars[b], pr.w);
    Object.assign(sel.style, { left: `${x0}px`, width: `${x1 - x0}px`, height: `${pr.height}px` });
    sel.hidden = false;
    sel.dataset.bars = a === b ? `${a}` : `${a}-${b}`;
    const what = a === b ? `bar ${a}` : `bars ${a}–${b}`;
    const keep = promoted ? `keeps the rest of ${esc(section)}'s approved loop` : `approve and promote one of ${esc(section)}'s candidates first: the region keeps the rest of the approved loop`;
    bar.innerHTML = `<b>${what}</b> of ${esc(section)} selected <button id="region-go" ${promoted ? "" : "disabled"}>Regenerate ${what} (b)</button>
      <button id="region-clear">Clear</button> <span class="muted">${keep}</span>`;
    $("#region-go").onclick = () => ownRegion(d, section, sel.dataset.bars, what);
    $("#region-clear").onclick = () => { chosen = null; show(); };
  };
  pr.head.addEventListener("mousedown", (ev) => {
    if (ev.button !== 0 || ev.clientX - pr.head.getBoundingClientRect().left < GUTTER) return;
    drag = { x: ev.clientX, bar: barAt(ev) };
    dragged = false;
  });
  const move = (ev) => {
    if (!drag) return;
    if (Math.abs(ev.clientX - drag.x) > 4) dragged = true;
    if (!dragged) return;
    const b = barAt(ev);
    chosen = [Math.min(drag.bar, b), Math.max(drag.bar, b)];
    show();
  };
  const up = (ev) => { if (drag) { move(ev); drag = null; } };
  document.addEventListener("mousemove", move);
  document.addEventListener("mouseup", up, { once: false });
  // a drag is a selection, not a click: the roll's click-to-play does not fire after one
  pr.wrap.addEventListener("click", (ev) => { if (dragged) { ev.stopPropagation(); dragged = false; } }, true);
  const gone = new MutationObserver(() => {
    if (!document.body.contains(pr.wrap) || pr.wrap.querySelector(".roll-sel") !== sel) {
      document.removeEventListener("mousemove", move);
      document.removeEventListener("mouseup", up);
      gone.disconnect();
    }
  });
  gone.observe(main, { childList: true, subtree: true });
  show();
}

function ownRegion(d, section, bars, what) {
  const body = { section, bars };
  const seed = $("#seed")?.value, n = $("#n")?.value;
  if (seed) body.seed = +seed;
  if (n) body.n = +n;
  runJob(`/api/songs/${enc(d.song)}/phases/${enc(d.phase)}/region`, body, `Regenerate ${what} of ${section}`, () => phasePage(d.song, d.phase, true));
}

document.addEventListener("keydown", (ev) => {
  if (ev.key !== "b" || ev.ctrlKey || ev.metaKey || ev.altKey || ev.target.closest("input, textarea, select")) return;
  const go = $("#region-go");
  if (go && !go.disabled) { ev.preventDefault(); go.click(); }
});

window.addEventListener("DOMContentLoaded", () => {
  KEYS.phase.push(["drag on the roll, then b", "regenerate the selected bars"]);
  const css = document.createElement("style");
  css.textContent = `#own { margin-top: 14px; }
    .drop { border: 2px dashed #b6c6f0; border-radius: 6px; padding: 8px 10px; margin: 6px 0; background: #fafbff; }
    .drop.over { border-color: #3b6fe0; background: #e8f0fe; }
    .drop.ok { border-color: var(--ok); } .drop.bad { border-color: var(--bad); }
    .drop.bad .drop-msg { color: var(--bad); } .drop.ok .drop-msg { color: var(--ok); }
    .drop label.pick { color: #2b4fa8; text-decoration: underline; cursor: pointer; }
    div.roll .roll-sel { position: absolute; top: 0; background: rgba(250, 176, 5, 0.25); border: 1px solid #f59f00; pointer-events: none; }`;
  document.head.appendChild(css);
});
