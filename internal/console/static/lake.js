// keytrail console, Lake query editor: optional niceties; the editor works without this script.
// Picking a store fills the FROM line; saved queries live in this browser's localStorage, as the
// CloudTrail console keeps them ("saved queries are tied to your browser").
(function () {
  var picker = document.getElementById("store-picker");
  var sql = document.getElementById("sql");
  if (!picker || !sql) return;
  var from = /(\bFROM\s+)([^\s;,()]+)/i;
  var useStore = document.getElementById("use-store");
  if (useStore) useStore.hidden = true;
  picker.addEventListener("change", function () {
    if (picker.value) sql.value = sql.value.replace(from, "$1" + picker.value);
  });

  var storageKey = "keytrail-console.savedQueries";
  function load() {
    try { return JSON.parse(localStorage.getItem(storageKey) || "[]"); } catch (e) { return []; }
  }
  function store(list) { localStorage.setItem(storageKey, JSON.stringify(list)); }
  var box = document.getElementById("save-box");
  var section = document.getElementById("saved");
  var body = document.querySelector("#saved-queries tbody");
  if (!box || !section || !body || !window.localStorage) return;
  box.hidden = false;
  section.hidden = false;

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }
  function button(td, label, cls, fn) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = label;
    b.addEventListener("click", fn);
    td.appendChild(b);
  }
  function render() {
    var list = load();
    body.textContent = "";
    if (list.length === 0) {
      var empty = document.createElement("tr");
      var td = cell(empty, "No saved queries in this browser.");
      td.colSpan = 4;
      td.className = "empty";
      body.appendChild(empty);
      return;
    }
    list.forEach(function (q, i) {
      var row = document.createElement("tr");
      row.className = "saved-query";
      cell(row, q.name);
      cell(row, q.description || "");
      var code = document.createElement("pre");
      code.textContent = q.sql;
      cell(row, "").appendChild(code);
      var actions = cell(row, "");
      button(actions, "Open", "open-saved", function () { sql.value = q.sql; sql.focus(); });
      button(actions, "Delete", "delete-saved", function () {
        var all = load();
        all.splice(i, 1);
        store(all);
        render();
      });
      body.appendChild(row);
    });
  }
  document.getElementById("save-query").addEventListener("click", function () {
    var name = document.getElementById("save-name").value.trim();
    if (!name) { document.getElementById("save-name").focus(); return; }
    var list = load();
    list.push({ name: name, description: document.getElementById("save-description").value.trim(), sql: sql.value, saved: new Date().toISOString() });
    store(list);
    render();
  });
  render();
})();
