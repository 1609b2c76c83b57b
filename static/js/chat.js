// The chat page: sends questions, follows answers over SSE, and re-attaches after a reload.
// Text from questions and answers only ever reaches the page as text nodes; HTML comes only
// from the server, which renders Markdown and then sanitises it.
"use strict";
(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const strings = JSON.parse($("#ui-strings").textContent);
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

  const csrf = () => $("[name=csrfmiddlewaretoken]", form).value;

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

  // Server-rendered, sanitised HTML (a message partial) → an element.
  function fromServer(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function nearBottom() {
    return messages.scrollHeight - messages.scrollTop - messages.clientHeight < 120;
  }

  function scrollDown(force) {
    if (force || nearBottom()) messages.scrollTop = messages.scrollHeight;
  }

  // While an answer streams it is shown as formatted plain text, built from text nodes only;
  // the server's sanitised Markdown replaces it when the answer ends.
  function renderPlain(container, text) {
    const out = document.createDocumentFragment();
    for (const raw of text.split("\n")) {
      const line = raw
        .replace(/\[([^\]]+)\]\([^)\s]*\)?/g, "$1") // links, finished or still arriving
        .replace(/\*\*|__/g, "");
      const p = document.createElement("p");
      let m;
      if ((m = /^#{1,6}\s+(.*)$/.exec(line))) {
        p.className = "s-heading";
        p.textContent = m[1];
      } else if (line.startsWith(">")) {
        p.className = "s-quote";
        p.textContent = line.replace(/^>\s?/, "");
      } else if ((m = /^\s*[-*]\s+(.*)$/.exec(line))) {
        p.className = "s-item";
        p.textContent = m[1];
      } else {
        p.className = "s-line";
        p.textContent = line;
      }
      out.append(p);
    }
    container.replaceChildren(out);
  }

  const normalise = (text) => text.replace(/\r\n?/g, "\n");

  function setBusy(busy) {
    question.disabled = busy;
    send.disabled = busy;
    stop.hidden = !busy;
    stop.disabled = false;
    form.classList.toggle("busy", busy);
    form.setAttribute("aria-busy", String(busy));
    if (busy) status.textContent = strings.answering;
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
  }

  function finished(el) {
    current = null;
    setBusy(false);
    enhance(el);
    if (!touch) question.focus(); // on a phone, focusing would pop the keyboard over the answer
  }

  function attach(el) {
    const id = el.dataset.id;
    const body = $(".answer-body", el);
    const progress = $(".progress-text", el);
    let text = body.textContent;
    let sent = Number(el.dataset.sent || 0);
    let painted = true;
    let lastNews = Date.now();
    const source = new EventSource(`${el.dataset.streamUrl}?from=${sent}`);
    current = { id, el, source };
    setBusy(true);
    const paint = () => {
      painted = true;
      const follow = nearBottom();
      renderPlain(body, text);
      if (follow) scrollDown(true);
    };
    if (text) paint();
    const news = (label) => {
      lastNews = Date.now();
      if (progress) progress.textContent = label;
    };
    const watchdog = setInterval(() => {
      if (Date.now() - lastNews > 45000 && progress) progress.textContent = strings.stalled;
    }, 5000);
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
      const fresh = fromServer(JSON.parse(event.data).html);
      // What arrived piece by piece must be exactly the saved answer; say so where it can be seen.
      const raw = $(".raw", fresh);
      if (raw) {
        const same = normalise(raw.value) === normalise(text).replace(/^\n/, "");
        fresh.dataset.streamCheck = same ? "exact" : "mismatch";
        if (!same) console.warn("Lawbot: the streamed answer differs from the saved one", id);
      }
      const follow = nearBottom();
      el.replaceWith(fresh);
      if (follow) scrollDown(true);
      status.textContent = strings.done;
      finished(fresh);
    });
    source.addEventListener("error", () => {
      if (source.readyState !== EventSource.CLOSED) {
        news(strings.reconnecting); // EventSource retries by itself, sending Last-Event-ID
        return;
      }
      clearInterval(watchdog);
      el.dataset.sent = String(sent);
      body.textContent = text;
      current = null;
      setBusy(false);
      stop.hidden = true;
      status.textContent = strings.lost;
      el.append(notice(strings.lost, () => attach(el)));
    });
  }

  async function ask(text) {
    if (current || !text.trim()) return;
    setBusy(true);
    const welcome = $(".welcome", messages);
    if (welcome) welcome.remove();
    try {
      const data = await postJSON(section.dataset.askUrl, {
        conversation: conversationId,
        question: text,
        model: model.value,
      });
      question.value = "";
      resize();
      if (data.conversation.created) startedConversation(data.conversation);
      messages.append(fromServer(data.question_html));
      const el = fromServer(data.assistant_html);
      messages.append(el);
      scrollDown(true);
      attach(el);
    } catch (error) {
      setBusy(false);
      status.textContent = strings.sendFailed;
      messages.append(notice(`${strings.sendFailed} (${error.message})`, () => ask(text)));
      scrollDown(true);
    }
  }

  function startedConversation(conversation) {
    conversationId = String(conversation.id);
    section.dataset.conversation = conversationId;
    section.dataset.regenerateUrl = conversation.regenerate_url;
    history.pushState({}, "", conversation.url);
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
    setBusy(true);
    try {
      const data = await postJSON(section.dataset.regenerateUrl, {
        model: model.value,
      });
      const fresh = fromServer(data.assistant_html);
      el.replaceWith(fresh);
      attach(fresh);
    } catch (error) {
      setBusy(false);
      el.append(notice(error.message, () => regenerate(el)));
    }
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

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask(question.value);
  });
  question.addEventListener("input", resize);
  question.addEventListener("keydown", (event) => {
    // Enter sends on desktop; on touch screens Enter is a new line and the button sends.
    // Never while an input method is composing (Chinese input confirms words with Enter).
    if (event.key !== "Enter" || event.shiftKey || touch) return;
    if (event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    form.requestSubmit();
  });
  stop.addEventListener("click", async () => {
    if (!current) return;
    stop.disabled = true;
    status.textContent = strings.stopping;
    try {
      await postJSON(current.el.dataset.stopUrl);
    } catch (error) {
      stop.disabled = false;
      status.textContent = error.message;
    }
  });
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
    }
  });
  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-open]");
    if (opener) document.getElementById(opener.dataset.open).showModal();
    const closer = event.target.closest("[data-close]");
    if (closer) closer.closest("dialog").close();
  });
  const toggle = $("#sidebar-toggle");
  if (toggle) {
    toggle.addEventListener("click", () => {
      const open = $("#sidebar").classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
  window.addEventListener("popstate", () => window.location.reload());

  send.disabled = false; // disabled in the page until this script handles sending
  form.dataset.ready = "true"; // keys typed before this would not have been handled
  enhance(messages);
  const streaming = messages.querySelectorAll('.message.assistant[data-status="streaming"]');
  if (streaming.length) attach(streaming[streaming.length - 1]);
  scrollDown(true);
})();
