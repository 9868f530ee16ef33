// The waiting page: counts down to the opening of the room and reloads the page when it
// opens. The words are those the server wrote the first text with (events/when.py): days,
// then hours and minutes; under a day, hours, minutes and seconds; units at zero left out.
// The timer is not read aloud every second (role=timer, aria-live off).
(function () {
  var box = document.getElementById("countdown");
  if (!box) return;
  var opens = new Date(box.dataset.opens).getTime();
  if (isNaN(opens)) return;
  var plural = new Intl.PluralRules(document.documentElement.lang || "fr");
  function word(unit, n) {
    var pattern = unit === "day"
      ? (plural.select(n) === "one" ? box.dataset.dayOne : box.dataset.dayOther)
      : box.dataset[unit];
    return pattern.replace("{n}", n);
  }
  function words(left) {
    var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600),
        m = Math.floor(left % 3600 / 60), s = left % 60;
    var units = d ? [["day", d], ["hour", h], ["minute", m]]
                  : [["hour", h], ["minute", m], ["second", s]];
    var said = units.filter(function (u) { return u[1] > 0; })
                    .map(function (u) { return word(u[0], u[1]); });
    return said.length ? said.join(" ") : word("second", 0);
  }
  function tick() {
    var left = Math.max(0, Math.floor((opens - Date.now()) / 1000));
    if (left === 0) { window.location.reload(); return; }
    box.textContent = words(left);
    setTimeout(tick, 1000);
  }
  tick();
})();
