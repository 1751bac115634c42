/* The graph view of /graph (graph_view.py): cytoscape draws the JSON of #graph's data-source (/graph.json).
 *
 * Colours by kind come from the stylesheet's --kind-* properties (the legend uses the same ones); labels are
 * in the page's language (#graph's data-lang), with the words of #graph-words. A click (tap) on a node opens
 * its page, /id/KIND/KEY; hovering shows its full label. A change of the form (kinds, depth) reloads the view,
 * so the URL always says what is shown. The nested list under the drawing is for readers without JavaScript
 * (and screen readers): it is folded here, not removed.
 *
 * For browser tests: <body data-graph-ready="true"> once the layout has stopped ("error" when the data could
 * not be had), with data-graph-nodes and data-graph-edges; the cytoscape instance is window.dutygraphGraph.
 */
(function () {
  "use strict";
  var container = document.getElementById("graph");
  if (!container || typeof cytoscape === "undefined") return;
  var body = document.body;
  body.setAttribute("data-graph-ready", "false");
  var words = JSON.parse(document.getElementById("graph-words").textContent);
  var lang = container.getAttribute("data-lang") || "zh";
  var hover = document.getElementById("graph-hover");
  var rootStyle = window.getComputedStyle(document.documentElement);

  function colour(name) {
    return rootStyle.getPropertyValue("--" + name).trim() || "#888";
  }

  var list = document.getElementById("graph-list");
  if (list) list.removeAttribute("open");
  var form = document.getElementById("graph-form");
  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target.name === "kinds" || event.target.name === "depth") form.submit();
    });
  }

  function fullLabel(node) {
    var text = node.labels[lang] || node.labels.zh || node.labels.en || node.key;
    if (node.number !== undefined && words.short[node.kind]) text = words.short[node.kind] + " " + node.number + " " + text;
    return text;
  }
  function shortened(text) {
    var max = lang === "zh" ? 14 : 30;
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }
  // In a large view categories, measures and items are labelled by their number only (the full label on hover).
  function shownLabel(node, text, large) {
    if (large && (node.kind === "measure" || node.kind === "category")) return words.short[node.kind] + " " + node.number;
    if (large && node.kind === "item") return node.labels.zh.split(" ")[0];
    return shortened(text);
  }

  var SHAPES = { category: "diamond", measure: "round-rectangle", item: "ellipse", unit: "round-hexagon",
                 actor: "round-triangle", mechanism: "barrel" };
  var SIZES = { category: 34, measure: 26, item: 16, unit: 26, actor: 22, mechanism: 20 };

  function style() {
    var rules = [
      { selector: "node", style: {
          "label": "data(label)", "font-size": 11, "color": colour("ink") || "#1d2330",
          "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "wrap", "text-max-width": 120,
          "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1,
          "border-width": 1, "border-color": "#ffffff" } },
      { selector: "node.focus", style: { "width": 46, "height": 46, "border-width": 4, "border-color": "#1d2330",
                                          "font-size": 13, "font-weight": "bold", "z-index": 10 } },
      { selector: "node.hovered", style: { "border-width": 3, "border-color": "#1d2330", "z-index": 20 } },
      { selector: "edge", style: {
          "width": 1.3, "line-color": colour("edge"), "curve-style": "bezier", "opacity": 0.75,
          "target-arrow-shape": "triangle", "target-arrow-color": colour("edge"), "arrow-scale": 0.7 } },
      { selector: "edge.part_of", style: { "line-style": "dotted" } },
      { selector: "edge.accountable_for", style: { "line-color": colour("kind-unit"), "target-arrow-color": colour("kind-unit"), "width": 2 } },
      { selector: "edge.acts_on", style: { "line-style": "dashed", "line-color": colour("kind-actor"), "target-arrow-color": colour("kind-actor") } },
      { selector: "edge.invokes", style: { "line-color": colour("kind-mechanism"), "target-arrow-color": colour("kind-mechanism") } },
      { selector: "edge.hovered", style: { "width": 3, "opacity": 1, "label": "data(label)", "font-size": 11,
          "text-background-color": "#ffffff", "text-background-opacity": 0.9 } },
    ];
    Object.keys(SHAPES).forEach(function (kind) {
      rules.push({ selector: "node." + kind, style: { "background-color": colour("kind-" + kind), "shape": SHAPES[kind],
                                                       "width": SIZES[kind], "height": SIZES[kind] } });
    });
    return rules;
  }

  // A radial layout: the focus in the middle, then what is one link away, two links … on rings around it
  // (without a focus, the document's skeleton: categories inside, their measures around them, the units
  // and the rest outside). On each ring a node is put near the mean angle of its neighbours on the rings
  // inside it (a measure by its category, a unit by its measures), which keeps crossings few.
  var SKELETON_RING = { category: 0, measure: 1, item: 2, unit: 3, actor: 3, mechanism: 3 };
  function rings(data, cy) {
    var ring = {};
    if (!data.focus) {
      cy.nodes().forEach(function (node) { ring[node.id()] = SKELETON_RING[node.data("kind")]; });
    } else {
      var furthest = 0;
      cy.elements().bfs({ roots: cy.getElementById(data.focus.id), directed: false,
                          visit: function (node, edge, previous, i, depth) {
                            ring[node.id()] = depth;
                            furthest = Math.max(furthest, depth);
                          } });
      cy.nodes().forEach(function (node) { if (ring[node.id()] === undefined) ring[node.id()] = furthest + 1; });
    }
    var out = [];
    cy.nodes().forEach(function (node) {  // JSON order within a ring
      var r = ring[node.id()];
      (out[r] = out[r] || []).push(node);
    });
    return out.filter(function (members) { return members && members.length; });
  }

  function radialPositions(data, cy) {
    var positions = {}, angle = {}, radius = 0;
    var arc = lang === "zh" ? 64 : 96, gap = 130;
    rings(data, cy).forEach(function (members, index) {
      var n = members.length;
      if (index === 0 && n === 1) {
        positions[members[0].id()] = { x: 0, y: 0 };
        angle[members[0].id()] = 0;
        return;
      }
      radius = Math.max(index === 0 ? 0 : radius + gap, (n * arc) / (2 * Math.PI), gap * 0.8);
      var wanted = members.map(function (node, i) {
        var x = 0, y = 0, count = 0;
        node.neighborhood("node").forEach(function (other) {
          if (angle[other.id()] !== undefined) { x += Math.cos(angle[other.id()]); y += Math.sin(angle[other.id()]); count += 1; }
        });
        return { node: node, angle: count && (x || y) ? Math.atan2(y, x) : (2 * Math.PI * i) / n - Math.PI / 2, order: i };
      });
      wanted.sort(function (a, b) { return a.angle - b.angle || a.order - b.order; });
      // evenly spaced in that order, turned to sit as near as may be to the wanted angles
      var sx = 0, sy = 0;
      wanted.forEach(function (w, i) { var d = w.angle - (2 * Math.PI * i) / n; sx += Math.cos(d); sy += Math.sin(d); });
      var turn = sx || sy ? Math.atan2(sy, sx) : -Math.PI / 2;
      wanted.forEach(function (w, i) {
        var a = turn + (2 * Math.PI * i) / n;
        angle[w.node.id()] = a;
        positions[w.node.id()] = { x: radius * Math.cos(a), y: radius * Math.sin(a) };
      });
    });
    return positions;
  }

  function layoutOptions(data, cy) {
    var positions = radialPositions(data, cy);
    return { name: "preset", animate: false, padding: 24, fit: true,
             positions: function (node) { return positions[node.id()]; } };
  }

  function showHover(text) {
    if (hover) hover.textContent = text || "\u00a0";
  }

  function draw(data) {
    var elements = [], large = data.nodes.length > 40;
    data.nodes.forEach(function (node) {
      var text = fullLabel(node);
      elements.push({ group: "nodes", classes: node.kind + (node.focus ? " focus" : ""),
                      data: { id: node.id, kind: node.kind, url: node.url, label: shownLabel(node, text, large), full: text } });
    });
    data.edges.forEach(function (edge) {
      elements.push({ group: "edges", classes: edge.kind,
                      data: { id: edge.id, source: edge.source, target: edge.target, kind: edge.kind,
                              label: words.edges[edge.kind] || edge.labels[lang] } });
    });
    container.textContent = "";
    var cy = cytoscape({ container: container, elements: elements, style: style(), layout: { name: "preset" },
                         minZoom: 0.15, maxZoom: 4, boxSelectionEnabled: false, autoungrabify: false });
    window.dutygraphGraph = cy;

    cy.on("tap", "node", function (event) {
      var url = event.target.data("url");
      if (url) window.location.assign(url);
    });
    cy.on("mouseover", "node", function (event) {
      var node = event.target;
      node.addClass("hovered");
      node.connectedEdges().addClass("hovered");
      container.style.cursor = "pointer";
      showHover((words.kinds[node.data("kind")] || node.data("kind")) + ": " + node.data("full"));
    });
    cy.on("mouseout", "node", function (event) {
      event.target.removeClass("hovered");
      event.target.connectedEdges().removeClass("hovered");
      container.style.cursor = "";
      showHover("");
    });
    cy.on("mouseover", "edge", function (event) {
      var edge = event.target;
      edge.addClass("hovered");
      showHover(edge.source().data("full") + " → " + edge.data("label") + " → " + edge.target().data("full"));
    });
    cy.on("mouseout", "edge", function (event) {
      event.target.removeClass("hovered");
      showHover("");
    });

    var layout = cy.layout(layoutOptions(data, cy));
    layout.one("layoutstop", function () {
      cy.fit(undefined, 20);
      body.setAttribute("data-graph-nodes", String(cy.nodes().length));
      body.setAttribute("data-graph-edges", String(cy.edges().length));
      body.setAttribute("data-graph-ready", "true");
    });
    layout.run();
  }

  fetch(container.getAttribute("data-source"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || response.statusText);
        return data;
      });
    })
    .then(draw)
    .catch(function (error) {
      container.textContent = String(error.message || error);
      body.setAttribute("data-graph-ready", "error");
    });
})();
