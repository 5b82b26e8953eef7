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
// The inbox's keys: on the list, j/k move a visible mark between the stories, a accepts, d
// dismisses, o opens the marked one; on a story's page a accepts and d dismisses. Each key
// presses the row's own button or link (data-key), so what happens is what the form without
// this script does. Never while typing in a field, nor with a modifier key held.
(function () {
  var list = document.querySelector("[data-inbox-list]");
  var item = document.querySelector("[data-inbox-item]");
  if (!list && !item) return;
  var rows = list ? Array.prototype.slice.call(list.querySelectorAll("[data-inbox-row]")) : [];
  var current = -1;
  var sent = false;
  rows.forEach(function (row, i) {
    if (row.getAttribute("aria-current") === "true") current = i;
  });
  if (current < 0 && rows.length) current = 0;
  function mark(i, scroll) {
    rows.forEach(function (row, n) {
      if (n === i) {
        row.setAttribute("aria-current", "true");
        row.classList.add("current");
      } else {
        row.removeAttribute("aria-current");
        row.classList.remove("current");
      }
    });
    current = i;
    if (scroll && rows[i]) rows[i].scrollIntoView({ block: "nearest" });
  }
  if (rows.length) mark(current, false);
  function typing(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return !/^(checkbox|radio|submit|button|reset|hidden)$/.test(target.type);
  }
  function press(scope, key) {
    var target = scope && scope.querySelector('[data-key="' + key + '"]');
    if (!target) return false;
    if (target.tagName !== "A") sent = true; // one submission per key press, never two
    target.click();
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (sent || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (typing(event.target)) return;
    var key = event.key;
    var done = false;
    if (list && rows.length) {
      if (key === "j") {
        mark(Math.min(current + 1, rows.length - 1), true);
        done = true;
      } else if (key === "k") {
        mark(Math.max(current - 1, 0), true);
        done = true;
      } else if (key === "a" || key === "d" || key === "o") {
        done = press(rows[current], key);
      }
    } else if (item && (key === "a" || key === "d")) {
      done = press(item, key);
    }
    if (done) event.preventDefault();
  });
})();
// A story's page: choosing another agreement reads the claims for it (the page its "read the
// claims for it" link leads to); back there, the keyboard stays on the choice.
(function () {
  var box = document.querySelector("[data-agreement-choice]");
  if (!box) return;
  box.querySelectorAll("input[type=radio][data-href]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio.checked) window.location.assign(radio.getAttribute("data-href"));
    });
  });
  if (/[?&]agreement=/.test(window.location.search)) {
    var chosen = box.querySelector("input[type=radio]:checked");
    if (chosen) chosen.focus();
  }
})();
