(function () {
  "use strict";
  var input = document.getElementById("filter");
  var matches = document.getElementById("matches");
  var outcome = "";

  // Rows open and close their spec list: click, Enter or Space.
  function toggle(row) {
    var list = row.nextElementSibling;
    var open = row.getAttribute("aria-expanded") !== "true";
    row.setAttribute("aria-expanded", open ? "true" : "false");
    list.classList.toggle("hidden", !open);
  }
  document.querySelectorAll("tr.action").forEach(function (row) {
    row.addEventListener("click", function () { toggle(row); });
    row.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(row); }
    });
  });

  // A spec's "details" link opens its failure.
  function openFailure(id) {
    var d = document.getElementById(id);
    if (d && d.tagName === "DETAILS") { d.open = true; d.scrollIntoView({block: "start"}); }
  }
  document.querySelectorAll("a.tofailure").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault(); e.stopPropagation();
      var id = a.getAttribute("href").slice(1);
      history.replaceState(null, "", "#" + id);
      openFailure(id);
    });
  });
  if (location.hash.indexOf("#f-") === 0) { openFailure(location.hash.slice(1)); }

  // A token with a colon (action:X, code:Y, needs:control) is a label prefix; any other
  // token is looked for in the spec's text, labels and outcome.
  function tokens() {
    return input.value.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
  }
  function matchTokens(el, toks) {
    var search = el.getAttribute("data-search") || "";
    var labels = (el.getAttribute("data-labels") || "").split(" ");
    return toks.every(function (t) {
      if (t.indexOf(":") > 0) {
        return labels.some(function (l) { return l.indexOf(t) === 0; });
      }
      return search.indexOf(t) >= 0;
    });
  }
  function matchSpec(el, toks) {
    return (outcome === "" || el.getAttribute("data-outcome") === outcome) && matchTokens(el, toks);
  }

  function apply() {
    var toks = tokens();
    var filtering = toks.length > 0 || outcome !== "";
    var shown = 0, total = 0;
    document.querySelectorAll("tr.action").forEach(function (row) {
      var items = row.nextElementSibling.querySelectorAll("li.spec");
      var n = 0;
      items.forEach(function (li) {
        var ok = matchSpec(li, toks);
        li.classList.toggle("hidden", !ok);
        if (ok) { n++; }
      });
      // An action no spec ran for still shows when its name is asked for.
      var named = items.length === 0 && outcome === "" && toks.length > 0 && toks.every(function (t) {
        return (row.getAttribute("data-search") || "").indexOf(t) >= 0;
      });
      row.classList.toggle("hidden", filtering && n === 0 && !named);
      if (row.classList.contains("hidden")) { row.nextElementSibling.classList.add("hidden"); }
      else if (row.getAttribute("aria-expanded") === "true") { row.nextElementSibling.classList.remove("hidden"); }
    });
    document.querySelectorAll("tbody.group").forEach(function (g) {
      g.classList.toggle("hidden", g.querySelectorAll("tr.action:not(.hidden)").length === 0);
    });
    document.querySelectorAll("details.failure").forEach(function (d) {
      d.classList.toggle("hidden", !matchSpec(d, toks));
    });
    document.querySelectorAll("details.skipgroup").forEach(function (g) {
      var n = 0;
      g.querySelectorAll("li.spec").forEach(function (li) {
        var ok = matchSpec(li, toks);
        li.classList.toggle("hidden", !ok);
        if (ok) { n++; }
      });
      g.classList.toggle("hidden", n === 0);
    });
    // Count each spec once: a spec that names several actions sits in several rows.
    var seen = {};
    document.querySelectorAll("#matrix li.spec").forEach(function (li) {
      var k = li.getAttribute("data-id");
      if (!(k in seen)) { seen[k] = false; total++; }
      if (!li.classList.contains("hidden") && !seen[k]) { seen[k] = true; shown++; }
    });
    matches.textContent = filtering ? shown + " of " + total + " specs match" : total + " specs";
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 80);
  });
  document.querySelectorAll("button.outcome").forEach(function (b) {
    b.addEventListener("click", function () {
      outcome = b.getAttribute("data-outcome");
      document.querySelectorAll("button.outcome").forEach(function (o) {
        o.setAttribute("aria-pressed", o === b ? "true" : "false");
      });
      apply();
    });
  });
  apply();
})();
