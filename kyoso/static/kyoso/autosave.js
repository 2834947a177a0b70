// Autosave for the survey answering pages (progressive enhancement: without this file
// the 保存 buttons do the same). Typed input is also kept in this browser's storage until
// the server has it, so a lost connection or a closed tab loses nothing.
(function () {
  "use strict";
  var form = document.querySelector("form.answer-form[data-autosave='on']");
  if (!form || !window.fetch) { return; }
  var status = document.getElementById("autosave-status");
  var key = form.getAttribute("data-storage-key");
  var revisionInput = form.querySelector("input[name='revision']");
  var timer = null;
  var saving = false;
  var pending = false;

  function say(text) { if (status) { status.textContent = text; } }

  function snapshot() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "revision") { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        data[el.name] = data[el.name] || [];
        if (el.checked) { data[el.name].push(el.value); }
      } else if (el.tagName !== "BUTTON") {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function remember() {
    try {
      localStorage.setItem(key, JSON.stringify({ revision: revisionInput.value, values: snapshot() }));
    } catch (e) { /* storage full or disabled: the server copy is still saved */ }
  }

  function forget() { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }

  function restore() {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    // Only input typed on top of the revision now on the server is put back; anything
    // older could overwrite someone else's later answers.
    if (!saved || saved.revision !== revisionInput.value) { forget(); return; }
    Object.keys(saved.values).forEach(function (name) {
      var value = saved.values[name];
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== name) { return; }
        if (el.type === "radio" || el.type === "checkbox") {
          el.checked = value.indexOf(el.value) !== -1;
        } else { el.value = value; }
      });
    });
    say("保存されていなかった入力を復元しました。");
    schedule();
  }

  function save() {
    if (saving) { pending = true; return; }
    saving = true;
    say("保存しています…");
    var body = new FormData(form);
    fetch(window.location.href, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Kyoso-Autosave": "1" }
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }).then(function (result) {
      saving = false;
      if (result.json.revision !== undefined) {
        revisionInput.value = String(result.json.revision);
        var errors = Object.keys(result.json.errors || {});
        if (errors.length) {
          remember();
          say("自動保存しました（入力に誤りのある設問は保存していません。ページ下の「保存」で確認できます）。");
        } else {
          forget();
          say("自動保存しました（" + new Date().toLocaleTimeString("ja-JP") + "）。");
        }
      } else {
        remember();
        say(result.json.message || result.json.error || "自動保存できませんでした。入力はこのブラウザーに残っています。");
      }
      if (pending) { pending = false; schedule(); }
    }).catch(function () {
      saving = false;
      remember();
      say("通信できないため自動保存できませんでした。入力はこのブラウザーに残っています。");
    });
  }

  function schedule() {
    remember();
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1500);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function () { forget(); });
  restore();
})();
