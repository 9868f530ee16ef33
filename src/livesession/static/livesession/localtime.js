// Every <time class="local-time" datetime="…"> shows its instant in the visitor's own
// time zone and language; without JavaScript the server's rendering (event zone) stays.
(function () {
  var lang = document.documentElement.lang || "fr";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.querySelectorAll("time.local-time").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) return;
    el.textContent = when.toLocaleString(lang, {dateStyle: "full", timeStyle: "short"}) + " (" + zone + ")";
  });
})();
