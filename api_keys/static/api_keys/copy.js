// Behaviour for the key pages, kept out of the HTML (the Content-Security-Policy forbids inline
// handlers). Copy buttons: <button data-copy="element-id" data-copied="Copied">, the template
// giving data-copied in the page's language. Clipboard API, with a selection fallback for pages
// served over plain http where the API is unavailable.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const text = source.value ?? source.textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    source.select?.();
    document.execCommand("copy");
  }
  button.textContent = button.dataset.copied || "Copied";
});

// A freshly shown secret is selected when focused, ready to copy by hand.
document.addEventListener("focusin", (event) => {
  if (event.target.matches?.("[data-select-on-focus]")) event.target.select();
});

// Forms that ask first: <form data-confirm="Really?">.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset?.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
