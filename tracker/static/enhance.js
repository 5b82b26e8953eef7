// Small enhancements; every page works without them.
// On the stage-event form, the ratification step only matters for a ratification.
document.querySelectorAll("form[data-stage-form]").forEach(function (form) {
  var stage = form.querySelector("select[name=stage]");
  var step = form.querySelector("#field-step");
  if (!stage || !step) return;
  function sync() { step.hidden = stage.value !== "ratification"; }
  stage.addEventListener("change", sync);
  sync();
});
