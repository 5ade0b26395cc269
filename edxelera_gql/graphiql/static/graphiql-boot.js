// Starts GraphiQL on the page's #graphiql element. A file rather than an inline script, so the
// page's Content-Security-Policy can allow scripts from 'self' only.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  // The page names its endpoint (same origin), so this file has no URL of its own to keep.
  var fetcher = GraphiQL.createFetcher({ url: root.getAttribute("data-endpoint") });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      // Keeps an Authorization header across reloads (browser storage on this origin only).
      shouldPersistHeaders: true,
    })
  );
})();
