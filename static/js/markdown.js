// Answers' Markdown → safe HTML in the browser, exactly as chat/markdown.py does on the server:
// markdown-it with the same options and the same [n] citation rule, then DOMPurify with the
// same allow-list as nh3 (sanitised after rendering, never before).
"use strict";
window.LawbotMarkdown = (() => {
  const md = window.markdownit("commonmark", { html: false, breaks: true }).enable([
    "table",
    "strikethrough",
  ]);
  const MARKER = /\[(\d{1,3})\]/g;

  function text(state, content) {
    const token = new state.Token("text", "", 0);
    token.content = content;
    return token;
  }

  md.core.ruler.push("citation_links", (state) => {
    const urls = state.env.citationUrls || [];
    for (const block of state.tokens) {
      if (block.type !== "inline" || !block.children || !block.content.includes("[")) continue;
      const out = [];
      let inLink = 0;
      for (const token of block.children) {
        if (token.type === "link_open") inLink += 1;
        if (token.type === "link_close") inLink -= 1;
        if (token.type !== "text" || inLink || !/\[\d{1,3}\]/.test(token.content)) {
          out.push(token);
          continue;
        }
        let last = 0;
        for (const match of token.content.matchAll(MARKER)) {
          const number = Number(match[1]);
          if (number < 1 || number > urls.length) continue;
          if (match.index > last) out.push(text(state, token.content.slice(last, match.index)));
          const open = new state.Token("link_open", "a", 1);
          open.attrs = [
            ["href", urls[number - 1]],
            ["data-cite", String(number)],
          ];
          out.push(open, text(state, match[0]), new state.Token("link_close", "a", -1));
          last = match.index + match[0].length;
        }
        if (last < token.content.length) out.push(text(state, token.content.slice(last)));
      }
      block.children = out;
    }
  });

  const TAGS = ["p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del",
    "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr",
    "th", "td"];
  const purify = window.DOMPurify;
  purify.addHook("uponSanitizeAttribute", (node, data) => {
    const tag = node.nodeName.toLowerCase();
    const allowed = {
      a: ["href", "title", "data-cite"],
      ol: ["start"],
      th: ["style"],
      td: ["style"],
    }[tag] || [];
    if (!allowed.includes(data.attrName)) data.keepAttr = false;
    else if (data.attrName === "style" && !/^text-align:(left|right|center)$/.test(data.attrValue)) {
      data.keepAttr = false;
    }
  });
  purify.addHook("afterSanitizeAttributes", (node) => {
    if (node.nodeName === "A") {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer nofollow");
    }
  });
  const CONFIG = {
    ALLOWED_TAGS: TAGS,
    ALLOWED_ATTR: ["href", "title", "data-cite", "start", "style"],
    ALLOW_DATA_ATTR: false,
    ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
    RETURN_DOM_FRAGMENT: true,
  };

  const webUrl = (url) => (/^https?:\/\//.test(url || "") ? url : "#");

  // While an answer streams, a table is shown once its header and delimiter rows have arrived,
  // and a table row once it is complete, so that a half-written table never shows as text.
  function settled(text) {
    const lines = text.split("\n");
    const last = lines[lines.length - 1];
    if (/^\s*\|/.test(last)) lines.pop();
    let start = lines.length;
    while (start > 0 && /^\s*\|/.test(lines[start - 1])) start -= 1;
    const block = lines.slice(start);
    if (block.length && !block.some((line) => /^\s*\|?\s*:?-{1,}:?\s*(\||$)/.test(line))) {
      lines.length = start;
    }
    // The last line's unclosed emphasis, code span or link waits for its end, rather than
    // showing its markup for a moment.
    let tail = lines.length ? lines[lines.length - 1] : "";
    const cut = (index) => {
      if (index >= 0) tail = tail.slice(0, index);
    };
    if ((tail.match(/`/g) || []).length % 2) cut(tail.lastIndexOf("`"));
    if ((tail.match(/\*\*/g) || []).length % 2) cut(tail.lastIndexOf("**"));
    if ((tail.match(/__/g) || []).length % 2) cut(tail.lastIndexOf("__"));
    const open = tail.lastIndexOf("[");
    if (open >= 0 && !/\]\([^)]*\)|\](?!\()/.test(tail.slice(open))) cut(open);
    if (lines.length) lines[lines.length - 1] = tail;
    return lines.join("\n");
  }

  function render(text, citations, streaming) {
    const urls = (citations || []).map((c) => webUrl(c.url));
    const source = streaming ? settled(text) : text;
    return purify.sanitize(md.render(source, { citationUrls: urls }), CONFIG);
  }

  // Replaces the children of `container` by those of `fragment`, keeping the leading ones that
  // did not change (a selection or an open citation card in them survives the next piece).
  function morph(container, fragment) {
    const fresh = Array.from(fragment.childNodes).filter(
      (node) => node.nodeType !== Node.TEXT_NODE || node.textContent.trim(),
    );
    const old = Array.from(container.childNodes).filter(
      (node) => node.nodeType !== Node.TEXT_NODE || node.textContent.trim(),
    );
    let same = 0;
    while (same < fresh.length && same < old.length && fresh[same].isEqualNode(old[same])) same += 1;
    for (const node of old.slice(same)) node.remove();
    container.append(...fresh.slice(same));
  }

  return { render, morph };
})();
