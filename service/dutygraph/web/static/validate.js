/* The upload form of /validate, improved when scripts run; without them the form posts as it is.
 *
 * - files dropped on the drop zone join the same file list as the file picker's;
 * - each chosen file shows the format its extension names (the rules of records_input/formats.py and,
 *   for CSV, of templates.template_for_file_name), unknown ones flagged, and nothing is sent while
 *   one is;
 * - the form is sent asynchronously (POST /validate?async=1): the upload's progress, then the job's
 *   state (GET /jobs/ID) until it is done, then the run's page.
 * Everything it needs (formats, templates, words in the page's language) is in the page's
 * <script type="application/json" id="validate-data">; it loads nothing else.
 */
(function () {
  "use strict";
  var form = document.getElementById("upload");
  var dataNode = document.getElementById("validate-data");
  if (!form || !dataNode || !window.FormData || !window.XMLHttpRequest) { return; }
  var data = JSON.parse(dataNode.textContent);
  var words = data.words;
  var templates = data.templates.slice().sort(function (a, b) { return b.length - a.length; });
  document.documentElement.classList.add("js");

  var recordsInput = document.getElementById("files");
  var institutionInput = document.getElementById("institution");
  var dropZone = document.getElementById("drop-zone");
  var progress = document.getElementById("progress");
  var progressBar = document.getElementById("progress-bar");
  var progressText = document.getElementById("progress-text");
  var errorBox = document.getElementById("upload-error");
  var submit = document.getElementById("submit");
  var canReplaceFiles = typeof DataTransfer === "function";

  function extensionOf(name) {
    var dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(dot).toLowerCase() : "";
  }

  function templateOf(name) {
    var stem = name.slice(0, name.length - extensionOf(name).length).toLowerCase();
    for (var i = 0; i < templates.length; i++) {
      var t = templates[i];
      if (stem === t) { return t; }
      for (var j = 0; j < data.separators.length; j++) {
        var tail = data.separators[j] + t;
        if (stem.length > tail.length - 1 && stem.slice(-tail.length) === tail) { return t; }
      }
    }
    return null;
  }

  /* {format, note, ok} for a file name. */
  function detect(name) {
    var format = data.formats[extensionOf(name)];
    if (!format) { return { format: null, note: words.unknown, ok: false }; }
    if (format === "csv") {
      var template = templateOf(name);
      return template ? { format: format, note: words.csv_template + " " + template, ok: true }
                      : { format: format, note: words.csv_no_template, ok: false };
    }
    return { format: format, note: "", ok: true };
  }

  function sizeText(bytes) {
    if (bytes < 1024) { return bytes + " B"; }
    if (bytes < 1048576) { return (bytes / 1024).toFixed(1) + " KiB"; }
    return (bytes / 1048576).toFixed(1) + " MiB";
  }

  function setFiles(input, files) {
    if (!canReplaceFiles) { return false; }
    var transfer = new DataTransfer();
    files.forEach(function (file) { transfer.items.add(file); });
    input.files = transfer.files;
    return true;
  }

  function showList(input, list) {
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file, index) {
      var found = detect(file.name);
      var item = document.createElement("li");
      item.className = found.ok ? "file-ok" : "file-bad";
      var name = document.createElement("span");
      name.className = "file-name";
      name.textContent = file.name;
      var tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = found.format || "?";
      var note = document.createElement("span");
      note.className = "muted";
      note.textContent = " " + sizeText(file.size) + (found.note ? " · " + found.note : "");
      item.appendChild(name);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(tag);
      item.appendChild(note);
      if (canReplaceFiles) {
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link";
        remove.textContent = words.remove;
        remove.addEventListener("click", function () {
          var kept = Array.prototype.filter.call(input.files, function (_, i) { return i !== index; });
          setFiles(input, kept);
          showList(input, list);
        });
        item.appendChild(document.createTextNode(" "));
        item.appendChild(remove);
      }
      list.appendChild(item);
    });
  }

  function allReadable() {
    return [recordsInput, institutionInput].every(function (input) {
      return Array.prototype.every.call(input.files, function (file) { return detect(file.name).ok; });
    });
  }

  function refresh() {
    showList(recordsInput, document.getElementById("file-list"));
    showList(institutionInput, document.getElementById("institution-list"));
    hideError();
  }

  recordsInput.addEventListener("change", refresh);
  institutionInput.addEventListener("change", refresh);

  ["dragenter", "dragover"].forEach(function (type) {
    dropZone.addEventListener(type, function (event) {
      event.preventDefault();
      dropZone.classList.add("drop-active");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    dropZone.addEventListener(type, function () { dropZone.classList.remove("drop-active"); });
  });
  dropZone.addEventListener("drop", function (event) {
    event.preventDefault();
    var dropped = Array.prototype.slice.call(event.dataTransfer.files || []);
    if (!dropped.length) { return; }
    var current = Array.prototype.slice.call(recordsInput.files);
    if (!setFiles(recordsInput, current.concat(dropped))) { recordsInput.files = event.dataTransfer.files; }
    refresh();
  });

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
  }

  function hideError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
  }

  function setBusy(busy) {
    submit.disabled = busy;
    progress.hidden = !busy;
  }

  function state(text, percent) {
    progressText.textContent = text;
    if (percent === null) { progressBar.removeAttribute("value"); } else { progressBar.value = percent; }
  }

  function poll(url) {
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status !== 200) {
        setBusy(false);
        showError(words.failed + ": " + request.responseText);
        return;
      }
      var job = JSON.parse(request.responseText);
      if (job.state === "done") {
        state(words.done, 100);
        window.location.assign(job.run);
      } else if (job.state === "failed") {
        setBusy(false);
        showError(words.failed + ": " + job.error);
      } else {
        state(words[job.state] || job.state, null);
        window.setTimeout(function () { poll(url); }, 1000);
      }
    };
    request.onerror = function () { setBusy(false); showError(words.network); };
    request.send();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    hideError();
    if (!recordsInput.files.length) { showError(words.no_files); return; }
    if (!allReadable()) { showError(words.unknown_blocks); return; }
    var request = new XMLHttpRequest();
    request.open("POST", form.action + "?async=1");
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("Prefer", "respond-async");
    request.upload.onprogress = function (e) {
      state(words.uploading, e.lengthComputable ? Math.round(100 * e.loaded / e.total) : null);
    };
    request.onload = function () {
      if (request.status === 202) {
        var job = JSON.parse(request.responseText);
        state(words.queued, null);
        poll(request.getResponseHeader("Location") || job.url);
      } else {
        setBusy(false);
        showError(request.status === 503 ? words.busy + " " + request.responseText : request.responseText);
      }
    };
    request.onerror = function () { setBusy(false); showError(words.network); };
    setBusy(true);
    state(words.uploading, 0);
    request.send(new FormData(form));
  });
}());
