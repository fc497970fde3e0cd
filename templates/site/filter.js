/* Timeline filter: plain JavaScript over the JSON index embedded in index.html.
 * Row i of the table is entry i of the index: [country, group, status, effective date, list, entity].
 * Entity names match as the store matches them: case, punctuation and "Co., Ltd." forms folded.
 * Without JavaScript the form stays hidden and the full table is shown. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var data = document.getElementById("changes-index");
  var table = document.getElementById("timeline");
  var count = document.getElementById("filter-count");
  if (!form || !data || !table) { return; }
  var index = JSON.parse(data.textContent);
  var rows = table.tBodies[0].rows;
  if (rows.length !== index.length) { return; }   // never hide rows we cannot identify

  function norm(s) { return String(s || "").toLowerCase().replace(/[^a-z0-9]+/g, ""); }
  var FORMS = { company: "co", limited: "ltd", corporation: "corp", incorporated: "inc" };
  function nameKey(s) {   // parsers.model.name_key, for typing: " example co ltd "
    var words = String(s || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/&/g, " and ").replace(/['\u2019]/g, "").split(/[^0-9a-z]+/).filter(Boolean)
      .map(function (w) { return FORMS[w] || w; });
    var merged = [], letters = false;
    words.forEach(function (w) {
      var single = w.length === 1 && /[a-z]/.test(w);
      if (single && letters) { merged[merged.length - 1] += w; } else { merged.push(w); }
      letters = single;
    });
    if (merged[0] === "the") { merged.shift(); }
    return merged.length ? " " + merged.join(" ") + " " : "";
  }
  var groupKeys = index.map(function (r) { return norm(r[1]); });
  var countryKeys = index.map(function (r) { return String(r[0]).toLowerCase(); });
  var entityKeys = index.map(function (r) { return nameKey(r[5]); });

  function apply() {
    var country = form.elements.country.value.trim().toLowerCase();
    var group = norm(form.elements.group.value);
    var status = form.elements.status.value;
    var list = form.elements.list.value;
    var entity = nameKey(form.elements.entity.value);
    var from = form.elements.from.value;
    var to = form.elements.to.value;
    var shown = 0;
    for (var i = 0; i < index.length; i++) {
      var r = index[i];
      var ok = (!country || countryKeys[i].indexOf(country) !== -1) &&
               (!group || groupKeys[i].indexOf(group) === 0) &&
               (!status || r[2] === status) &&
               (!list || r[4] === list) &&
               (!entity || entityKeys[i].indexOf(entity) !== -1) &&
               (!from || (r[3] !== "" && r[3] >= from)) &&
               (!to || (r[3] !== "" && r[3] <= to));
      rows[i].hidden = !ok;
      if (ok) { shown++; }
    }
    count.textContent = shown === index.length ? index.length + " changes"
                                               : shown + " of " + index.length + " changes shown";
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.hidden = false;
  apply();
}());
