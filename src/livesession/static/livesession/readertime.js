// Every <time class="reader-time" datetime="…"> is rewritten in the reader's own time zone
// and language ("7 décembre 2026 à 14:03"); without JavaScript the server's rendering stays.
(function () {
  var lang = document.documentElement.lang || "fr";
  var format;
  try {
    format = new Intl.DateTimeFormat(lang, {dateStyle: "long", timeStyle: "short"});
  } catch (e) {
    return;
  }
  document.querySelectorAll("time.reader-time").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (!isNaN(when)) el.textContent = format.format(when);
  });
})();
