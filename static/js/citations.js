// Citations: the numbered list under an answer (built from the stream's citations event while
// the answer streams; the server renders it for saved answers) and the card that hovering,
// focusing or tapping an [n] marker opens: the quoted paragraph, the law's last amendment date
// and the official link. Everything is built from text nodes.
"use strict";
window.LawbotCitations = (() => {
  const strings = JSON.parse(document.getElementById("ui-strings").textContent);
  const card = document.getElementById("cite-card");
  let anchor = null; // the marker the card belongs to
  let pinned = false;
  let hideTimer = null;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fillList(message, citations) {
    const box = message.querySelector(".citations");
    const list = box.querySelector("ol");
    list.replaceChildren();
    citations.forEach((c) => {
      const item = el("li");
      item.id = `cite-${message.dataset.id}-${c.number}`;
      item.dataset.number = String(c.number);
      const details = el("details");
      const summary = el("summary");
      summary.append(el("span", "cite-number", `[${c.number}]`), " ", el("span", "cite-title", c.title));
      // The law first (the Chinese text is what binds), then the Ministry's translation.
      const quotes = [el("blockquote", "cite-quote", c.quote)];
      if (c.paragraph_en) {
        const translation = el("blockquote", "cite-quote cite-translation", c.paragraph_en);
        translation.lang = "en";
        quotes.push(translation);
      }
      const meta = el("p", "cite-meta");
      if (c.amended) {
        meta.append(el("span", "cite-amended", `${strings.amended} ${c.amended}`), " · ");
      }
      const link = el("a", "", `${strings.officialText} ↗`);
      link.href = /^https?:\/\//.test(c.url) ? c.url : "#";
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      meta.append(link);
      details.append(summary, ...quotes, meta);
      item.append(details);
      list.append(item);
    });
  }

  function entry(marker) {
    const message = marker.closest(".message");
    return message && message.querySelector(`.citations li[data-number="${marker.dataset.cite}"]`);
  }

  function show(marker, pin) {
    const item = entry(marker);
    if (!item) return;
    clearTimeout(hideTimer);
    anchor = marker;
    pinned = pin;
    const title = el("p", "cite-card-title");
    title.append(`[${marker.dataset.cite}] `, item.querySelector(".cite-title").textContent);
    // The card quotes the law; on the English page, the Ministry's translation after it.
    const quotes = [el("blockquote", "", item.querySelector(".cite-quote:not([lang])").textContent)];
    const translation = item.querySelector(".cite-translation");
    if (translation && document.documentElement.lang.startsWith("en")) {
      const english = el("blockquote", "", translation.textContent);
      english.lang = "en";
      quotes.push(english);
    }
    const meta = item.querySelector(".cite-meta").cloneNode(true);
    card.replaceChildren(title, ...quotes, meta);
    card.hidden = false;
    marker.setAttribute("aria-describedby", "cite-card");
    const box = marker.getBoundingClientRect();
    const width = Math.min(420, window.innerWidth - 16);
    card.style.width = `${width}px`;
    card.style.left = `${Math.max(8, Math.min(box.left, window.innerWidth - width - 8))}px`;
    const below = box.bottom + 6;
    const height = card.offsetHeight;
    card.style.top = `${below + height < window.innerHeight ? below : Math.max(8, box.top - height - 6)}px`;
  }

  function hide() {
    if (anchor) anchor.removeAttribute("aria-describedby");
    card.hidden = true;
    anchor = null;
    pinned = false;
  }

  function hideSoon() {
    if (pinned) return;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 250);
  }

  const marker = (event) => event.target.closest && event.target.closest("a[data-cite]");
  document.addEventListener("mouseover", (event) => {
    const m = marker(event);
    if (m && !pinned) show(m, false);
    else if (event.target.closest && event.target.closest("#cite-card")) clearTimeout(hideTimer);
  });
  document.addEventListener("mouseout", (event) => {
    if (marker(event) || (event.target.closest && event.target.closest("#cite-card"))) hideSoon();
  });
  document.addEventListener("focusin", (event) => {
    const m = marker(event);
    if (m) show(m, false);
  });
  document.addEventListener("click", (event) => {
    const m = marker(event);
    if (m) {
      event.preventDefault(); // the card carries the official link
      if (anchor === m && pinned) hide();
      else show(m, true);
    } else if (!card.hidden && !event.target.closest("#cite-card")) {
      hide();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !card.hidden) {
      hide();
      event.stopPropagation();
    }
  }, true);
  window.addEventListener("scroll", () => pinned || hide(), true);

  return { fillList, hide, isOpen: () => !card.hidden };
})();
