/* The SPARQL editor of /editor (sparql_editor.py): YASGUI on this site's /sparql, the canned questions as tabs.
 *
 * Everything comes from the JSON of #editor-config, since the page runs no inline script. Nothing is
 * fetched from another site and nothing is kept (docs/front-end.md):
 *   - the endpoint is this site's /sparql (POST), and the endpoint list holds only it;
 *   - prefix autocompletion uses YASQE's bundled list and our prefixes (prefixCcApi stays null);
 *   - class and property autocompletion use the terms of our graph, not the Linked Open Vocabularies API;
 *   - persistenceId null: no local storage, so every visit opens with the canned tabs.
 * A shared link (/editor?query=… or YASGUI's /editor#query=…) opens its query in a tab of its own and runs
 * it; its endpoint, headers and other request options are ignored (only default/named graphs are kept).
 *
 * For browser tests: <body data-editor-ready="true"> once the tabs are there; data-editor-query is
 * "running" while a query runs and "done" after, with data-editor-result "ok" or "error" and
 * data-editor-queries counting the answers; the instance is window.dutygraphEditor.
 */
(function () {
  "use strict";
  var configElement = document.getElementById("editor-config");
  var root = document.getElementById("yasgui");
  if (!configElement || !root || typeof Yasgui === "undefined") return;
  var config = JSON.parse(configElement.textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var body = document.body;
  var Yasqe = Yasgui.Yasqe;

  // -- autocompletion from this site only ----------------------------------------------------------
  Yasqe.defaults.prefixCcApi = null;
  var ourPrefixes = Object.keys(config.prefixes).map(function (name) { return name + ": <" + config.prefixes[name] + ">"; });
  var bundledPrefixes = Yasqe.Autocompleters.prefixes.get;
  Yasqe.forkAutocompleter("prefixes", {
    name: "prefixes",
    get: function (yasqe, token) {
      return bundledPrefixes.call(this, yasqe, token).then(function (list) {
        var ours = {};
        Object.keys(config.prefixes).forEach(function (name) { ours[name] = true; });
        return ourPrefixes.concat(list.filter(function (entry) { return !ours[entry.split(":")[0]]; }));
      });
    },
  });
  function localTerms(kind) {
    return function (yasqe, token) {
      var wanted = ((token && token.autocompletionString) || "").toLowerCase();
      var terms = (config.terms && config.terms[kind]) || [];
      return Promise.resolve(terms.filter(function (iri) { return iri.toLowerCase().indexOf(wanted) >= 0; }).slice(0, 100));
    };
  }
  Yasqe.forkAutocompleter("property", { name: "property", get: localTerms("property") });
  Yasqe.forkAutocompleter("class", { name: "class", get: localTerms("class") });
  // (the defaults' array is merged index by index into every editor's config: change it in place)
  Yasqe.defaults.autocompleters.splice(0, Yasqe.defaults.autocompleters.length, "prefixes", "variables", "property", "class");

  function requestConfig(graphs) {
    var out = { endpoint: endpoint, method: "POST" };
    if (graphs && graphs.defaultGraphs.length) out.defaultGraphs = graphs.defaultGraphs;
    if (graphs && graphs.namedGraphs.length) out.namedGraphs = graphs.namedGraphs;
    return out;
  }

  var yasgui = new Yasgui(root, {
    persistenceId: null,
    autoAddOnInit: false,
    populateFromUrl: false, // read below, so that a link cannot choose the endpoint
    copyEndpointOnNewTab: false,
    tabName: config.newTabName,
    requestConfig: requestConfig(null),
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { value: config.newTabQuery },
    yasr: { prefixes: config.prefixes },
  });
  window.dutygraphEditor = yasgui;

  // -- a shared query: the URL's fragment (YASGUI's share link) or else its query string ------------
  function sharedQuery() {
    var hash = window.location.hash.replace(/^#/, "");
    var params = new URLSearchParams(hash.indexOf("query=") >= 0 ? hash : window.location.search);
    var query = params.get("query");
    if (!query) return null;
    return {
      query: query,
      name: params.get("tabTitle") || config.sharedTabName,
      outputFormat: params.get("outputFormat"),
      graphs: { defaultGraphs: params.getAll("defaultGraph"), namedGraphs: params.getAll("namedGraph") },
    };
  }

  var shared = sharedQuery();
  var sharedTab = null;
  if (shared) {
    var sharedConfig = { name: shared.name, yasqe: { value: shared.query }, requestConfig: requestConfig(shared.graphs) };
    if (shared.outputFormat && Yasgui.Yasr.plugins[shared.outputFormat]) {
      sharedConfig.yasr = { settings: { selectedPlugin: shared.outputFormat, pluginsConfig: {} } };
    }
    sharedTab = yasgui.addTab(true, sharedConfig);
  }
  config.tabs.forEach(function (tab, index) {
    yasgui.addTab(!shared && index === 0, {
      id: tab.id, name: tab.label, yasqe: { value: tab.query }, requestConfig: requestConfig(null),
    });
  });

  // -- state for people and for browser tests -------------------------------------------------------
  var answered = 0;
  yasgui.on("query", function () {
    body.setAttribute("data-editor-query", "running");
  });
  yasgui.on("queryResponse", function (instance, tab) {
    // YASR takes the response right after this event: read its verdict a moment later
    window.setTimeout(function () {
      var results = tab.getYasr() && tab.getYasr().results;
      answered += 1;
      body.setAttribute("data-editor-result", results && !results.hasError() ? "ok" : "error");
      body.setAttribute("data-editor-queries", String(answered));
      body.setAttribute("data-editor-query", "done");
    }, 0);
  });

  // IRIs of the graph open their page on this site (/id/KIND/KEY) rather than w3id.org
  function toLocalPage(event) {
    var link = event.target.closest && event.target.closest("a.iri");
    if (link && link.href.indexOf(config.iriBase) === 0) {
      link.href = config.pageBase + link.href.slice(config.iriBase.length);
    }
  }
  root.addEventListener("mousedown", toLocalPage, true);
  root.addEventListener("click", toLocalPage, true);
  root.addEventListener("focusin", toLocalPage, true);

  if (sharedTab) sharedTab.query().catch(function () {});
  body.setAttribute("data-editor-ready", "true");
})();
