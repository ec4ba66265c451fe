/* triage report: sort the jobs table by any column, and show a job's excerpt under its row.
   Inlined into the report; it reads the table the page already holds and loads nothing. */
"use strict";
(function () {
  var table = document.getElementById("jobs");
  if (!table) {
    return;
  }
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  // A cell's sort key: its data-key when it has one (numbers, stages), else its text; "" is empty.
  function keyOf(body, column) {
    var cell = body.rows[0].cells[column];
    var key = cell.hasAttribute("data-key") ? cell.getAttribute("data-key") : cell.textContent;
    return key.trim();
  }

  // Empty values go last in either direction; equal keys keep the order the jobs had.
  function sortBy(column, numeric, ascending) {
    var bodies = Array.prototype.slice.call(table.tBodies).map(function (body, index) {
      return { body: body, key: keyOf(body, column), index: index };
    });
    bodies.sort(function (a, b) {
      if (a.key === "" || b.key === "") {
        return (a.key === "") - (b.key === "") || a.index - b.index;
      }
      var order = numeric ? parseFloat(a.key) - parseFloat(b.key) : collator.compare(a.key, b.key);
      return (ascending ? order : -order) || a.index - b.index;
    });
    var sorted = document.createDocumentFragment();
    bodies.forEach(function (entry) { sorted.appendChild(entry.body); });
    table.appendChild(sorted);
  }

  headers.forEach(function (header, column) {
    var button = header.querySelector("button");
    if (!button) {
      return;
    }
    button.addEventListener("click", function () {
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      sortBy(column, header.getAttribute("data-type") === "number", ascending);
    });
  });

  function toggle(row) {
    var button = row.querySelector("button.toggle");
    var detail = document.getElementById(button.getAttribute("aria-controls"));
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    detail.hidden = !open;
  }

  // A click anywhere on a job's row opens it; the toggle button in the row is what the keyboard
  // reaches (Enter and Space click it). A click that ends a text selection is left alone.
  table.addEventListener("click", function (event) {
    var row = event.target.closest("tr.job");
    if (!row || !table.contains(row)) {
      return;
    }
    var onButton = event.target.closest("button.toggle") !== null;
    if (!onButton && String(window.getSelection()) !== "") {
      return;
    }
    toggle(row);
  });
})();
