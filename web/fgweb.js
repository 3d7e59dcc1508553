/*
 * fgweb's browser runtime for classic scripts: sets `window.fgweb = { createAgent }`.
 *
 *     <script src="/fgweb.js"></script>
 *     <script>fgweb.createAgent({ backend: 'wasm' }).then((agent) => agent.run('click Sign in'));</script>
 *
 * It loads fgweb.mjs (beside this file) on the first call, so a test can inject it into any page
 * served from the same origin as the bundle.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var base = script && script.src ? script.src : location.href;
  var moduleUrl = new URL('fgweb.mjs', base).href;
  var loading = null;
  function load() {
    if (!loading) loading = import(moduleUrl);
    return loading;
  }
  window.fgweb = {
    createAgent: function (options) {
      return load().then(function (m) {
        return m.createAgent(Object.assign({ bundle: new URL('.', base).href }, options || {}));
      });
    },
    load: load,
  };
})();
