/* chainkg map page: draw the network held in #chainkg-data with vis-network. No network access, no HTML from data:
   labels are drawn on the canvas and tooltips are strings, which vis-network 9 shows as plain text. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chainkg-data").textContent);
  var container = document.getElementById("map");
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var started = performance.now();
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var state = { network: network, nodes: nodes, edges: edges, nodeCount: nodes.length, edgeCount: edges.length,
                drawn: false, drawMs: null };
  window.chainkg = state;
  network.once("afterDrawing", function () {
    state.drawMs = performance.now() - started;
    state.drawn = true;
    document.documentElement.setAttribute("data-drawn", String(nodes.length));
  });
  var find = document.getElementById("find");
  if (find) {
    find.addEventListener("change", function () {
      if (!find.value) { network.unselectAll(); return; }
      network.selectNodes([find.value]);
      network.focus(find.value, { scale: 1.3, animation: false });
    });
  }
  var fit = document.getElementById("fit");
  if (fit) { fit.addEventListener("click", function () { network.fit({ animation: false }); }); }
  window.addEventListener("beforeprint", function () { network.fit({ animation: false }); network.redraw(); });
})();
