// The theme chosen in the settings (light, dark, or as the system), applied before the page
// paints so that it never flashes in the other theme.
"use strict";
(() => {
  let theme = null;
  try {
    theme = localStorage.getItem("lawbot.theme");
  } catch {
    theme = null;
  }
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
})();
