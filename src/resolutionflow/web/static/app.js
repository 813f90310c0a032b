// ResolutionFlow pages: diagram sizing and copy buttons. Plain JavaScript, no dependencies.
(function () {
  "use strict";

  // Wide flows shrunk to fit become unreadable: below this scale, show them at actual size
  // and let the frame scroll instead.
  var MIN_READABLE_SCALE = 0.75;

  function setActual(wrap, button, actual) {
    wrap.classList.toggle("actual", actual);
    if (button) {
      button.setAttribute("aria-pressed", actual ? "true" : "false");
      button.textContent = actual ? "Fit to width" : "Actual size";
    }
  }

  function buttonFor(wrap) {
    return document.querySelector('[data-toggle-size="' + wrap.id + '"]');
  }

  // "Fit to width" shrinks a wide flow only as far as its text stays readable; past that
  // the frame scrolls sideways rather than shrinking the text further.
  function fitReadably(wrap, svg) {
    var natural = parseFloat(svg.getAttribute("width") || "0");
    var room = wrap.clientWidth;
    if (!wrap.classList.contains("actual") && natural > 0 && room > 0 &&
        room / natural < MIN_READABLE_SCALE) {
      svg.style.width = Math.round(natural * MIN_READABLE_SCALE) + "px";
      svg.style.maxWidth = "none";
    } else {
      svg.style.width = "";
      svg.style.maxWidth = "";
    }
  }

  function sizeDiagram(wrap) {
    var svg = wrap.querySelector("svg");
    if (!svg) return;
    if (!wrap.dataset.userSized) {
      var natural = parseFloat(svg.getAttribute("width") || "0");
      var room = wrap.clientWidth;
      if (natural > 0 && room > 0) setActual(wrap, buttonFor(wrap), room / natural < MIN_READABLE_SCALE);
    }
    fitReadably(wrap, svg);
    if (wrap.classList.contains("actual")) focusOn(wrap, svg);
  }

  // At actual size, scroll the frame so the part that matters is in view: the first added
  // node, else the first node flagged with a problem, else the root.
  function focusOn(wrap, svg) {
    var target = svg.querySelector(".fd-added, .fd-has-problem") || svg.querySelector(".fd-node");
    if (!target || !target.getBBox) return;
    var box = target.getBBox();
    wrap.scrollLeft = Math.max(0, box.x + box.width / 2 - wrap.clientWidth / 2);
    wrap.scrollTop = Math.max(0, box.y - 40);
  }

  window.rfSizeDiagrams = function (root) {
    (root || document).querySelectorAll("[data-diagram]").forEach(sizeDiagram);
  };

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-toggle-size]");
    if (toggle) {
      var wrap = document.getElementById(toggle.getAttribute("data-toggle-size"));
      if (wrap) {
        wrap.dataset.userSized = "1";
        setActual(wrap, toggle, !wrap.classList.contains("actual"));
        var svg = wrap.querySelector("svg");
        if (svg) fitReadably(wrap, svg);
      }
      return;
    }
    var copy = event.target.closest("[data-copy-target]");
    if (copy) {
      var source = document.getElementById(copy.getAttribute("data-copy-target"));
      if (!source) return;
      var text = source.textContent;
      var done = function (ok) {
        var label = copy.textContent;
        copy.textContent = ok ? "Copied" : "Select and copy by hand";
        setTimeout(function () { copy.textContent = label; }, 1800);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      } else {
        var area = document.createElement("textarea");
        area.value = text;
        area.setAttribute("readonly", "");
        area.style.position = "fixed";
        area.style.opacity = "0";
        document.body.appendChild(area);
        area.select();
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        document.body.removeChild(area);
        done(ok);
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    window.rfSizeDiagrams(document);
    var resizeTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () { window.rfSizeDiagrams(document); }, 150);
    });
  });
})();

// The session runner: number keys pick an answer of the current question (1-9 the options in
// order, 0 "none of these", which then moves to the text box); Enter submits as usual.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var current = document.querySelector(".runner-decision");
    if (!current || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && target.type !== "radio")) return;
    var radios = current.querySelectorAll('input[name="answer"]');
    var number = event.key === "0" ? radios.length : parseInt(event.key, 10);
    if (!(number >= 1 && number <= radios.length)) return;
    var radio = radios[number - 1];
    radio.checked = true;
    radio.focus();
    event.preventDefault();
    if (radio.value === "__none__") {
      var text = current.querySelector("textarea");
      if (text) text.focus();
    }
  });
})();
