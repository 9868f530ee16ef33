// Presence on the embedded room page (issue 4 §4): a POST every few seconds while the
// page is open, with the page's CSRF token in a header. The server adds the time since the
// last beat of this link (at most a minute), so a page left open in the background counts
// and two devices never count the same minute twice.
(function () {
  var box = document.getElementById("presence");
  if (!box) return;
  var url = box.dataset.url, token = box.dataset.csrf;
  var every = Math.max(5, parseInt(box.dataset.interval, 10) || 30) * 1000;
  var timer = null;
  function stop(showStopped) {
    if (timer) clearInterval(timer);
    timer = null;
    if (showStopped) {
      box.hidden = true;
      document.getElementById("presence-stopped").hidden = false;
    }
  }
  function beat() {
    fetch(url, {method: "POST", credentials: "same-origin", keepalive: true,
                headers: {"X-CSRFToken": token, "Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {status: "unknown"}; })
      .then(function (answer) {
        box.dataset.beats = String((parseInt(box.dataset.beats, 10) || 0) + 1);
        box.dataset.last = answer.status;
        if (answer.status === "other_device") stop(true);
        else if (answer.status === "closed" || answer.status === "unknown") {
          stop(false);
          window.location.reload();  // the room closed: the link shows the end page
        }
      })
      .catch(function () { /* offline for a moment: the next beat counts the time */ });
  }
  timer = setInterval(beat, every);
  beat();
})();
