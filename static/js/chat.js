// The chat page: sends questions, follows answers over SSE, and re-attaches after a reload.
// Text from questions and answers reaches the page as text nodes, or as HTML that markdown.js
// rendered and then sanitised the way the server does; other HTML comes only from the server.
"use strict";
(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const strings = JSON.parse($("#ui-strings").textContent);
  const Markdown = window.LawbotMarkdown;
  const Citations = window.LawbotCitations;
  const messages = $("#messages");
  const form = $("#composer");
  const question = $("#question");
  const model = $("#model");
  const send = $("#send");
  const stop = $("#stop");
  const status = $("#composer-status");
  const section = $(".conversation");
  const touch = window.matchMedia("(pointer: coarse)").matches;
  let conversationId = section.dataset.conversation || null;
  let current = null; // the answer being followed: {id, el, source}
  let sending = false; // a question is on its way to the server

  const { postJSON, fromServer } = window.LawbotHttp;

  const normalise = (text) => text.replace(/\r\n?/g, "\n");

  // A new question goes to the top of the view and its answer grows below it; the view does not
  // follow the answer down, so its start (the result asked for) stays where the reader sees it.
  function pinToTop(questionEl, answerEl) {
    const room = messages.clientHeight - questionEl.offsetHeight - 32;
    answerEl.style.minHeight = `${Math.max(0, room)}px`;
    messages.scrollTop = questionEl.offsetTop - messages.offsetTop - 12;
  }

  function setBusy(busy) {
    // The question box stays usable: the next question can be written while this one streams.
    send.disabled = busy;
    stop.hidden = !busy;
    stop.disabled = false;
    form.classList.toggle("busy", busy);
    form.setAttribute("aria-busy", String(busy));
  }

  function starting() {
    setBusy(true);
    status.textContent = strings.answering;
  }

  function notice(text, onRetry) {
    const p = document.createElement("p");
    p.className = "notice error";
    p.setAttribute("role", "alert");
    p.append(document.createTextNode(text + " "));
    if (onRetry) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "small";
      button.textContent = strings.retry;
      button.addEventListener("click", () => {
        p.remove();
        onRetry();
      });
      p.append(button);
    }
    return p;
  }

  function regenerateOffered(el) {
    const button = $(".regenerate", el);
    if (button) button.hidden = !(el.dataset.canVary === "true" || el.dataset.model !== model.value);
  }

  function enhance(root) {
    for (const pre of root.querySelectorAll(".markdown pre")) {
      if (pre.querySelector(".copy-code")) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "small copy-code";
      button.textContent = strings.copy;
      button.addEventListener("click", () => copy(pre.querySelector("code").textContent, button));
      pre.append(button);
    }
    for (const el of root.querySelectorAll(".message.assistant")) regenerateOffered(el);
  }

  function finished(el, outcome) {
    current = null;
    setBusy(false);
    enhance(el);
    status.textContent = strings[outcome] || strings.done;
    if (!touch && !question.value) question.focus(); // on a phone it would pop the keyboard up
  }

  const OUTCOMES = { complete: "done", stopped: "stopped", error: "failed", interrupted: "interrupted" };

  function attach(el) {
    const id = el.dataset.id;
    const body = $(".answer-body", el);
    const progress = $(".progress-text", el);
    let text = $(".raw", el).value;
    // After a reload the server has rendered the citations known so far; the stream's
    // citations event brings them otherwise.
    let citations = Array.from(el.querySelectorAll(".citations li .cite-meta a")).map((a) => ({
      url: a.getAttribute("href"),
    }));
    let sent = Number(el.dataset.sent || 0);
    let painted = true;
    let lastNews = Date.now();
    const source = new EventSource(`${el.dataset.streamUrl}?from=${sent}`);
    current = { id, el, source };
    setBusy(true);
    const paint = () => {
      painted = true;
      Markdown.morph(body, Markdown.render(text, citations, true));
    };
    if (text) paint();
    const news = (label) => {
      lastNews = Date.now();
      if (progress) progress.textContent = label;
    };
    const watchdog = setInterval(() => {
      if (Date.now() - lastNews > 45000 && progress) progress.textContent = strings.stalled;
    }, 5000);
    source.addEventListener("citations", (event) => {
      citations = JSON.parse(event.data).citations;
      Citations.fillList(el, citations);
      paint();
    });
    source.addEventListener("delta", (event) => {
      text += JSON.parse(event.data).text;
      sent = Number(event.lastEventId);
      news(strings.answering);
      if (painted) {
        painted = false;
        requestAnimationFrame(paint);
      }
    });
    source.addEventListener("heartbeat", () => news(strings.answering));
    source.addEventListener("end", (event) => {
      source.close();
      clearInterval(watchdog);
      const data = JSON.parse(event.data);
      const fresh = fromServer(data.html);
      // What arrived piece by piece must be exactly the saved answer; say so where it can be seen.
      const raw = $(".raw", fresh);
      const same = normalise(raw.value) === normalise(text).replace(/^\n/, "");
      fresh.dataset.streamCheck = same ? "exact" : "mismatch";
      if (!same) console.warn("Lawbot: the streamed answer differs from the saved one", id);
      fresh.style.minHeight = el.style.minHeight;
      el.replaceWith(fresh);
      finished(fresh, OUTCOMES[data.status]);
    });
    source.addEventListener("error", () => {
      if (source.readyState !== EventSource.CLOSED) {
        news(strings.reconnecting); // EventSource retries by itself, sending Last-Event-ID
        return;
      }
      clearInterval(watchdog);
      el.dataset.sent = String(sent);
      $(".raw", el).value = text;
      current = null;
      setBusy(false);
      status.textContent = strings.lost;
      el.append(notice(strings.lost, () => attach(el)));
    });
  }

  async function ask(text) {
    if (!text.trim()) {
      status.textContent = strings.emptyQuestion;
      question.focus();
      return;
    }
    if (current || sending) {
      status.textContent = strings.waitForAnswer;
      return;
    }
    sending = true;
    starting();
    const welcome = $(".welcome", messages);
    if (welcome) welcome.remove();
    try {
      const data = await postJSON(section.dataset.askUrl, {
        conversation: conversationId,
        question: text,
        model: model.value,
      });
      if (question.value === text) question.value = "";
      resize();
      if (data.conversation.created) startedConversation(data.conversation);
      for (const old of messages.querySelectorAll(".message.assistant")) old.style.minHeight = "";
      const asked = fromServer(data.question_html);
      const el = fromServer(data.assistant_html);
      messages.append(asked, el);
      pinToTop(asked, el);
      attach(el);
    } catch (error) {
      setBusy(false);
      status.textContent = strings.sendFailed;
      messages.append(notice(`${strings.sendFailed} (${error.message})`, () => ask(text)));
      messages.scrollTop = messages.scrollHeight;
    } finally {
      sending = false;
    }
  }

  function startedConversation(conversation) {
    conversationId = String(conversation.id);
    section.dataset.conversation = conversationId;
    section.dataset.regenerateUrl = conversation.regenerate_url;
    history.pushState({ lawbot: true }, "", conversation.url);
    shownPath = location.pathname;
    $("#conversation-title").textContent = conversation.title;
    const tools = document.createElement("template");
    tools.innerHTML = conversation.tools_html; // server-rendered, titles escaped
    $(".conversation-head").append(tools.content);
    document.title = `${conversation.title} · Lawbot`;
    const list = $("#conversation-list");
    const empty = $(".empty", list);
    if (empty) empty.remove();
    for (const link of list.querySelectorAll("[aria-current]")) link.removeAttribute("aria-current");
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = conversation.url;
    link.textContent = conversation.title;
    link.setAttribute("aria-current", "page");
    item.append(link);
    list.prepend(item);
  }

  async function regenerate(el) {
    if (current || !conversationId) return;
    starting();
    try {
      const data = await postJSON(section.dataset.regenerateUrl, { model: model.value });
      const fresh = fromServer(data.assistant_html);
      fresh.style.minHeight = el.style.minHeight;
      el.replaceWith(fresh);
      attach(fresh);
    } catch (error) {
      setBusy(false);
      status.textContent = error.message;
      el.append(notice(error.message, () => regenerate(el)));
    }
  }

  // Edit and resend: the question and every later turn are replaced (the server keeps them as
  // an earlier version, shown under the new question).
  function edit(el) {
    if (current || $(".edit-form", el)) return;
    const bubble = $(".bubble", el);
    const editor = document.createElement("form");
    editor.className = "edit-form";
    const area = document.createElement("textarea");
    area.value = bubble.textContent;
    area.rows = 3;
    area.setAttribute("aria-label", strings.editLabel || "");
    const bar = document.createElement("div");
    bar.className = "dialog-actions";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "small";
    cancel.textContent = strings.cancel;
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "small primary-small";
    save.textContent = strings.saveAndSend;
    bar.append(cancel, save);
    editor.append(area, bar);
    bubble.hidden = true;
    bubble.after(editor);
    area.focus();
    cancel.addEventListener("click", () => {
      editor.remove();
      bubble.hidden = false;
    });
    editor.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (current || !area.value.trim()) return;
      starting();
      try {
        const data = await postJSON(el.dataset.editUrl, { question: area.value, model: model.value });
        for (const id of data.replaced) {
          const gone = document.getElementById(`message-${id}`);
          if (gone) gone.remove();
        }
        const asked = fromServer(data.question_html);
        const answer = fromServer(data.assistant_html);
        messages.append(asked, answer);
        pinToTop(asked, answer);
        attach(answer);
      } catch (error) {
        setBusy(false);
        status.textContent = error.message;
      }
    });
  }

  async function copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement("textarea");
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    const label = button.textContent;
    button.textContent = strings.copied;
    setTimeout(() => {
      button.textContent = label;
    }, 1500);
  }

  function resize() {
    question.style.height = "auto";
    question.style.height = `${Math.min(question.scrollHeight, 240)}px`;
  }

  async function stopAnswer() {
    if (!current) return;
    stop.disabled = true;
    status.textContent = strings.stopping;
    try {
      await postJSON(current.el.dataset.stopUrl);
    } catch (error) {
      stop.disabled = false;
      status.textContent = error.message;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask(question.value);
  });
  question.addEventListener("input", resize);
  // The browser cuts a paste at maxlength without a word: say so, or the cut goes unnoticed.
  question.addEventListener("input", () => {
    if (question.maxLength > 0 && question.value.length >= question.maxLength) {
      status.textContent = strings.tooLong;
    }
  });
  question.addEventListener("keydown", (event) => {
    // Enter sends on desktop; on touch screens Enter is a new line and the button sends.
    // Never while an input method is composing (Chinese input confirms words with Enter).
    if (event.key !== "Enter" || event.shiftKey || touch) return;
    if (event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    form.requestSubmit();
  });
  stop.addEventListener("click", stopAnswer);
  messages.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const el = button.closest(".message");
    if (button.classList.contains("example")) {
      question.value = button.textContent;
      resize();
      question.focus();
    } else if (button.dataset.action === "copy") {
      copy($(".raw", el).value, button);
    } else if (button.dataset.action === "regenerate") {
      regenerate(el);
    } else if (button.dataset.action === "edit") {
      edit(el);
    }
  });
  model.addEventListener("change", () => {
    const option = model.selectedOptions[0];
    $("#model-about").textContent = option.dataset.about;
    try {
      localStorage.setItem("lawbot.model", model.value);
    } catch {
      /* private mode: the choice lasts for this page */
    }
    for (const el of messages.querySelectorAll(".message.assistant")) regenerateOffered(el);
  });
  const toggle = $("#sidebar-toggle");
  if (toggle) {
    toggle.addEventListener("click", () => {
      const open = $("#sidebar").classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
  // Back and forward between conversations load them; following an in-page link (the skip
  // link's #main) also fires popstate, and must not reload the page.
  let shownPath = location.pathname;
  window.addEventListener("popstate", () => {
    if (location.pathname !== shownPath) window.location.reload();
  });

  window.LawbotChat = { stop: stopAnswer, busy: () => Boolean(current), question, model };
  question.placeholder = touch ? strings.placeholderTouch : strings.placeholderDesktop;
  send.disabled = false; // disabled in the page until this script handles sending
  form.dataset.ready = "true"; // keys typed before this would not have been handled
  enhance(messages);
  const streaming = messages.querySelectorAll('.message.assistant[data-status="streaming"]');
  if (streaming.length) {
    const el = streaming[streaming.length - 1];
    const asked = el.previousElementSibling;
    if (asked) pinToTop(asked, el);
    status.textContent = strings.answering;
    attach(el);
  } else {
    messages.scrollTop = messages.scrollHeight;
  }
  if (!touch) question.focus();
})();
