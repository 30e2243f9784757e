// Material's search worker (loaded below) builds the lunr index of the whole site as soon as a
// page loads: ~0.7 s of a core on every page view, since every page here is a fresh load (no
// instant navigation), and most page views never search. This wrapper answers Material's "set up"
// message at once and lets Material build the index on the first query.
// The documents are not even downloaded before that: after the build, search/search_index.json
// keeps only the configuration and the documents sit in search/search_docs.json
// (src/dlnotes/build/html/search_index.py), fetched here with the first query.
// Material has no option for either, so its worker and its page script are used unchanged: the
// page's config (src/dlnotes/theme/main.html) points here and names Material's hashed worker.
"use strict";
(function () {
  var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;   // Material's message types
  var material = new URL(self.location.href).searchParams.get("material") || "";
  if (!/^search\.[0-9a-f]+\.min\.js$/.test(material)) throw new Error("search-on-demand: bad worker " + material);

  // this worker is assets/javascripts/workers/, the site's root three folders up
  var DOCS = new URL("../../../search/search_docs.json", self.location.href).href;

  // state: "waiting" (set-up message kept), "loading" (documents), "building", "ready", "failed";
  // read by tests/test_site.py
  var search = self.dlnotesSearch = {state: "waiting"};
  var setup = null;          // Material's SETUP message, kept until the first query
  var latest = null;         // the latest query asked while the index is being built
  var passing = false;       // true while this wrapper hands a message on to Material

  function pass(message) {
    passing = true;
    try { self.dispatchEvent(new MessageEvent("message", {data: message})); } finally { passing = false; }
  }

  // Registered before Material's listener, so it sees every message first.
  self.addEventListener("message", function (event) {
    var message = event.data;
    if (passing || !message || search.state === "ready") return;
    if (message.type === SETUP) {
      event.stopImmediatePropagation();
      setup = message;
      self.postMessage({type: READY});
    } else if (message.type === QUERY) {
      event.stopImmediatePropagation();
      if (search.state === "waiting" && !String(message.data).trim()) {
        // the page asks with the empty box as soon as it is ready: no results, nothing to build
        self.postMessage({type: RESULT, data: {items: []}});
        return;
      }
      latest = message;
      if (search.state === "waiting" && setup) load();
    }
  });

  function load() {
    search.state = "loading";
    fetch(DOCS).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      return response.json();
    }).then(function (index) {
      setup.data.docs = index.docs;
      search.state = "building";
      pass(setup);
      setup = null;
    }).catch(function (error) {
      // Material keeps saying "Initializing search"; the console says why
      search.state = "failed";
      console.error("search-on-demand: cannot load " + DOCS + ": " + error.message);
    });
  }

  // Material answers the real SETUP with READY once the index is built; the page had its READY
  // already, so this one is swallowed and the latest query handed on.
  var post = self.postMessage.bind(self);
  self.postMessage = function (message) {
    if (search.state === "building" && message && message.type === READY) {
      search.state = "ready";
      var query = latest;
      latest = null;
      if (query) pass(query);
      return;
    }
    post(message);
  };

  importScripts(material);
})();
