// The page's tools around the conversation: search, share, settings (language, theme, default
// model) and keyboard shortcuts. Results and links reach the page as text nodes.
"use strict";
(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const strings = JSON.parse($("#ui-strings").textContent);
  const chat = window.LawbotChat;
  const csrf = () => $("[name=csrfmiddlewaretoken]").value;
  const store = {
    get: (key) => {
      try {
        return localStorage.getItem(key);
      } catch {
        return null;
      }
    },
    set: (key, value) => {
      try {
        localStorage.setItem(key, value);
      } catch {
        /* private mode: the choice lasts for this page */
      }
    },
  };

  // Dialogs open and close from any button naming them.
  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-open]");
    if (opener) document.getElementById(opener.dataset.open).showModal();
    const closer = event.target.closest("[data-close]");
    if (closer) closer.closest("dialog").close();
  });

  // Search: the user's own conversations, by title and by the text of their messages.
  const search = $("#search");
  const results = $("#search-results");
  const list = $("#conversation-list");
  const searchStatus = $("#search-status");
  let searchTimer = null;
  let searchSeq = 0;
  async function runSearch() {
    const query = search.value.trim();
    const seq = ++searchSeq;
    if (!query) {
      results.hidden = true;
      list.hidden = false;
      searchStatus.textContent = "";
      return;
    }
    try {
      const url = `${search.form.dataset.searchUrl}?q=${encodeURIComponent(query)}`;
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if (seq !== searchSeq) return; // a later search has started
      results.replaceChildren(
        ...data.results.map((r) => {
          const item = document.createElement("li");
          const link = document.createElement("a");
          link.href = r.url;
          link.textContent = r.title;
          item.append(link);
          return item;
        }),
      );
      results.hidden = false;
      list.hidden = true;
      searchStatus.textContent = data.results.length ? "" : strings.noResults;
    } catch {
      searchStatus.textContent = strings.searchFailed;
    }
  }
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 150);
  });
  search.form.addEventListener("submit", (event) => {
    event.preventDefault();
    runSearch();
  });

  // Share: a read-only link, made on request, revocable.
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-share]");
    if (!button) return;
    const dialog = button.closest("dialog");
    const field = $("#share-link", dialog);
    const shareStatus = $(".share-status", dialog);
    const revoke = button.dataset.share === "revoke";
    try {
      const response = await fetch(dialog.dataset.shareUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ revoke }),
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      field.value = data.url || "";
      $("[data-share=revoke]", dialog).hidden = !data.shared;
      if (data.shared) {
        field.select();
        try {
          await navigator.clipboard.writeText(data.url);
        } catch {
          /* the link is selected in the field for copying by hand */
        }
      }
      shareStatus.textContent = data.shared ? strings.shareCopied : strings.shareRevoked;
    } catch {
      shareStatus.textContent = strings.searchFailed;
    }
  });

  // Settings.
  const theme = store.get("lawbot.theme") || "system";
  for (const radio of document.querySelectorAll("input[name=theme]")) {
    radio.checked = radio.value === theme;
    radio.addEventListener("change", () => {
      store.set("lawbot.theme", radio.value);
      if (radio.value === "system") delete document.documentElement.dataset.theme;
      else document.documentElement.dataset.theme = radio.value;
    });
  }
  const language = $("#settings-language");
  language.addEventListener("change", () => language.form.submit());
  const defaultModel = $("#settings-model");
  const known = (value) => Array.from(chat.model.options).some((o) => o.value === value);
  const remembered = store.get("lawbot.model");
  defaultModel.value = known(remembered) ? remembered : chat.model.value;
  defaultModel.addEventListener("change", () => {
    store.set("lawbot.model", defaultModel.value);
    if (chat.model.dataset.fromConversation !== "true") {
      chat.model.value = defaultModel.value;
      chat.model.dispatchEvent(new Event("change"));
    }
  });
  // A new conversation starts with the model last chosen; an existing one keeps its own.
  if (chat.model.dataset.fromConversation !== "true" && known(remembered)) {
    chat.model.value = remembered;
    $("#model-about").textContent = chat.model.selectedOptions[0].dataset.about;
  }

  // Keyboard shortcuts: Ctrl/⌘+Shift+O new conversation, Shift+Esc or / the question box,
  // Esc stops the answer.
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest && event.target.closest("input, textarea, select");
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.shiftKey && event.key.toLowerCase() === "o") {
      event.preventDefault();
      window.location.href = $(".new-chat").href;
    } else if (event.key === "Escape" && event.shiftKey) {
      event.preventDefault();
      chat.question.focus();
    } else if (event.key === "/" && !typing && !mod) {
      event.preventDefault();
      chat.question.focus();
    } else if (event.key === "Escape" && chat.busy() && !document.querySelector("dialog[open]")) {
      event.preventDefault();
      chat.stop();
    }
  });
})();
