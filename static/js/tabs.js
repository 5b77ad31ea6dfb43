/* Tabs for the per-language texts of a listing (templates/accounts/workspace/_languages.html).
 *
 * Progressive enhancement: without JavaScript the languages are plain fieldsets one after the
 * other. With it, each [data-tabs] container gets a tab list following the WAI-ARIA tabs pattern:
 * one tab in the Tab order, arrow keys (and Home/End) move between tabs and show their panel.
 * A panel with an error opens first, and a link to a field in a hidden panel (the error summary)
 * opens that panel before the browser moves to the field.
 */
(function () {
  "use strict";

  function setUp(container, index) {
    var panels = Array.prototype.slice.call(container.querySelectorAll("[data-tab-panel]"));
    if (panels.length < 2) return;
    var list = document.createElement("div");
    list.setAttribute("role", "tablist");
    list.className = "tablist";
    list.setAttribute("aria-label", container.getAttribute("data-tabs-label") || "");
    var tabs = panels.map(function (panel, i) {
      var tab = document.createElement("button");
      tab.type = "button";
      tab.className = "tab";
      tab.id = "tab-" + index + "-" + i;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panel.id);
      tab.textContent = panel.getAttribute("data-tab-label");
      var problem = panel.getAttribute("data-tab-errors");
      if (problem) {
        var note = document.createElement("span");
        note.className = "tab-problem";
        note.textContent = " (" + problem + ")";
        tab.appendChild(note);
      }
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      list.appendChild(tab);
      return tab;
    });
    container.insertBefore(list, panels[0]);
    container.classList.add("tabs-ready");

    function select(i, focus) {
      tabs.forEach(function (tab, j) {
        var selected = i === j;
        tab.setAttribute("aria-selected", selected ? "true" : "false");
        tab.tabIndex = selected ? 0 : -1;
        panels[j].hidden = !selected;
      });
      if (focus) tabs[i].focus();
    }

    list.addEventListener("click", function (event) {
      var i = tabs.indexOf(event.target.closest("[role=tab]"));
      if (i >= 0) select(i, false);
    });
    list.addEventListener("keydown", function (event) {
      var i = tabs.indexOf(document.activeElement);
      if (i < 0) return;
      var next = {
        ArrowRight: (i + 1) % tabs.length,
        ArrowLeft: (i - 1 + tabs.length) % tabs.length,
        Home: 0,
        End: tabs.length - 1,
      }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      select(next, true);
    });
    // A link to a field inside a hidden panel (e.g. from the error summary) opens its tab first.
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      var panel = target && target.closest("[data-tab-panel]");
      if (panel && container.contains(panel)) select(panels.indexOf(panel), false);
    });

    // Open first: a language with an error, else the page's language if it has text, else the
    // first language with text, else the page's language.
    function hasText(panel) {
      return Array.prototype.some.call(panel.querySelectorAll("input, textarea"), function (f) {
        return f.value.trim() !== "";
      });
    }
    var language = container.getAttribute("data-tabs-default");
    var own = panels.findIndex(function (p) { return p.getAttribute("data-tab-code") === language; });
    var first = panels.findIndex(function (p) { return p.hasAttribute("data-tab-errors"); });
    if (first < 0 && own >= 0 && hasText(panels[own])) first = own;
    if (first < 0) first = panels.findIndex(hasText);
    if (first < 0) first = own;
    select(Math.max(first, 0), false);
  }

  document.querySelectorAll("[data-tabs]").forEach(setUp);
})();
