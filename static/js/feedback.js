// 👍/👎 on an answer, with an optional note; both are stored for the admin beside the answer.
"use strict";
(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const strings = JSON.parse($("#ui-strings").textContent);
  const { postJSON } = window.LawbotHttp;
  const messages = $("#messages");
  const status = $("#composer-status");

  async function rate(el, button) {
    const pressed = button.getAttribute("aria-pressed") === "true";
    const rating = pressed ? 0 : Number(button.dataset.rating);
    try {
      await postJSON(el.dataset.feedbackUrl, { rating });
      for (const b of el.querySelectorAll(".rate")) {
        b.setAttribute("aria-pressed", String(!pressed && b === button));
      }
      const note = $(".feedback-note", el);
      note.hidden = rating === 0;
      note.dataset.rating = String(rating);
      if (rating) $("textarea", note).focus();
      status.textContent = rating ? strings.thanks : "";
    } catch (error) {
      status.textContent = error.message;
    }
  }

  async function sendNote(el, note) {
    try {
      await postJSON(el.dataset.feedbackUrl, {
        rating: Number(note.dataset.rating),
        note: $("textarea", note).value,
      });
      note.hidden = true;
      status.textContent = strings.noteSent;
    } catch (error) {
      status.textContent = error.message;
    }
  }

  messages.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action=rate]");
    if (button) rate(button.closest(".message"), button);
  });
  messages.addEventListener("submit", (event) => {
    const note = event.target.closest(".feedback-note");
    if (!note) return;
    event.preventDefault();
    sendNote(note.closest(".message"), note);
  });
})();
