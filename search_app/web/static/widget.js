// Sök widget: <script src="https://SÖK-HOST/widget.js" defer></script> and <sok-search></sok-search>.
// A custom element with shadow DOM: the host page's CSS cannot reach inside, and the widget's CSS
// cannot reach out. No framework, no cookies, no storage, no requests to anyone but the endpoint.
(function () {
  "use strict";

  // The DOM helpers. Sök's own page loads this script before chat.js, which uses them from
  // window.SokDom: one copy, so the chat and the widget show snippets and links alike.
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function safeUrl(url) {
    try {
      var parsed = new URL(url, location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  // Snippets are escaped HTML with <mark>: keep their text and <mark> elements, nothing else.
  function snippet(html, tag, className) {
    var out = el(tag, className);
    var body = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html").body;
    var paragraph = body.firstChild;
    (paragraph ? paragraph.childNodes : []).forEach(function (node) {
      out.appendChild(node.nodeName === "MARK" ? el("mark", "", node.textContent) : document.createTextNode(node.textContent || ""));
    });
    return out;
  }

  // How the server names the source ("page title › section", a "Kontakt" with the heading above it).
  function sourceLabel(item) {
    return item.label;
  }

  // "Fick du svar på din fråga?" under an answer: Ja and Nej buttons that send the verdict once to
  // base + /api/v1/feedback (the question only: no cookie, no identifier), then, once the server took it,
  // say thanks and keep the keyboard focus there; a refused or lost verdict says so and is never thanked.
  // The status exists from the start, so screen readers hear it.
  // `history`, for a chat's follow-up: the earlier questions it was asked after (the statistics show its subject).
  function feedback(base, question, strings, id, prefix, history) {
    var box = el("div", prefix + "feedback");
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", id);
    var label = el("span", prefix + "feedback-question", strings.asked);
    label.id = id;
    var status = el("span", prefix + "feedback-thanks");
    status.setAttribute("role", "status");
    status.tabIndex = -1;
    box.append(label, " ");
    [[strings.yes, true], [strings.no, false]].forEach(function (choice) {
      var button = el("button", prefix + "feedback-button", choice[0]);
      button.type = "button";
      button.addEventListener("click", function () {
        var verdict = { q: question, helpful: choice[1] };
        if (history && history.length) verdict.history = history;
        box.querySelectorAll("button").forEach(function (node) { node.disabled = true; });
        fetch(base + "/api/v1/feedback", { method: "POST", body: JSON.stringify(verdict), credentials: "omit" })
          .then(function (response) { return response.ok; }, function () { return false; })
          .then(function (taken) {
            box.querySelectorAll("button").forEach(function (node) { node.remove(); });
            status.textContent = taken ? strings.thanks : strings.refused;
            status.focus();
          });
      });
      box.append(button, " ");
    });
    box.append(status);
    return box;
  }

  // Whether the server at `base` takes verdicts from this page's origin (GET /api/v1/feedback): the
  // buttons are shown only then, so that no visitor answers into the void. One question per endpoint.
  var verdictsTaken = {};
  function takesVerdicts(base) {
    if (!verdictsTaken[base]) {
      verdictsTaken[base] = fetch(base + "/api/v1/feedback", { credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { allowed: false }; })
        .then(function (data) { return data.allowed === true; }, function () { return false; });
    }
    return verdictsTaken[base];
  }

  // An answer's fact (answer.highlight: its text and offsets, or null) as [before, fact, after], or null.
  // The offsets count code points, as Python does: cut Array.from(text), never UTF-16 indices.
  function factParts(text, highlight) {
    if (!highlight) return null;
    var chars = Array.from(text);
    var start = highlight.start;
    var end = highlight.end;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= chars.length)) return null;
    var fact = chars.slice(start, end).join("");
    return fact === highlight.text ? [chars.slice(0, start).join(""), fact, chars.slice(end).join("")] : null;
  }

  // The answer's sentence with its fact in <strong> (text nodes only).
  function answerText(answer, tag, className) {
    var out = el(tag, className);
    var parts = factParts(answer.text, answer.highlight);
    if (parts) out.append(parts[0], el("strong", "", parts[1]), parts[2]);
    else out.textContent = answer.text;
    return out;
  }

  if (!window.SokDom) {
    window.SokDom = { element: el, safeUrl: safeUrl, snippet: snippet, sourceLabel: sourceLabel, factParts: factParts,
                      answerText: answerText, feedback: feedback, takesVerdicts: takesVerdicts };
  }

  if (window.customElements === undefined || customElements.get("sok-search")) return;

  var script = document.currentScript;
  var SCRIPT_ORIGIN = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var DEBOUNCE_MS = 250;
  // A question goes to /api/ask (an answer card), anything else to /api/search. This is decided before
  // any request is sent, so the API could only say it one round trip later. The words that open a question
  // are indexer/language/questions.py's QUESTION_START, the page's own rule: /widget.js fills them in
  // (search_app/web/widget.py); this file as it lies takes only a final question mark for a question.
  var QUESTION_WORDS = new RegExp("(?!)" /* sok:question-start */, "i");

  // Every text the widget shows, per language.
  var STRINGS = {
    sv: {
      label: "Sök på webbplatsen",
      placeholder: "Sök eller ställ en fråga",
      answer: "Svar",
      source: "Källa",
      suggestions: "Förslag",
      results: "Sökresultat",
      all: "Visa alla träffar",
      searching: "Söker …",
      none: "Inga träffar.",
      count: function (n, exact) { return exact === false ? "Omkring " + n + " träffar" : n === 1 ? "1 träff" : n + " träffar"; },
      down: "Sök kan inte nås just nu. Försök igen om en stund.",
      busy: "För många sökningar just nu. Vänta en stund och försök igen.",
      asked: "Fick du svar på din fråga?",
      yes: "Ja",
      no: "Nej",
      thanks: "Tack för ditt svar!",
      refused: "Svaret kunde inte skickas.",
      failed: "Något gick fel med sökningen. Försök igen.",
      updated: "Uppdaterad",
      months: ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
               "november", "december"],
      shortcut: "Ctrl K"
    },
    en: {
      label: "Search this site",
      placeholder: "Search or ask a question",
      answer: "Answer",
      source: "Source",
      suggestions: "Suggestions",
      results: "Search results",
      all: "Show all results",
      searching: "Searching …",
      none: "No results.",
      count: function (n, exact) { return exact === false ? "About " + n + " results" : n === 1 ? "1 result" : n + " results"; },
      down: "Search cannot be reached right now. Please try again later.",
      busy: "Too many searches right now. Please wait a moment and try again.",
      asked: "Did you get an answer to your question?",
      yes: "Yes",
      no: "No",
      thanks: "Thank you for your answer!",
      refused: "Your answer could not be sent.",
      failed: "Something went wrong with the search. Please try again.",
      updated: "Updated",
      months: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"],
      shortcut: "Ctrl K"
    }
  };

  // The answer card's own words for a question in another language than Swedish (data.language from /api/ask),
  // per language; the answer itself stays as the Swedish page words it. A language without a table gets English's.
  // The page's table of the same strings is search_app/web/card_strings.py.
  var CARD_STRINGS = {
    en: { answer: "Answer", fromPage: "The answer is in Swedish, from {publisher}'s page:",
          fromThisPage: "The answer is in Swedish, from this page:", source: "Source", dir: "ltr" },
    ar: { answer: "الإجابة", fromPage: "الإجابة باللغة السويدية، من صفحة {publisher}:",
          fromThisPage: "الإجابة باللغة السويدية، من هذه الصفحة:", source: "المصدر", dir: "rtl" },
    fa: { answer: "پاسخ", fromPage: "پاسخ به زبان سوئدی است، از صفحهٔ {publisher}:",
          fromThisPage: "پاسخ به زبان سوئدی است، از این صفحه:", source: "منبع", dir: "rtl" },
    so: { answer: "Jawaab", fromPage: "Jawaabtu waa af-Iswiidhish, waxayna ka timid bogga {publisher}:",
          fromThisPage: "Jawaabtu waa af-Iswiidhish, waxayna ka timid boggan:", source: "Isha", dir: "ltr" },
    pl: { answer: "Odpowiedź", fromPage: "Odpowiedź jest po szwedzku, ze strony {publisher}:",
          fromThisPage: "Odpowiedź jest po szwedzku, z tej strony:", source: "Źródło", dir: "ltr" },
    uk: { answer: "Відповідь", fromPage: "Відповідь шведською мовою, зі сторінки {publisher}:",
          fromThisPage: "Відповідь шведською мовою, з цієї сторінки:", source: "Джерело", dir: "ltr" },
    fi: { answer: "Vastaus", fromPage: "Vastaus on ruotsiksi, sivulta {publisher}:",
          fromThisPage: "Vastaus on ruotsiksi, tältä sivulta:", source: "Lähde", dir: "ltr" }
  };

  // The card's language for a question in ``language`` (null for Swedish, whose words are the widget's own).
  function cardLanguage(language) {
    if (!language || language === "sv") return null;
    return CARD_STRINGS[language] ? language : "en";
  }

  var CSS = [
    // !important here wins over the host page's !important rules on <sok-search> itself.
    ":host{all:initial!important;display:block!important;box-sizing:border-box!important;max-width:100%!important;",
    "visibility:visible!important;position:relative!important;",
    "font-family:var(--sok-font,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif)!important;",
    "font-size:var(--sok-font-size,16px)!important;line-height:1.45!important;letter-spacing:normal!important;",
    "color:var(--sok-color-text,#1b1b1b)!important}",
    "*,*::before,*::after{box-sizing:border-box}[hidden]{display:none!important}",
    ".sok{position:relative;display:block;width:100%}",
    ".sok-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    ".sok-box{display:flex;align-items:center;gap:.5em;border:2px solid var(--sok-color-border,#8a8a8a);",
    "border-radius:var(--sok-radius,6px);background:var(--sok-color-bg,#fff);padding:0 .6em}",
    ".sok-box:focus-within{border-color:var(--sok-color-accent,#0b5cad);outline:3px solid var(--sok-color-focus,#e0a100);outline-offset:1px}",
    "input{flex:1;min-width:0;border:0;background:transparent;color:inherit;font:inherit;padding:.6em 0;outline:none}",
    "kbd{font:inherit;font-size:.75em;color:var(--sok-color-muted,#4a4a4a);border:1px solid currentColor;border-radius:4px;padding:0 .35em;white-space:nowrap}",
    ".sok-panel{display:block;margin-top:.4em;border:1px solid var(--sok-color-border,#8a8a8a);border-radius:var(--sok-radius,6px);",
    "background:var(--sok-color-bg,#fff);padding:.5em;max-height:70vh;overflow:auto}",
    ".sok-status{display:block;font-size:.9em;color:var(--sok-color-muted,#4a4a4a);margin:.2em 0}",
    ".sok-answer{display:block;border-inline-start:4px solid var(--sok-color-accent,#0b5cad);padding:.3em .7em;margin:.2em 0 .6em;white-space:pre-line}",
    ".sok-answer h2,.sok-group-title{font-size:.8em;text-transform:uppercase;letter-spacing:.04em;margin:.2em 0;color:var(--sok-color-muted,#4a4a4a)}",
    ".sok-list,.sok-group{display:block;list-style:none;margin:0;padding:0}",
    ".sok-option{display:block;padding:.45em .5em;border-radius:calc(var(--sok-radius,6px) - 2px);cursor:pointer}",
    ".sok-option[aria-selected=true]{background:var(--sok-color-active,#e8f0fa);outline:2px solid var(--sok-color-accent,#0b5cad)}",
    ".sok-title{display:block;color:var(--sok-color-accent,#0b5cad);font-weight:600;text-decoration:underline}",
    ".sok-snippet{display:block;margin:.15em 0 0;font-size:.92em}",
    "mark{background:var(--sok-color-mark,#fff1a8);color:inherit}",
    ".sok-source,.sok-publisher,.sok-language{display:block;font-size:.85em;color:var(--sok-color-muted,#4a4a4a)}",
    ".sok-all{display:inline-block;margin:.2em .5em 0;padding:.6em 0;min-height:44px;color:var(--sok-color-accent,#0b5cad)}",
    ".sok-error{color:#a40000;font-weight:600}",
    ".sok-feedback{display:block;margin:.4em 0 0;font-size:.9em}",
    ".sok-feedback-button{font:inherit;margin-left:.4em;padding:.15em .8em;min-height:44px;min-width:44px;cursor:pointer;color:var(--sok-color-accent,#0b5cad);",
    "background:var(--sok-color-bg,#fff);border:1px solid currentColor;border-radius:var(--sok-radius,6px)}",
    ".sok-feedback-button:focus-visible,.sok-feedback-thanks:focus-visible{outline:3px solid var(--sok-color-focus,#e0a100);outline-offset:1px}",
    "@media (max-width:30em){kbd{display:none}.sok-panel{max-height:80vh}}"
  ].join("");

  var counter = 0;

  class SokSearch extends HTMLElement {
    static get observedAttributes() { return ["placeholder", "lang"]; }

    constructor() {
      super();
      this.uid = "sok" + (++counter);
      this.root = this.attachShadow({ mode: "open" });
      this.options = [];
      this.active = -1;
      this.timer = 0;
      this.request = null;
      this.onShortcut = this.onShortcut.bind(this);
    }

    get strings() { return STRINGS[(this.getAttribute("lang") || "sv").slice(0, 2)] || STRINGS.sv; }
    get endpoint() { return (this.getAttribute("endpoint") || SCRIPT_ORIGIN).replace(/\/+$/, ""); }
    get limit() { return Math.max(1, Math.min(20, parseInt(this.getAttribute("limit"), 10) || 8)); }

    connectedCallback() {
      if (!this.input) this.render();
      document.addEventListener("keydown", this.onShortcut);
    }

    disconnectedCallback() { document.removeEventListener("keydown", this.onShortcut); }

    attributeChangedCallback() { if (this.input) this.applyStrings(); }

    render() {
      var s = this.strings;
      this.adoptStyles();
      var wrap = el("div", "sok");
      var label = el("label", "sok-hidden");
      label.htmlFor = this.uid + "-input";
      var box = el("div", "sok-box");
      var input = el("input");
      input.id = this.uid + "-input";
      input.type = "search";
      input.autocomplete = "off";
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", this.uid + "-list");
      var kbd = el("kbd", "", s.shortcut);
      kbd.setAttribute("aria-hidden", "true");
      box.append(input, kbd);
      var status = el("div", "sok-status");
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      var panel = el("div", "sok-panel");
      panel.hidden = true;
      var answer = el("div", "sok-answer");
      answer.hidden = true;
      var list = el("div", "sok-list");
      list.id = this.uid + "-list";
      list.setAttribute("role", "listbox");
      var all = el("a", "sok-all");
      panel.append(answer, list, all);
      wrap.append(label, box, status, panel);
      this.root.append(wrap);
      Object.assign(this, { input: input, label: label, status: status, panel: panel, answerBox: answer, list: list, allLink: all });
      this.applyStrings();
      input.addEventListener("input", this.onInput.bind(this));
      input.addEventListener("keydown", this.onKey.bind(this));
    }

    // A constructed stylesheet needs no inline <style>, so host pages with a strict
    // Content-Security-Policy (no 'unsafe-inline' styles) show the widget styled too.
    adoptStyles() {
      if (window.CSSStyleSheet && "replaceSync" in CSSStyleSheet.prototype && "adoptedStyleSheets" in this.root) {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        this.root.adoptedStyleSheets = [sheet];
      } else {
        var style = el("style");
        style.textContent = CSS;
        this.root.appendChild(style);
      }
    }

    applyStrings() {
      var s = this.strings;
      this.label.textContent = s.label;
      this.input.placeholder = this.getAttribute("placeholder") || s.placeholder;
      this.list.setAttribute("aria-label", s.results);
      this.allLink.textContent = s.all;
    }

    onShortcut(event) {
      if ((event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K")) {
        event.preventDefault();
        this.input.focus();
        this.input.select();
      }
    }

    onInput() {
      clearTimeout(this.timer);
      var query = this.input.value.trim();
      if (!query) { this.close(); this.status.textContent = ""; return; }
      this.timer = setTimeout(this.search.bind(this, query), DEBOUNCE_MS);
    }

    onKey(event) {
      var key = event.key;
      if (key === "ArrowDown" || key === "ArrowUp") {
        if (this.panel.hidden || !this.options.length) return;
        event.preventDefault();
        var step = key === "ArrowDown" ? 1 : -1;
        this.select((this.active + step + this.options.length) % this.options.length);
      } else if (key === "Enter") {
        event.preventDefault();
        if (this.active >= 0) this.options[this.active].activate();
        else if (this.input.value.trim()) { clearTimeout(this.timer); this.search(this.input.value.trim(), true); }
      } else if (key === "Escape") {
        if (!this.panel.hidden) { event.preventDefault(); this.close(); }
      }
    }

    select(index) {
      this.options.forEach(function (option, i) { option.node.setAttribute("aria-selected", String(i === index)); });
      this.active = index;
      var option = this.options[index];
      this.input.setAttribute("aria-activedescendant", option.node.id);
      option.node.scrollIntoView({ block: "nearest" });
    }

    close() {
      this.panel.hidden = true;
      this.input.setAttribute("aria-expanded", "false");
      this.input.removeAttribute("aria-activedescendant");
      this.active = -1;
    }

    // Tell the site owner's statistics which result was opened (question and link only). A question typed
    // but never submitted was not counted while it was typed: the click says so, and it is counted once now.
    counted(query, href) {
      var click = { q: query, url: href };
      if (this.submitted !== query) click.searched = false;
      if (navigator.sendBeacon) navigator.sendBeacon(this.endpoint + "/api/click", JSON.stringify(click));
    }

    api(path, params) {
      var url = new URL(this.endpoint + path);
      Object.keys(params).forEach(function (key) { if (params[key]) url.searchParams.set(key, params[key]); });
      return fetch(url.href, { signal: this.request.signal, credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 429) throw new Error("busy");
          if (!response.ok) throw new Error("failed");
          return response.json();
        });
    }

    // `submitted`: Enter or a chosen suggestion, counted in the statistics; search-as-you-type sends count=0.
    search(query, submitted) {
      var self = this;
      var s = this.strings;
      var count = submitted ? "" : "0";
      if (submitted) this.submitted = query;
      if (this.request) this.request.abort();
      this.request = new AbortController();
      this.status.textContent = s.searching;
      var publisher = this.getAttribute("publisher") || "";
      var isQuestion = /[?\u061f\uff1f]\s*$/.test(query) || QUESTION_WORDS.test(query);  // "?", Arabic "؟", "？"
      var main = isQuestion
        ? this.api("/api/ask", { q: query, publisher: publisher, count: count })
        : this.api("/api/search", { q: query, limit: String(this.limit), publisher: publisher, count: count });
      var completions = this.api("/api/suggest", { q: query }).catch(function () { return { suggestions: [] }; });
      Promise.all([main, completions]).then(function (results) {
        self.show(query, results[0], results[1].suggestions || [], isQuestion);
      }).catch(function (error) {
        if (error && error.name === "AbortError") return;
        self.showError(error && error.message === "busy" ? s.busy : error && error.message === "failed" ? s.failed : s.down);
      });
    }

    show(query, data, completions, isQuestion) {
      var self = this;
      var s = this.strings;
      var passages = (isQuestion ? data.passages : data.results) || [];
      this.options = [];
      this.active = -1;
      this.list.textContent = "";
      this.answerBox.textContent = "";
      this.answerBox.hidden = !(isQuestion && data.answer);
      // A screen reader hears the fact first: in the live status and right after the card's heading.
      var fact = isQuestion && data.answer ? factParts(data.answer.text, data.answer.highlight) : null;
      var cardLang = isQuestion ? cardLanguage(data.language) : null;
      var card = cardLang ? CARD_STRINGS[cardLang] : null;
      if (card) {
        this.answerBox.setAttribute("lang", cardLang);
        this.answerBox.setAttribute("dir", card.dir);
      } else {
        this.answerBox.removeAttribute("lang");
        this.answerBox.removeAttribute("dir");
      }
      if (isQuestion && data.answer) {
        var page = data.answer.url.split("#")[0];
        var from = passages.filter(function (passage) { return passage.url.split("#")[0] === page; })[0];
        this.answerBox.append(el("h2", "", card ? card.answer : s.answer));
        if (card) {
          this.answerBox.append(el("p", "sok-language", from && from.publisher
            ? card.fromPage.replace("{publisher}", from.publisher) : card.fromThisPage));
        }
        if (fact) this.answerBox.append(el("span", "sok-hidden", fact[1] + "."));
        var text = answerText(data.answer, "p", "");
        text.setAttribute("lang", "sv");
        text.setAttribute("dir", "ltr");
        this.answerBox.append(text);
        var source = el("span", "sok-source", (card ? card.source : s.source) + ": ");
        var href = safeUrl(data.answer.url);
        var link = el(href ? "a" : "span", "", sourceLabel(data.answer));
        if (href) {
          link.href = href;
          link.addEventListener("click", function () { self.counted(query, href); });
        }
        link.setAttribute("lang", "sv");
        link.setAttribute("dir", "ltr");
        source.appendChild(link);
        this.answerBox.appendChild(source);
        if (from) this.answerBox.appendChild(el("span", "sok-publisher", this.origin(from)));
        var answerBox = this.answerBox;
        var verdictId = this.uid + "-fb";
        takesVerdicts(this.endpoint).then(function (taken) {
          if (taken && answerBox.contains(source)) answerBox.appendChild(feedback(self.endpoint, query, s, verdictId, "sok-"));
        });
      }
      var ownWords = completions.filter(function (c) { return c.text.toLowerCase() !== query.toLowerCase(); }).slice(0, 4);
      if (ownWords.length) {
        var group = this.group(s.suggestions);
        ownWords.forEach(function (completion) {
          self.option(group, el("span", "", completion.text), function () {
            self.input.value = completion.text;
            self.search(completion.text, true);
          });
        });
      }
      var pages = {};
      var order = [];
      passages.forEach(function (passage) {
        var key = passage.url.split("#")[0];
        if (!pages[key]) { pages[key] = []; order.push(key); }
        pages[key].push(passage);
      });
      order.forEach(function (key) {
        var group = self.group(pages[key][0].title);
        pages[key].forEach(function (passage) {
          // An option holds no link (a listbox option must not contain interactive elements):
          // Enter or a click opens the passage's deep link.
          var href = safeUrl(passage.url);
          var content = el("span");
          var title = el("span", "sok-title", passage.section && passage.section !== passage.title ? passage.section : passage.title);
          content.append(title, snippet(passage.snippet, "span", "sok-snippet"),
                         el("span", "sok-publisher", self.origin(passage)));
          self.option(group, content, function () { if (href) { self.counted(query, href); location.assign(href); } });
        });
      });
      var allHref = safeUrl(this.endpoint + "/?q=" + encodeURIComponent(query));
      if (allHref) this.allLink.href = allHref;
      var total = isQuestion ? passages.length : data.total;
      this.allLink.hidden = !total; // "Inga träffar." stands alone
      this.status.textContent = (fact ? s.answer + ": " + fact[1] + ". " : "") + (total ? s.count(total, isQuestion ? true : data.total_exact) : s.none);
      this.panel.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
      this.input.removeAttribute("aria-activedescendant");
    }

    // Who published a result, on which site, and when the page last changed: "Tillväxtverket · tillvaxtverket.se".
    origin(passage) {
      var s = this.strings;
      var parts = [passage.publisher];
      try { parts.push(new URL(passage.url).hostname.replace(/^www\./, "")); } catch (error) { /* no site */ }
      var date = /^(\d{4})-(\d\d)-(\d\d)/.exec(passage.published || "");
      if (date) parts.push(s.updated + " " + Number(date[3]) + " " + s.months[Number(date[2]) - 1] + " " + date[1]);
      return parts.filter(Boolean).join(" · ");
    }

    group(title) {
      var group = el("div", "sok-group");
      group.setAttribute("role", "group");
      var heading = el("div", "sok-group-title", title);
      heading.id = this.uid + "-g" + this.list.children.length;
      heading.setAttribute("role", "presentation");
      group.setAttribute("aria-labelledby", heading.id);
      group.appendChild(heading);
      this.list.appendChild(group);
      return group;
    }

    option(group, content, activate) {
      var self = this;
      var node = el("div", "sok-option");
      node.id = this.uid + "-o" + this.options.length;
      node.setAttribute("role", "option");
      node.setAttribute("aria-selected", "false");
      node.appendChild(content);
      var index = this.options.length;
      node.addEventListener("mousedown", function (event) { event.preventDefault(); });
      node.addEventListener("click", function () {
        self.select(index);
        activate();
      });
      group.appendChild(node);
      this.options.push({ node: node, activate: activate });
    }

    showError(message) {
      this.close();
      this.status.textContent = "";
      var error = el("span", "sok-error", message);
      this.status.appendChild(error);
    }
  }

  customElements.define("sok-search", SokSearch);
})();
