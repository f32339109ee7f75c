// chromatic studio: the piano roll (canvas). Pitch axis with note names, bar and beat lines,
// chord symbols and section markers above, the lyric under each sung note, one lane per drum
// kit piece, and a playhead that follows an <audio> element (click the roll to seek).
"use strict";

const SHARPS = ["C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B"];
const FLATS = ["C", "D♭", "D", "E♭", "E", "F", "G♭", "G", "A♭", "A", "B♭", "B"];
const BLACK = new Set([1, 3, 6, 8, 10]);
const COLORS = ["#3b6fe0", "#e8590c", "#2f9e44", "#ae3ec9", "#d9480f", "#1098ad", "#c2255c"];
const GUTTER = 104, HEAD = 34, LANE = 13;

function noteName(p, flats = false) {
  return (flats ? FLATS : SHARPS)[((p % 12) + 12) % 12] + (Math.floor(p / 12) - 1);
}

class PianoRoll {
  // minBar: the fewest pixels a bar gets; a longer song scrolls sideways and follows the playhead
  constructor(wrap, roll, minBar = 0) {
    this.wrap = wrap;
    this.minBar = minBar;
    this.roll = roll;
    wrap.innerHTML = '<canvas class="roll-base"></canvas><canvas class="roll-head"></canvas>';
    [this.base, this.head] = wrap.querySelectorAll("canvas");
    this.audio = null;
    this.t = 0;
    this.layout();
    this.draw();
    this.setTime(0);
    this.head.onclick = (ev) => this.seek(ev);
    wrap.onscroll = () => this.setTime(this.t);  // the pitch axis stays in view
  }

  layout() {
    const r = this.roll;
    const pitched = r.tracks.filter((t) => !t.drum).flatMap((t) => t.notes.map((n) => n[2]));
    this.lo = pitched.length ? Math.min(...pitched) - 1 : 60;
    this.hi = pitched.length ? Math.max(...pitched) + 1 : 60;
    const span = this.hi - this.lo + 1;
    this.rowH = pitched.length ? Math.max(5, Math.min(12, Math.floor(260 / span))) : 0;
    this.lyrics = r.tracks.some((t) => t.lyrics && t.lyrics.length);
    const lanes = {};
    for (const t of r.tracks) if (t.drum) Object.assign(lanes, t.lanes || {});
    this.lanes = Object.keys(lanes).map(Number).sort((a, b) => b - a).map((k) => [k, lanes[k]]);
    this.pitchedH = pitched.length ? span * this.rowH + (this.lyrics ? 12 : 0) : 0;
    this.height = HEAD + this.pitchedH + this.lanes.length * LANE + 2;
    this.wrap.style.height = `${this.height}px`;
  }

  x(t, w) { return GUTTER + (t / Math.max(this.roll.seconds, 0.1)) * (w - GUTTER); }

  draw() {
    const dpr = devicePixelRatio || 1, h = this.height;
    const w = Math.max(this.wrap.clientWidth, GUTTER + this.minBar * Math.max((this.roll.bars || []).length - 1, 0));
    this.wrap.classList.toggle("wide", w > this.wrap.clientWidth);
    if (w > this.wrap.clientWidth) this.wrap.style.height = `${h + 14}px`;
    for (const c of [this.base, this.head]) {
      c.width = w * dpr; c.height = h * dpr;
      c.style.width = `${w}px`; c.style.height = `${h}px`;
      c.getContext("2d").setTransform(dpr, 0, 0, dpr, 0, 0);
    }
    this.w = w;
    const ctx = this.base.getContext("2d"), r = this.roll;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
    ctx.font = "10px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    // the pitch axis: black-key rows shaded, every name where rows are tall enough, else C's
    for (let p = this.lo; p <= this.hi; p++) {
      const y = HEAD + (this.hi - p) * this.rowH;
      if (BLACK.has(p % 12)) { ctx.fillStyle = "#f1f3f5"; ctx.fillRect(GUTTER, y, w - GUTTER, this.rowH); }
      if (p % 12 === 0) { ctx.fillStyle = "#ced4da"; ctx.fillRect(GUTTER, y + this.rowH - 0.5, w - GUTTER, 0.5); }
      if (this.rowH >= 9 || p % 12 === 0) {
        ctx.fillStyle = p % 12 === 0 ? "#212529" : "#868e96";
        ctx.fillText(noteName(p, r.flats), GUTTER - 34, y + this.rowH / 2);
      }
    }
    // drum lanes, one per kit piece, named
    const laneTop = HEAD + this.pitchedH;
    this.lanes.forEach(([key, name], i) => {
      const y = laneTop + i * LANE;
      ctx.fillStyle = i % 2 ? "#f8f9fa" : "#f1f3f5"; ctx.fillRect(0, y, w, LANE);
      ctx.fillStyle = "#495057"; ctx.fillText(name.slice(0, 17), 4, y + LANE / 2);
    });
    this.grid(ctx, w, h);
    // notes: the candidate's tracks solid, the context's faint; lyrics under sung notes
    // the words once: under the candidate's sung part (else the first part that has words)
    const sung = r.tracks.find((t) => t.candidate !== false && t.lyrics && t.lyrics.length) || r.tracks.find((t) => t.lyrics && t.lyrics.length);
    r.tracks.forEach((t, i) => {
      ctx.fillStyle = COLORS[i % COLORS.length];
      ctx.globalAlpha = t.candidate === false ? 0.3 : 0.9;
      for (const [s, d, p, v] of t.notes) {
        const x0 = this.x(s, w), x1 = Math.max(this.x(s + d, w), x0 + 2);
        if (t.drum) {
          const lane = this.lanes.findIndex(([k]) => k === p);
          ctx.globalAlpha = (t.candidate === false ? 0.3 : 0.45) + (t.candidate === false ? 0 : 0.5 * v / 127);
          ctx.fillRect(x0, laneTop + lane * LANE + 2, Math.max(x1 - x0, 3), LANE - 4);
        } else {
          ctx.fillRect(x0, HEAD + (this.hi - p) * this.rowH + 0.5, x1 - x0 - 0.5, Math.max(this.rowH - 1, 1));
        }
      }
      ctx.globalAlpha = 1;
      if (t === sung) this.words(ctx, t, i, w);
    });
    ctx.fillStyle = "#adb5bd"; ctx.fillRect(GUTTER - 0.5, HEAD, 1, h - HEAD);
  }

