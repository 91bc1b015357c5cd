// The "Copy" button of a page that shows a secret once (templates/admin/partners/secret_once.html).
// A file of the service, not an inline script, so a Content-Security-Policy of 'self' allows it.
"use strict";

(function () {
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain HTTP on an intranet has no clipboard API: select the text and copy it.
    return new Promise(function (resolve, reject) {
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      const copied = document.execCommand("copy");
      document.body.removeChild(area);
      if (copied) {
        resolve();
      } else {
        reject(new Error("copy refused"));
      }
    });
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy-from]");
    if (!button) {
      return;
    }
    const source = document.getElementById(button.dataset.copyFrom);
    if (!source) {
      return;
    }
    const label = button.textContent;
    copyText(source.textContent.trim()).then(
      function () {
        button.textContent = button.dataset.copiedLabel || "Copied";
        window.setTimeout(function () { button.textContent = label; }, 2000);
      },
      function () {
        // Leave the secret selected so Ctrl-C copies it.
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        button.textContent = "Press Ctrl-C to copy";
      }
    );
  });
})();
