// The flow editor: node cards built from the flow's JSON, checked by the server as you type.
(function () {
  "use strict";

  var TYPES = [["decision", "Question"], ["action", "Action"], ["solution", "Solution"]];
  var form = document.getElementById("editor-form");
  var dataEl = document.getElementById("editor-data");
  if (!form || !dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var tree = normalise(data.tree);
  var problems = data.problems || [];
  var cards = document.getElementById("node-cards");
  var jsonBox = document.getElementById("tree-json");
  var statusEl = document.getElementById("validation-status");
  var treeProblems = document.getElementById("tree-problems");
  var diagramHost = document.getElementById("editor-diagram");
  var publish = document.getElementById("publish");
  var publishHint = document.getElementById("publish-hint");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var sequence = 0;
  var timer = null;
  // Cards open for editing; the others show one summary line, so a long flow stays short.
  var expanded = new Set();
  var COLLAPSE_FROM = 5;

  function normalise(value) {
    var root = value && typeof value === "object" && !Array.isArray(value) ? value : {};
    if (!Array.isArray(root.children)) root.children = [];
    if (!Array.isArray(root.options)) root.options = [];
    root.children.forEach(function (node) {
      if (node && typeof node === "object" && !Array.isArray(node.options)) node.options = [];
    });
    return root;
  }

  function nodes() {
    return [tree].concat(tree.children.filter(function (n) { return n && typeof n === "object"; }));
  }

  function nodeIds() {
    return nodes().map(function (n) { return n.id; }).filter(function (id) { return typeof id === "string" && id; });
  }

  function freshId(prefix) {
    var taken = {};
    nodeIds().forEach(function (id) { taken[id] = true; });
    nodes().forEach(function (n) { (n.options || []).forEach(function (o) { if (o && o.id) taken[o.id] = true; }); });
    var n = 1;
    while (taken[prefix + "-" + n]) n += 1;
    return prefix + "-" + n;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "value") node.value = attrs[key];
      else if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function textField(id, label, value, onInput, multiline) {
    var input = el(multiline ? "textarea" : "input", { id: id, type: multiline ? null : "text", rows: multiline ? "2" : null });
    input.value = value == null ? "" : String(value);
    input.addEventListener("input", function () { onInput(input.value); changed(false); });
    return el("div", { "class": "field" + (multiline ? " full" : "") }, [el("label", { "for": id, text: label }), input]);
  }

  function targetSelect(id, label, current, selfId, onChange) {
    var select = el("select", { id: id });
    select.appendChild(el("option", { value: "", text: "— leads nowhere yet —" }));
    nodes().forEach(function (n) {
      if (typeof n.id !== "string" || !n.id || n.id === selfId) return;
      var name = n.title || n.question || "";
      select.appendChild(el("option", { value: n.id, text: n.id + (name ? " · " + String(name).slice(0, 48) : "") }));
    });
    if (current && nodeIds().indexOf(current) < 0) {
      select.appendChild(el("option", { value: current, text: current + " (missing)" }));
    }
    TYPES.forEach(function (t) {
      select.appendChild(el("option", { value: "__new__:" + t[0], text: "+ New " + t[1].toLowerCase() + " node" }));
    });
    select.value = current || "";
    select.addEventListener("change", function () {
      var value = select.value;
      if (value.indexOf("__new__:") === 0) {
        var type = value.slice(8);
        var created = newNode(type);
        onChange(created.id);
        rebuild("n-" + created.id + "-title");
        return;
      }
      onChange(value || null);
      changed(true);
    });
    return el("div", { "class": "field" }, [el("label", { "for": id, text: label }), select]);
  }

  function newNode(type) {
    var node = { id: freshId(type === "decision" ? "question" : type), type: type, title: "", options: [], next_node_id: null };
    if (type === "decision") node.question = "";
    else node.description = "";
    tree.children.push(node);
    expanded.add(node);
    return node;
  }

  function button(text, cls, onClick, label) {
    var b = el("button", { type: "button", "class": "btn btn-small " + (cls || ""), text: text, "aria-label": label || null });
    b.addEventListener("click", onClick);
    return b;
  }

  function card(node, index) {
    var isRoot = node === tree;
    var key = "n" + index;
    var typeName = (TYPES.filter(function (t) { return t[0] === node.type; })[0] || [null, "Node"])[1];
    var open = expanded.has(node);
    var summary = String(node.title || node.question || "").slice(0, 70);
    var toggle = el("button", {
      type: "button", "class": "node-toggle", "aria-expanded": open ? "true" : "false",
      "aria-controls": "body-" + key, id: "toggle-" + key,
    }, [
      el("strong", { text: isRoot ? "Start · " + typeName : typeName }), document.createTextNode(" "),
      el("span", { "class": "node-id", text: node.id || "(no id)" }),
      el("span", { "class": "node-summary", text: summary ? " · " + summary : "" }),
      el("span", { "class": "node-problem-count", hidden: "" }),
    ]);
    toggle.addEventListener("click", function () {
      if (expanded.has(node)) expanded.delete(node); else expanded.add(node);
      var nowOpen = expanded.has(node);
      toggle.setAttribute("aria-expanded", nowOpen ? "true" : "false");
      document.getElementById("body-" + key).hidden = !nowOpen;
      if (nowOpen) {
        var first = document.getElementById("body-" + key).querySelector("input, select, textarea");
        if (first) first.focus();
      }
    });
    var header = el("header", {}, [toggle]);
    if (!isRoot) {
      header.appendChild(button("Remove", "btn-danger", function () {
        tree.children.splice(tree.children.indexOf(node), 1);
        rebuild(null);
      }, "Remove node " + (node.id || "")));
    }
    var typeSelect = el("select", { id: key + "-type" });
    TYPES.forEach(function (t) { typeSelect.appendChild(el("option", { value: t[0], text: t[1] })); });
    typeSelect.value = node.type || "";
    typeSelect.addEventListener("change", function () {
      node.type = typeSelect.value;
      if (node.type === "solution") { node.next_node_id = null; }
      if (node.type === "decision" && node.question == null) node.question = "";
      rebuild(key + "-type");
    });
    var fields = el("div", { "class": "node-fields" }, [
      el("div", { "class": "field" }, [el("label", { "for": key + "-type", text: "Type" }), typeSelect]),
      textField(key + "-title", "Title", node.title, function (v) { node.title = v; }),
    ]);
    if (node.type === "decision") {
      fields.appendChild(el("div", { "class": "full" }, [textField(key + "-question", "Question", node.question, function (v) { node.question = v; })]));
    }
    if (isRoot) {
      fields.appendChild(textField(key + "-help", "Help text", node.help_text, function (v) { node.help_text = v; }, true));
    }
    if (node.type !== "decision" || node.description) {
      fields.appendChild(textField(key + "-description", "Description", node.description, function (v) { node.description = v; }, true));
    }
    if (node.type === "action") {
      fields.appendChild(targetSelect(key + "-next", "Then go to", node.next_node_id, node.id, function (v) { node.next_node_id = v; }));
    }
    var body = [fields];
    if (node.type === "decision" || (node.options && node.options.length)) {
      var list = el("div", { "class": "options" }, [el("h3", { text: "Options", style: "margin:.75rem 0 .1rem;font-size:.9rem" })]);
      node.options.forEach(function (option, i) {
        var okey = key + "-o" + i;
        list.appendChild(el("div", { "class": "option-row", "data-option-id": option.id || "" }, [
          textField(okey + "-label", "Option " + (i + 1) + " label", option.label, function (v) { option.label = v; }),
          targetSelect(okey + "-target", "Leads to", option.next_node_id, node.id, function (v) { option.next_node_id = v; }),
          button("Remove", "", function () { node.options.splice(i, 1); rebuild(null); }, "Remove option " + (i + 1)),
        ]));
      });
      list.appendChild(el("div", { "class": "actions", style: "margin-top:.5rem" }, [
        button("Add option", "", function () {
          node.options.push({ id: freshId((node.id || "node") + "-opt"), label: "", next_node_id: null });
          expanded.add(node);
          rebuild(key + "-o" + (node.options.length - 1) + "-label");
        }),
      ]));
      body.push(list);
    }
    var inner = el("div", { "class": "node-body", id: "body-" + key, hidden: open ? null : "" }, body);
    return el("article", {
      "class": "node-card" + (open ? " open" : ""), "data-node-id": node.id || "", "data-type": node.type || "",
      id: "card-" + key,
    }, [header, el("ul", { "class": "problems", hidden: "" }), inner]);
  }

  function rebuild(focusId) {
    cards.textContent = "";
    nodes().forEach(function (node, index) { cards.appendChild(card(node, index)); });
    showProblems();
    if (focusId) {
      var target = document.getElementById(focusId);
      if (target) target.focus();
    }
    changed(true);
  }

  function showProblems() {
    var byNode = {};
    problems.forEach(function (p) { (byNode[p.location] = byNode[p.location] || []).push(p.message); });
    cards.querySelectorAll(".node-card").forEach(function (c) {
      var list = c.querySelector(".problems");
      var mine = byNode[c.getAttribute("data-node-id")] || [];
      list.textContent = "";
      mine.forEach(function (m) { list.appendChild(el("li", { text: m })); });
      list.hidden = mine.length === 0;
      c.classList.toggle("has-problem", mine.length > 0);
      var count = c.querySelector(".node-problem-count");
      if (count) {
        count.textContent = mine.length ? mine.length + " problem" + (mine.length === 1 ? "" : "s") : "";
        count.hidden = mine.length === 0;
      }
    });
    var known = {};
    nodeIds().forEach(function (id) { known[id] = true; });
    var general = problems.filter(function (p) { return !known[p.location]; });
    treeProblems.textContent = "";
    general.forEach(function (p) {
      treeProblems.appendChild(el("li", { text: (p.location === "tree_structure" ? "" : p.location + ": ") + p.message }));
    });
    treeProblems.hidden = general.length === 0;
    var ok = problems.length === 0;
    statusEl.textContent = ok ? "Valid: ready to publish" : problems.length + " problem" + (problems.length === 1 ? "" : "s") + " to fix before publishing";
    statusEl.className = "status-line " + (ok ? "status-ok" : "status-bad");
    publish.disabled = !ok;
    publishHint.textContent = ok ? "" : "Fix the problems first: each is listed at its node.";
  }

  function changed(now) {
    jsonBox.value = JSON.stringify(tree, null, 2);
    clearTimeout(timer);
    timer = setTimeout(check, now ? 0 : 350);
  }

  function check() {
    var mine = ++sequence;
    fetch("/flows/validate", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ tree: tree }),
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) throw new Error("the check failed (" + response.status + ")");
      return response.json();
    }).then(function (result) {
      if (mine !== sequence) return;
      problems = result.problems;
      diagramHost.innerHTML = result.svg;
      if (window.rfSizeDiagrams) window.rfSizeDiagrams(diagramHost.parentNode);
      showProblems();
    }).catch(function (error) {
      if (mine !== sequence) return;
      statusEl.textContent = "Could not check the flow: " + error.message + ". Publishing still checks it.";
      statusEl.className = "status-line status-bad";
    });
  }

  diagramHost.addEventListener("click", function (event) {
    var node = event.target.closest("[data-node]");
    if (!node) return;
    var id = node.getAttribute("data-node");
    var target = Array.prototype.filter.call(cards.querySelectorAll(".node-card"), function (c) {
      return c.getAttribute("data-node-id") === id;
    })[0];
    if (!target) return;
    var toggle = target.querySelector(".node-toggle");
    if (toggle && toggle.getAttribute("aria-expanded") !== "true") toggle.click();
    target.scrollIntoView({ behavior: "smooth", block: "center" });
    var input = target.querySelector("input, select, textarea");
    if (input) input.focus({ preventScroll: true });
    target.classList.add("flash-focus");
    setTimeout(function () { target.classList.remove("flash-focus"); }, 1200);
  });

  jsonBox.addEventListener("change", function () {
    try {
      tree = normalise(JSON.parse(jsonBox.value));
      openDefault();
      rebuild(null);
    } catch (error) {
      statusEl.textContent = "The JSON is not valid: " + error.message;
      statusEl.className = "status-line status-bad";
      publish.disabled = true;
    }
  });

  document.getElementById("add-node").addEventListener("click", function () {
    var created = newNode(document.getElementById("new-node-type").value);
    rebuild(null);
    var last = cards.lastElementChild;
    if (last) {
      last.scrollIntoView({ block: "center" });
      var title = last.querySelector("input[type=text]");
      if (title) title.focus();
    }
    return created;
  });

  form.addEventListener("submit", function () { jsonBox.value = JSON.stringify(tree); });
  // A short flow opens every card; a long one only the start.
  function openDefault() {
    expanded = new Set();
    var all = nodes();
    if (all.length < COLLAPSE_FROM) all.forEach(function (n) { expanded.add(n); });
    else expanded.add(tree);
  }

  function setAll(open) {
    expanded = new Set();
    if (open) nodes().forEach(function (n) { expanded.add(n); });
    cards.querySelectorAll(".node-card").forEach(function (c) {
      c.querySelector(".node-toggle").setAttribute("aria-expanded", open ? "true" : "false");
      c.querySelector(".node-body").hidden = !open;
    });
  }

  var expandAll = document.getElementById("expand-all");
  var collapseAll = document.getElementById("collapse-all");
  if (expandAll) expandAll.addEventListener("click", function () { setAll(true); });
  if (collapseAll) collapseAll.addEventListener("click", function () { setAll(false); });
  document.getElementById("add-node-panel").hidden = false;
  document.getElementById("node-tools").hidden = false;
  openDefault();
  rebuild(null);
})();
