// Small enhancements; every page works without them.
// On the stage-event form and on each suggested event of the review page, the ratification
// step only matters for a ratification: hidden (and not sent) for any other stage.
document.querySelectorAll("[data-stage-form]").forEach(function (box) {
  var stage = box.querySelector("select[name$=stage]");
  var step = box.querySelector(".field[id$=-step]");
  if (!stage || !step) return;
  var select = step.querySelector("select");
  function sync() {
    var other = stage.value !== "ratification";
    step.hidden = other;
    if (select) select.disabled = other;
  }
  stage.addEventListener("change", sync);
  sync();
});
