/* The directory inside another site (docs/embed.md): inserts a frame with the embed page where
   the script tag is and fits its height to the content, which the same file, loaded inside the
   frame (html[data-directory-embed]), reports. */
(function () {
  var TYPE = "directory-embed-height";
  var root = document.documentElement;
  if (root.hasAttribute("data-directory-embed")) {
    if (parent === window) return;
    // The embedding site is not known here, and a height is no secret: any target.
    var send = function () { parent.postMessage({ type: TYPE, height: root.scrollHeight }, "*"); };
    addEventListener("load", send);
    if (window.ResizeObserver) new ResizeObserver(send).observe(document.body || root);
    return;
  }
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src).origin;
  var data = script.dataset;
  var params = new URLSearchParams();
  ["sector", "district", "municipality", "kind", "q", "limit", "lang"].forEach(function (name) {
    if (data[name]) params.set(name, data[name]);
  });
  var frame = document.createElement("iframe");
  frame.src = (data.src || origin + "/directorio/insertar/marco/") + "?" + params;
  frame.title = data.title || (data.lang === "en" ? "Directory of migrant-led businesses and organizations" : "Directorio de emprendimientos y organizaciones migrantes");
  frame.loading = "lazy";
  frame.style.cssText = "display:block;width:100%;height:640px;border:0";
  script.parentNode.insertBefore(frame, script);
  addEventListener("message", function (event) {
    // Only the frame this script made, from the portal, may set its height.
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var message = event.data || {};
    var height = Number(message.height);
    if (message.type === TYPE && height > 0 && height < 100000) frame.style.height = Math.ceil(height) + "px";
  });
})();
