// Builds a hit card with DOM calls only (textContent), so user text is never parsed as HTML.
"use strict";
(function () {
  const MATCHED_BY = { meaning: "betydning", words: "ord", both: "ord og betydning" };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function highlighted(snippet, spans) {
    const fragment = document.createDocumentFragment();
    let last = 0;
    const sorted = spans.slice().sort((a, b) => a[0] - b[0]);
    for (const [rawStart, rawEnd] of sorted) {
      const start = Math.max(rawStart, last);
      const end = Math.min(rawEnd, snippet.length);
      if (start >= end) continue;
      if (start > last) fragment.append(document.createTextNode(snippet.slice(last, start)));
      fragment.append(el("mark", "", snippet.slice(start, end)));
      last = end;
    }
    if (last < snippet.length) fragment.append(document.createTextNode(snippet.slice(last)));
    return fragment;
  }

  function card(hit, heading) {
    const li = el("li", "card");
    li.dataset.kind = hit.kind;
    li.dataset.id = hit.id;
    const article = el("article");
    article.append(el("p", "kind kind-" + hit.kind, hit.kind_label));
    const title = el(heading || "h2", "card-title");
    const link = el("a", "", hit.title);
    link.href = hit.url;
    title.append(link);
    article.append(title);
    const where = [hit.unit_name, hit.organisation, hit.area].filter(Boolean).join(" · ");
    article.append(el("p", "where", where));
    const why = el("p", "why");
    const via = hit.explanation.via;
    if (via) {
      const label = el("span", "why-label", "Fundet gennem " + (via.kind === "person" ? "kollegaen " : "prøvehandlingen "));
      const viaLink = el("a", "", via.title);
      viaLink.href = via.url;
      label.append(viaLink, ":");
      why.append(label);
    } else {
      why.append(el("span", "why-label", "Fundet på " + MATCHED_BY[hit.explanation.matched_by] + ":"));
    }
    why.append(document.createTextNode(" "));
    why.append(highlighted(hit.explanation.snippet, hit.explanation.highlights));
    article.append(why);
    if (hit.confirmed_at) {
      const [y, m, d] = hit.confirmed_at.slice(0, 10).split("-");
      article.append(el("p", "confirmed", "Bekræftet " + d + "-" + m + "-" + y));
    }
    const c = hit.contact;
    if (c.name || c.email || c.phone) {
      const contact = el("p", "contact");
      contact.append(el("span", "contact-label", "Kontakt:"));
      if (c.name) contact.append(" ", el("span", "", c.name));
      if (c.email) {
        const mail = el("a", "", c.email);
        mail.href = "mailto:" + c.email;
        contact.append(" ", mail);
      }
      if (c.phone) {
        const tel = el("a", "", c.phone);
        tel.href = "tel:" + c.phone;
        contact.append(" ", tel);
      }
      article.append(contact);
    }
    li.append(article);
    return li;
  }

  window.tvaersCards = { card: card };
})();
