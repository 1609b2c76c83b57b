// A transcript (print view or shared link): read-only; the citation lists are opened so that
// print shows every quoted article, and the print button prints.
"use strict";
(() => {
  for (const details of document.querySelectorAll(".citations details")) details.open = true;
  for (const box of document.querySelectorAll(".citations")) box.hidden = !box.querySelector("li");
  const button = document.getElementById("print");
  if (button) button.addEventListener("click", () => window.print());
})();
