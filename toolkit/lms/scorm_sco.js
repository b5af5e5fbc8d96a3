/* SafeShare's SCORM 1.2 SCO: opens the hosted learner app and reports to the LMS.
 *
 * The LMS opens sco-<scenario>.html (this script's page) with a SCORM 1.2 API in a parent
 * window. The page:
 *   1. finds the API and calls LMSInitialize;
 *   2. asks SafeShare for the learner's page (POST <api>/scorm/launch) with the LMS's student
 *      id and the secret SafeShare gave this learner before, kept by the LMS in
 *      cmi.suspend_data: same secret, same SafeShare learner, so a relaunch resumes;
 *   3. shows the app in a frame, and every few seconds reads the learner's progress
 *      (POST <api>/scorm/status), reporting lesson_location as they answer;
 *   4. once the scenario is finished, sets cmi.core.score.raw/min/max, lesson_status
 *      (completed, or passed/failed against the package's pass mark) and session_time,
 *      commits and calls LMSFinish. Leaving earlier commits the session time and finishes.
 * Nothing here loads from any other address than the LMS's and SafeShare's own.
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("ss-config").textContent);
  var statusBox = document.getElementById("ss-status");
  var frame = document.getElementById("ss-app");
  var SECRET_PREFIX = "safeshare:";
  var POLL_MS = 3000;
  var started = Date.now();
  var api = null;
  var finished = false;
  var timer = null;
  var answered = -1;
  var failures = 0;

  function say(text) {
    statusBox.textContent = text;
    statusBox.hidden = false;
  }

  function findIn(win) {
    for (var hops = 0; win && hops < 10; hops++) {
      if (win.API) return win.API;
      if (!win.parent || win.parent === win) break;
      win = win.parent;
    }
    return null;
  }

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) text = "0" + text;
    return text;
  }

  // SCORM 1.2 CMITimespan: HHHH:MM:SS.SS
  function timespan(ms) {
    var seconds = Math.floor(ms / 1000);
    return pad(Math.floor(seconds / 3600), 4) + ":" + pad(Math.floor((seconds % 3600) / 60), 2) +
      ":" + pad(seconds % 60, 2) + ".00";
  }

  function set(name, value) {
    api.LMSSetValue(name, String(value));
  }

  function post(path, body) {
    return fetch(config.api + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || "SafeShare answered " + response.status);
        return data;
      });
    });
  }

  function finish() {
    if (finished || !api) return;
    finished = true;
    if (timer) clearInterval(timer);
    set("cmi.core.session_time", timespan(Date.now() - started));
    api.LMSCommit("");
    api.LMSFinish("");
  }

  function report(progress) {
    failures = 0;
    if (progress.answered !== answered) {
      answered = progress.answered;
      set("cmi.core.lesson_location", "decision-" + answered);
      api.LMSCommit("");
    }
    if (!progress.finished) return;
    var raw = Math.round(progress.score * 100);
    set("cmi.core.score.raw", raw);
    set("cmi.core.score.min", 0);
    set("cmi.core.score.max", 100);
    var passMark = config.passMark;
    set("cmi.core.lesson_status",
      passMark === null ? "completed" : (raw >= passMark ? "passed" : "failed"));
    finish();
  }

  function poll(token) {
    post("/scorm/status", { status: token }).then(report, function () {
      failures += 1;
      if (failures === 5) say("SafeShare cannot be reached just now; your answers are saved.");
    });
  }

  api = findIn(window) || (window.opener ? findIn(window.opener) : null);
  if (!api) {
    say("Open this activity from your learning platform: it needs the platform's SCORM API.");
    return;
  }
  api.LMSInitialize("");
  var status = api.LMSGetValue("cmi.core.lesson_status");
  if (!status || status === "not attempted") set("cmi.core.lesson_status", "incomplete");
  var kept = api.LMSGetValue("cmi.suspend_data") || "";
  post("/scorm/launch", {
    package: config.package,
    scenario: config.scenario,
    student: api.LMSGetValue("cmi.core.student_id"),
    secret: kept.indexOf(SECRET_PREFIX) === 0 ? kept.slice(SECRET_PREFIX.length) : ""
  }).then(function (launch) {
    set("cmi.suspend_data", SECRET_PREFIX + launch.secret);
    api.LMSCommit("");
    frame.src = launch.app;
    frame.hidden = false;
    statusBox.hidden = true;
    timer = setInterval(function () { poll(launch.status); }, POLL_MS);
  }, function (error) {
    say("SafeShare could not open this activity: " + error.message);
  });
  window.addEventListener("pagehide", finish);
})();
