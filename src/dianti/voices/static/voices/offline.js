/* The recording page with no signal (voices/record.html). Every record is first kept on the phone (localStorage,
   one list per signed-in user) under a key drawn here, then sent; it leaves the phone only once the server has
   answered that it holds it. A record sent twice — the answer lost, the page closed mid-send — is one opinion: the
   server returns the first for a key it has seen (voices/offline.py). A record the server refuses stays on the
   phone with the reason, to be corrected. Before each round the page asks who is signed in and for a fresh CSRF
   token, so an expired session only asks to sign in again and loses nothing. */
(function () {
  "use strict";
  var box = document.getElementById("offline-queue"), form = document.getElementById("record-form");
  var textsNode = document.getElementById("offline-texts");
  if (!box || !form || !window.localStorage || !window.fetch || !window.FormData) return;
  var T = textsNode ? JSON.parse(textsNode.textContent) : {};
  var STORE = "dianti.record.queue." + box.getAttribute("data-user");
  var list = document.getElementById("offline-list"), sent = document.getElementById("offline-sent");
  var status = document.getElementById("offline-status"), count = document.getElementById("offline-count");
  var loginNote = document.getElementById("offline-login"), sendButton = document.getElementById("offline-send");
  var busy = false, editing = null, delay = 5000, timer = null;

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function load() { try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return []; } }
  function save(records) { localStorage.setItem(STORE, JSON.stringify(records)); }
  function say(text) { status.textContent = text || ""; }

  function fieldsOf() {
    var out = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") out[name] = value;
    });
    return out;
  }

  function item(record) {
    var li = document.createElement("li"), what = document.createElement("div"), why = document.createElement("div");
    li.className = "offline-item" + (record.message ? " invalid" : "");
    li.setAttribute("data-key", record.key);
    what.className = "offline-what";
    what.textContent = (record.fields.organization || "") + " · " + (record.fields.text || "").slice(0, 40);
    why.className = record.message ? "error-text" : "muted";
    why.textContent = record.message ? T.invalid + record.message : T.pending;
    li.appendChild(what); li.appendChild(why);
    [["edit", T.edit], ["drop", T.drop]].forEach(function (pair) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "secondary small"; b.setAttribute("data-act", pair[0]); b.textContent = pair[1];
      li.appendChild(b);
    });
    return li;
  }

  function draw() {
    var records = load();
    list.textContent = "";
    records.forEach(function (r) { list.appendChild(item(r)); });
    count.textContent = String(records.length);
    box.hidden = records.length === 0 && !sent.children.length && loginNote.hidden;
    sendButton.hidden = records.length === 0;
  }

  function keep(event) {
    event.preventDefault();
    var records = load(), key = editing || newKey();
    records = records.filter(function (r) { return r.key !== key; });
    records.push({key: key, fields: fieldsOf(), savedAt: new Date().toISOString(), message: ""});
    save(records);
    editing = null;
    ["title", "text", "name", "phone"].forEach(function (n) { if (form.elements[n]) form.elements[n].value = ""; });
    say(T.kept);
    draw();
    sendAll();
  }

  function fill(record) {
    Object.keys(record.fields).forEach(function (name) {
      var field = form.elements[name];
      if (field && field.type !== "file") field.value = record.fields[name];
    });
    editing = record.key;
    form.scrollIntoView();
  }

  list.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-act]");
    if (!b) return;
    var key = b.closest("li").getAttribute("data-key"), records = load();
    var record = records.filter(function (r) { return r.key === key; })[0];
    if (!record) return;
    if (b.getAttribute("data-act") === "edit") fill(record);
    else if (window.confirm(T.confirm_drop)) save(records.filter(function (r) { return r.key !== key; }));
    draw();
  });

  function state() {
    return fetch(box.getAttribute("data-state"), {credentials: "same-origin", redirect: "manual",
                                                  headers: {"Accept": "application/json"}})
      .then(function (r) { return r.type === "opaqueredirect" || r.status === 401 ? null : r.ok ? r.json() : Promise.reject(r); });
  }

  function post(record, csrf) {
    var body = new FormData();
    Object.keys(record.fields).forEach(function (n) { body.append(n, record.fields[n]); });
    body.append("client_key", record.key);
    return fetch(box.getAttribute("data-sync"), {method: "POST", body: body, credentials: "same-origin",
                                                 redirect: "manual", headers: {"X-CSRFToken": csrf}});
  }

  function settle(record, response) {
    if (response.status === 200 || response.status === 201) {
      return response.json().then(function (d) {
        save(load().filter(function (r) { return r.key !== record.key; }));
        var li = document.createElement("li");
        li.className = "offline-item done";
        li.textContent = T.sent.replace("__CODE__", d.tracking_code) + " · " + (record.fields.text || "").slice(0, 30);
        sent.insertBefore(li, sent.firstChild);
        draw();
        return "ok";
      });
    }
    if (response.status === 400) {
      return response.json().then(function (d) {
        save(load().map(function (r) { if (r.key === record.key) r.message = d.message; return r; }));
        draw();
        return "ok";
      });
    }
    if (response.type === "opaqueredirect") return "login";
    if (response.status === 403) return "forbidden";
    return "later";
  }

  function later(text) {
    say(text);
    clearTimeout(timer);
    timer = setTimeout(sendAll, delay);
    delay = Math.min(delay * 2, 60000);
  }

  function sendAll() {
    var waiting = load().filter(function (r) { return !r.message; });
    if (busy || !waiting.length) { draw(); return; }
    if (!navigator.onLine) { later(T.offline); return; }
    busy = true;
    say(T.sending);
    state().then(function (me) {
      if (!me) return "login";
      loginNote.hidden = true;
      if (String(me.user) !== box.getAttribute("data-user")) return "other";
      return waiting.reduce(function (chain, record) {
        return chain.then(function (outcome) {
          return outcome !== "ok" ? outcome : post(record, me.csrf).then(function (r) { return settle(record, r); });
        });
      }, Promise.resolve("ok"));
    }).then(function (outcome) {
      busy = false;
      if (outcome === "login") { loginNote.hidden = false; say(T.login); }
      else if (outcome === "other") say(T.other_user);
      else if (outcome === "forbidden") say(T.forbidden);
      else if (outcome === "later") later(T.retrying);
      else {
        delay = 5000;
        var invalid = load().filter(function (r) { return r.message; }).length;
        say(invalid ? T.fix.replace("__N__", invalid) : T.all_sent);
      }
      draw();
    }, function () {
      busy = false;
      later(T.offline);
      draw();
    });
  }

  form.addEventListener("submit", keep);
  sendButton.addEventListener("click", function () { delay = 5000; sendAll(); });
  window.addEventListener("online", function () { delay = 5000; sendAll(); });
  window.addEventListener("offline", function () { say(T.offline); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(box.getAttribute("data-sw"), {scope: box.getAttribute("data-scope")})
      .catch(function () {});
  }
  draw();
  sendAll();
})();
