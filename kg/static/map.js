/* chainkg map page: the default view (panorama / matrix, plain DOM), the network view (vis-network, drawn when its
   tab is first opened, or at once on a page with no other view), the side panel, the find box and the print button.
   No network access, no HTML from data: every text is set with textContent, a link is made only of an http(s)
   address, and vis-network 9 shows a string tooltip as plain text. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chainkg-data").textContent);
  var state = { drawn: false, drawMs: null, network: null, nodes: null, edges: null,
                nodeCount: data.nodes.length, edgeCount: data.edges.length, panel: null };
  window.chainkg = state;
  var WEB = /^https?:\/\/[^\s"'<>]+$/i;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /* --- the network view ----------------------------------------------------------------------------------- */
  function draw() {
    if (state.network) { return state.network; }
    var container = document.getElementById("map");
    var nodes = new vis.DataSet(data.nodes);
    var edges = new vis.DataSet(data.edges);
    var started = performance.now();
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
    state.network = network; state.nodes = nodes; state.edges = edges;
    network.once("afterDrawing", function () {
      state.drawMs = performance.now() - started;
      state.drawn = true;
      document.documentElement.setAttribute("data-drawn", String(nodes.length));
    });
    network.on("click", function (params) {
      if (params.nodes.length) {
        var node = nodes.get(params.nodes[0]);
        if (node && node.ref) { openPanel(node.ref); }
      }
    });
    return network;
  }

  var tabs = Array.prototype.slice.call(document.querySelectorAll("[data-tab]"));
  function show(id) {
    tabs.forEach(function (tab) {
      var on = tab.getAttribute("data-tab") === id;
      tab.setAttribute("aria-selected", String(on));
      document.getElementById(tab.getAttribute("data-tab")).hidden = !on;
    });
    if (id === "view-network") { draw(); }
  }
  state.show = show;
  tabs.forEach(function (tab) {
    tab.addEventListener("click", function () { show(tab.getAttribute("data-tab")); });
  });
  if (!data.lazy) { draw(); }
  var fit = document.getElementById("fit");
  if (fit) { fit.addEventListener("click", function () { if (state.network) { state.network.fit({ animation: false }); } }); }

  /* --- the side panel --------------------------------------------------------------------------------------- */
  var body = document.getElementById("panel-body");
  var close = document.getElementById("panel-close");
  var hint = body.innerHTML === "" ? null : body.firstElementChild;

  function value(v, cls) {
    if (v && typeof v === "object") {
      var span;
      if (v.ref && data.panel[v.ref]) {
        span = el("button", "item link" + (v.zh ? " nm zh-only" : " nm"), v.text);
        span.type = "button";
        span.setAttribute("data-ref", v.ref);
      } else {
        span = el("span", "item nm" + (v.zh ? " zh-only" : ""), v.text);
      }
      return span;
    }
    return el("span", "item" + (cls === "reason" ? " reason" : cls === "nm" ? " nm" : ""), v);
  }

  function openPanel(ref) {
    var entry = data.panel[ref];
    if (!entry) { return; }
    state.panel = ref;
    body.textContent = "";
    body.appendChild(el("div", "kind", entry.kind));
    body.appendChild(el("h3", entry.zh ? "nm zh-only" : "nm", entry.title));
    if (entry.alt) { body.appendChild(el("p", "alt nm", entry.alt)); }
    if (entry.href) {
      var open = el("a", null, entry.href_text);
      open.setAttribute("href", entry.href);
      body.appendChild(el("p")).appendChild(open);
    }
    var dl = el("dl");
    (entry.facts || []).forEach(function (fact) {
      if (fact.label) { dl.appendChild(el("dt", null, fact.label)); }
      var dd = el("dd", fact.cls || null);
      (fact.values || []).forEach(function (v) { dd.appendChild(value(v, fact.cls)); });
      dl.appendChild(dd);
    });
    body.appendChild(dl);
    if (entry.sources && entry.sources.length) {
      body.appendChild(el("dt", null, data.words.sources));
      var ol = el("ol");
      entry.sources.forEach(function (src) {
        var li = el("li");
        li.appendChild(el("span", "src", src.title));
        if (src.meta) { li.appendChild(document.createTextNode(" · ")); li.appendChild(el("span", "src", src.meta)); }
        if (src.url && WEB.test(src.url)) {
          li.appendChild(el("br"));
          var a = el("a", "url", src.url);
          a.setAttribute("href", src.url);
          a.setAttribute("rel", "noopener noreferrer");
          a.setAttribute("target", "_blank");
          li.appendChild(a);
        } else if (src.text) {
          li.appendChild(el("br"));
          li.appendChild(el("span", "url", src.text));
        }
        ol.appendChild(li);
      });
      body.appendChild(ol);
    }
    close.hidden = false;
  }
  state.openPanel = openPanel;
  close.addEventListener("click", function () {
    body.textContent = "";
    if (hint) { body.appendChild(hint); }
    close.hidden = true;
    state.panel = null;
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-ref]") : null;
    if (target && !target.closest("#find-results")) { openPanel(target.getAttribute("data-ref")); }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if ((event.key === "Enter" || event.key === " ") && target.classList && target.classList.contains("seg")) {
      event.preventDefault();
      openPanel(target.getAttribute("data-ref"));
    }
  });

  /* --- find ------------------------------------------------------------------------------------------------- */
  function highlight(ref) {
    if (state.network && !document.getElementById("view-network").hidden) {
      var ids = state.nodes.getIds({ filter: function (n) { return n.ref === ref; } });
      if (ids.length) {
        state.network.selectNodes(ids);
        state.network.focus(ids[0], { scale: 1.3, animation: false });
      }
      return;
    }
    var found = Array.prototype.filter.call(document.querySelectorAll("#view-main [data-ref]"),
                                            function (n) { return n.getAttribute("data-ref") === ref; });
    Array.prototype.forEach.call(document.querySelectorAll(".hit"), function (n) { n.classList.remove("hit"); });
    if (found.length) {
      found.forEach(function (n) { n.classList.add("hit"); });
      found[0].scrollIntoView({ block: "center" });
    }
  }
  state.highlight = highlight;

  var find = document.getElementById("find");
  var results = document.getElementById("find-results");
  function search() {
    var q = find.value.trim().toLowerCase();
    results.textContent = "";
    if (!q) { results.hidden = true; return; }
    var hits = data.find.filter(function (row) {
      return row[0].toLowerCase().indexOf(q) >= 0 || (row[3] || "").toLowerCase().indexOf(q) >= 0;
    }).slice(0, 40);
    if (!hits.length) { results.appendChild(el("li", "muted", data.words.find_none)); }
    hits.forEach(function (row) {
      var b = el("button");
      b.type = "button";
      b.appendChild(el("span", "nm", row[0]));
      b.appendChild(el("span", "kind", row[1]));
      b.addEventListener("click", function () {
        results.hidden = true;
        openPanel(row[2]);
        highlight(row[2]);
      });
      results.appendChild(el("li")).appendChild(b);
    });
    results.hidden = false;
  }
  state.search = function (q) { find.value = q; search(); return Array.prototype.map.call(
    results.querySelectorAll("button"), function (b) { return b.textContent; }); };
  find.addEventListener("input", search);
  find.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { results.hidden = true; }
    if (event.key === "Enter") { var first = results.querySelector("button"); if (first) { first.click(); } }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".find")) { results.hidden = true; }
  });

  /* --- print ------------------------------------------------------------------------------------------------ */
  /* One sheet per chain: the printed view shrinks (CSS zoom) when its screen height says it would not fit an A4
     landscape sheet (about 1070 × 735 px inside the margins). Measured: printed, the view is 0.65-0.89 of its
     screen height, the heading 0.62, the notes 0.8; the banner keeps its height. */
  function height(selector) {
    var node = document.querySelector(selector);
    return node ? node.getBoundingClientRect().height : 0;
  }
  function printFit() {
    var view = document.getElementById("view-main");
    if (!view || view.hidden) { return; }
    var room = 720 - height(".synthetic") - 0.62 * height("header.page") - 0.8 * height(".note");
    var need = 0.95 * view.scrollHeight * Math.max(1, view.scrollWidth / 1070);
    document.documentElement.style.setProperty("--print-zoom", Math.min(1, room / need).toFixed(3));
  }
  printFit();
  window.addEventListener("resize", printFit);
  var print = document.getElementById("print");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
  window.addEventListener("beforeprint", function () {
    printFit();
    if (state.network && !document.getElementById("view-network").hidden) {
      state.network.fit({ animation: false }); state.network.redraw();
    }
  });
})();
