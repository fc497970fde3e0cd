/* Timeline filter: plain JavaScript over the JSON index embedded in index.html.
 * Row i of the table is entry i of the index: [country, group, status, effective date].
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
  var groupKeys = index.map(function (r) { return norm(r[1]); });
  var countryKeys = index.map(function (r) { return String(r[0]).toLowerCase(); });

  function apply() {
    var country = form.elements.country.value.trim().toLowerCase();
    var group = norm(form.elements.group.value);
    var status = form.elements.status.value;
    var from = form.elements.from.value;
    var to = form.elements.to.value;
    var shown = 0;
    for (var i = 0; i < index.length; i++) {
      var r = index[i];
      var ok = (!country || countryKeys[i].indexOf(country) !== -1) &&
               (!group || groupKeys[i].indexOf(group) === 0) &&
               (!status || r[2] === status) &&
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
