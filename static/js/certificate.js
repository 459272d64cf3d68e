/* The certificate's "Print" button: a file, as the site's Content-Security-Policy
   (script-src 'self') blocks inline handlers. Without JavaScript the button stays hidden and
   the browser's own print command works the same. */
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (!button || !window.print) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
