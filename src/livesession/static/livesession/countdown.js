// The waiting page (issue 4 §2): counts down to the opening of the room and reloads the
// page when it opens. Without JavaScript the page shows the opening time (local-time
// rewrites it in the visitor's zone) and a reload button.
// The timer is not read aloud every second (role=timer, aria-live off).
(function () {
  var box = document.getElementById("countdown");
  if (!box) return;
  var opens = new Date(box.dataset.opens).getTime();
  if (isNaN(opens)) return;
  box.parentNode.hidden = false;
  function tick() {
    var left = Math.max(0, Math.round((opens - Date.now()) / 1000));
    if (left === 0) { window.location.reload(); return; }
    var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
    box.textContent = (h ? h + " h " : "") + m + " min " + s + " s";
    setTimeout(tick, 1000);
  }
  tick();
})();
