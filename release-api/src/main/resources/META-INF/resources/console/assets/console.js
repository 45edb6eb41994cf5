// rmm console: the live parts, in plain JavaScript (nothing loaded from elsewhere).
// An element with data-live-src is re-read from that URL whenever the read model moves: the server
// sends the projection's position over server-sent events (/console/changes), and a position not
// seen before means something changed. The page itself is never reloaded.
(function () {
  "use strict";
  var parts = document.querySelectorAll("[data-live-src]");
  if (!parts.length || !window.EventSource) {
    return;
  }
  var live = document.getElementById("live");
  function status(ok) {
    if (!live) return;
    live.textContent = ok ? live.dataset.liveText : live.dataset.offlineText;
    live.classList.toggle("offline", !ok);
  }
  var last = null;
  var busy = false;
  var again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var pending = parts.length;
    parts.forEach(function (el) {
      fetch(el.dataset.liveSrc, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) {
          // a session that ended is sent to the login page: go there instead of showing it inside
          if (r.redirected || r.status === 401 || r.status === 403) { window.location.assign("/console/login"); return null; }
          return r.ok ? r.text() : null;
        })
        .then(function (html) { if (html !== null) el.innerHTML = html; })
        .catch(function () { status(false); })
        .finally(function () {
          if (--pending === 0) {
            busy = false;
            document.body.dataset.refreshed = String((Number(document.body.dataset.refreshed) || 0) + 1);
            if (again) { again = false; refresh(); }
          }
        });
    });
  }
  var source = new EventSource("/console/changes");
  source.onopen = function () { status(true); };
  source.onerror = function () { status(false); };
  source.onmessage = function (m) {
    status(true);
    if (m.data !== last) {
      // the first position may already be older than the page: reading once more costs little
      last = m.data;
      refresh();
    }
  };
})();
