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
// The kind of instrument only matters for the notification step.
document.querySelectorAll("[data-stage-form]").forEach(function (box) {
  var stepSelect = box.querySelector("select[name$=step]");
  var consent = box.querySelector(".field[id$=consent_type]");
  if (!stepSelect || !consent) return;
  var select = consent.querySelector("select");
  function sync() {
    var other = stepSelect.disabled || stepSelect.value !== "notification";
    consent.hidden = other;
    if (select) select.disabled = other;
  }
  stepSelect.addEventListener("change", sync);
  box.querySelector("select[name$=stage]").addEventListener("change", sync);
  sync();
});
// A field of several party names (data-several): its suggestions follow the name being
// typed after the last comma, so the second and later names are suggested too.
document.querySelectorAll("input[data-several][list]").forEach(function (input) {
  var list = document.getElementById(input.getAttribute("list"));
  if (!list) return;
  var names = Array.prototype.map.call(list.options, function (o) { return o.value; });
  var shown = "";
  input.addEventListener("input", function () {
    var value = input.value;
    var cut = Math.max(value.lastIndexOf(","), value.lastIndexOf("\u060c"), value.lastIndexOf(";"));
    var head = cut < 0 ? "" : value.slice(0, cut + 1).replace(/\s*$/, " ");
    if (head === shown) return;
    shown = head;
    Array.prototype.forEach.call(list.options, function (option, i) {
      option.value = head + names[i];
    });
  });
});
