// The page's requests to its own JSON endpoints (session cookie + CSRF header), and turning the
// server's rendered, sanitised message partials into elements.
"use strict";
window.LawbotHttp = (() => {
  const csrf = () => document.querySelector("[name=csrfmiddlewaretoken]").value;

  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body || {}),
    });
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      throw new Error((data && data.error && data.error.message) || `HTTP ${response.status}`);
    }
    return data;
  }

  function fromServer(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  return { postJSON, fromServer };
})();
