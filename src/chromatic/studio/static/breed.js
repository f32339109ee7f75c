// "Breed from these" on a phase page: a star per candidate row and a button that breeds from
// the starred ones (POST .../breed: the phase's --breed, children written as new candidates).
// Self-contained: it wraps phasePage (phase.js) and adds its controls after the page renders
// (the star goes inside the first cell: phase.js addresses a row's cells by position).
(() => {
  const render = phasePage;
  phasePage = async function (song, phase, keepSel = false) {
    await render(song, phase, keepSel);
    addBreed(song, phase);
  };

  function addBreed(song, phase) {
    const table = $("#cands"), d = state.phase;
    if (!table || !d || d.phase !== phase) return;
    const head = table.querySelector("tr");
    if (head && head.firstElementChild) head.firstElementChild.textContent = "★";
    table.querySelectorAll("tr.cand").forEach((row) => {
      const c = d.candidates[+row.dataset.i];
      row.firstElementChild.insertAdjacentHTML("afterbegin", `<input type="checkbox" class="breed-pick" title="breed from this candidate" ${c.star ? "checked" : ""}>`);
      const lineage = c.details && c.details.lineage;
      if (lineage) row.title = `bred: ${(lineage.operators || []).join(", ")} from ${(lineage.parents || []).join(", ")}`;
    });
    table.addEventListener("click", (ev) => { if (ev.target.closest("input.breed-pick")) ev.stopPropagation(); }, true);
    const regen = $("#regen");
    if (!regen) return;
    regen.parentElement.insertAdjacentHTML("beforeend", ` <span class="breed"><label>generations <input id="breed-gens" type="number" min="1" max="20" placeholder="6" style="width:4em"></label> <button id="breed">Breed from these</button></span>`);
    $("#breed").onclick = () => {
      if (!jobMessage.breed) { // the job's own summary in the banner (studio.js loads after this file)
        const message = jobMessage;
        jobMessage = (j, what) => j.kind === "breed" && j.state === "done" ? `${what}: ${j.result.summary} (${Math.round(j.elapsed_s)} s).` : message(j, what);
        jobMessage.breed = true;
      }
      const ids = [...table.querySelectorAll("tr.cand")].filter((r) => r.querySelector("input.breed-pick").checked).map((r) => r.dataset.id);
      if (!ids.length) { banner(esc("Breed: star (☑) one or more candidates to breed from first.")); return; }
      const body = { ids };
      if ($("#breed-gens").value !== "") body.generations = +$("#breed-gens").value;
      runJob(`/api/songs/${enc(song)}/phases/${enc(phase)}/breed`, body, `Breed ${phase} from ${ids.join(", ")}`, () => phasePage(song, phase, true));
    };
  }
})();
