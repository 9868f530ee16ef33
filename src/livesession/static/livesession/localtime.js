// A date of an event is written by the server in the event's time zone, named
// (<time class="local-time" data-zone="Europe/Paris">, events/templatetags/event_time.py).
// When the visitor's own zone tells another time, their time and zone are added beside it;
// without JavaScript the event's time stays alone. A <time class="local-time"> without
// data-zone is rewritten in the visitor's zone.
(function () {
  var lang = document.documentElement.lang || "fr";
  var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!mine) return;
  function written(when, zone, withDate) {
    var style = withDate ? {dateStyle: "long", timeStyle: "short", timeZone: zone}
                         : {timeStyle: "short", timeZone: zone};
    return when.toLocaleString(lang, style);
  }
  document.querySelectorAll("time.local-time").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) return;
    var zone = el.dataset.zone;
    if (!zone) { el.textContent = written(when, mine, true) + " (" + mine + ")"; return; }
    if (zone === mine) return;
    var theirs, yours;
    try { theirs = written(when, zone, true); yours = written(when, mine, true); }
    catch (e) { return; }  // a zone this browser does not know: the server's text stays
    if (theirs === yours) return;
    var sameDay = when.toLocaleDateString(lang, {timeZone: zone}) ===
                  when.toLocaleDateString(lang, {timeZone: mine});
    var beside = document.createElement("span");
    beside.className = "viewer-time";
    beside.textContent = " · " + el.dataset.yours + " " +
      (sameDay ? written(when, mine, false) : yours) + " (" + mine + ")";
    el.appendChild(beside);
  });
})();
