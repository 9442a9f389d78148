// Asks before a destructive form is sent: <form data-confirm="question">. The question is an
// attribute read as text, never code, so a name inside it cannot run (no inline onsubmit: the
// Content-Security-Policy forbids handler attributes). Without JavaScript the form just submits.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
