// A wide table scrolls sideways inside its .table-wrap; a keyboard user can scroll it only if
// the wrapper takes focus. Only wrappers that really overflow become a tab stop (a named
// region, named after the table's caption or heading), so narrow tables add no extra stop.
(function () {
  "use strict";
  function nameOf(wrap) {
    var table = wrap.querySelector("table");
    if (!table) return "";
    var caption = table.querySelector("caption");
    if (caption) return caption.textContent.trim();
    var by = table.getAttribute("aria-labelledby");
    var labelled = by && document.getElementById(by.split(" ")[0]);
    if (labelled) return labelled.textContent.trim();
    if (table.getAttribute("aria-label")) return table.getAttribute("aria-label");
    var before = wrap.previousElementSibling;
    while (before && !/^H[1-6]$/.test(before.tagName)) before = before.previousElementSibling;
    return before ? before.textContent.trim() : "";
  }
  function update() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        var name = nameOf(wrap);
        if (name) {
          wrap.setAttribute("role", "region");
          wrap.setAttribute("aria-label", name);
        }
      } else if (wrap.hasAttribute("tabindex")) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  update();
  window.addEventListener("resize", update);
})();
