// Copy buttons: <button data-copy="element-id">. Clipboard API, with a selection fallback for
// pages served over plain http where the API is unavailable.
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
