// Choosing a language applies it at once (the form also works without JavaScript).
"use strict";
for (const select of document.querySelectorAll("form.language select")) {
  select.addEventListener("change", () => select.form.submit());
}