  grid(ctx, w, h) {
    const r = this.roll, bars = r.bars || [];
    const barPx = bars.length > 1 ? (this.x(bars[1], w) - this.x(bars[0], w)) : w;
    if (barPx / Math.max((r.beats || []).length / Math.max(bars.length - 1, 1), 1) > 7) {
      ctx.fillStyle = "#e9ecef";
      for (const b of r.beats || []) ctx.fillRect(this.x(b, w), HEAD, 0.5, h - HEAD);
    }
    const every = Math.max(1, Math.ceil(22 / Math.max(barPx, 1)));
    ctx.fillStyle = "#212529";
    bars.forEach((b, i) => {
      const x = this.x(b, w);
      ctx.fillStyle = "#adb5bd"; ctx.fillRect(x, HEAD, 1, h - HEAD);
      if (i % every === 0 && i < bars.length - 1) { ctx.fillStyle = "#495057"; ctx.fillText(String(i + 1), x + 2, 7); }
    });
    ctx.font = "600 10px system-ui, sans-serif";
    for (const m of r.markers || []) {
      const x = this.x(m.time, w);
      ctx.fillStyle = "#3b6fe0"; ctx.fillRect(x, 0, 1.5, h);
      ctx.fillText(m.text, x + 3, 7 + 0);
    }
    ctx.font = "600 11px system-ui, sans-serif";
    const chords = r.chords || [];
    chords.forEach((c, i) => {
      const x = this.x(c.time, w), next = i + 1 < chords.length ? this.x(chords[i + 1].time, w) : w;
      ctx.save(); ctx.beginPath(); ctx.rect(x, 14, next - x - 2, 20); ctx.clip();
      ctx.fillStyle = "#7048e8"; ctx.fillText(c.text, x + 2, 24); ctx.restore();
    });
    ctx.font = "10px system-ui, sans-serif";
    ctx.fillStyle = "#868e96"; ctx.fillText("bar", 4, 7); ctx.fillText("chord", 4, 24);
  }

  words(ctx, t, i, w) {
    if (!t.lyrics || !t.lyrics.length) return;
    const byTime = new Map(t.notes.map((n) => [n[0].toFixed(3), n]));
    ctx.font = "10px system-ui, sans-serif";
    ctx.textBaseline = "top";
    let free = -Infinity;
    for (const [s, text] of t.lyrics) {
      const n = byTime.get(s.toFixed(3)) || t.notes.find((m) => Math.abs(m[0] - s) < 0.06);
      if (!n || text === "-") continue;
      const x = this.x(s, w), tw = ctx.measureText(text).width;
      if (x < free) continue;
      const y = HEAD + (this.hi - n[2] + 1) * this.rowH + 1;
      ctx.lineWidth = 3; ctx.strokeStyle = "#fff"; ctx.strokeText(text, x, y);
      ctx.fillStyle = t.candidate === false ? "#868e96" : "#111"; ctx.fillText(text, x, y);
      free = x + tw + 3;
    }
    ctx.textBaseline = "middle";
  }

  setTime(t) {
    this.t = t;
    const ctx = this.head.getContext("2d"), w = this.w;
    ctx.clearRect(0, 0, w, this.height);
    const sl = this.wrap.scrollLeft;
    if (sl > 0) ctx.drawImage(this.base, 0, 0, this.base.width * GUTTER / w, this.base.height, sl, 0, GUTTER, this.height);
    const x = this.x(Math.min(t, this.roll.seconds), w);
    ctx.fillStyle = "#e03131"; ctx.fillRect(x - 1, 0, 2, this.height);
    this.wrap.dataset.playhead = t.toFixed(3);
    const view = this.wrap.clientWidth;
    if (this.audio && !this.audio.paused && this.w > view && (x < sl + GUTTER || x > sl + view - 40)) this.wrap.scrollLeft = Math.max(0, x - GUTTER - 40);
  }

  follow(audio) {
    this.audio = audio;
    const tick = () => {
      if (this.audio !== audio) return;
      this.setTime(audio.currentTime || 0);
      if (!audio.paused && !audio.ended) requestAnimationFrame(tick);
    };
    audio.addEventListener("play", () => requestAnimationFrame(tick));
    audio.addEventListener("seeked", tick);
    audio.addEventListener("timeupdate", () => { if (audio.paused) tick(); });
  }

  seek(ev) {
    const rect = this.head.getBoundingClientRect();
    const x = ev.clientX - rect.left;
    if (x < GUTTER) return;
    const t = ((x - GUTTER) / (this.w - GUTTER)) * this.roll.seconds;
    this.setTime(t);
    if (this.audio) {
      if (this.onseek) this.onseek(t);
      else this.audio.currentTime = t;
    }
  }
}

function rollLegend(roll) {
  return roll.tracks.map((t, i) => `<span style="color:${COLORS[i % COLORS.length]}">■ ${esc(t.instrument || t.name)}${t.name && t.name !== t.instrument ? ` (${esc(t.name)})` : ""}${t.candidate === false ? " · context" : ""}</span>`).join(" ");
}
