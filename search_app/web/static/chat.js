// Chat on the Sök page. Each question goes to POST /tur with the earlier questions, and the server answers
// with the turn's HTML: the same template (templates/turn.html) the page renders for /?q= without
// JavaScript, so both show one result view with filters and paging. The address follows the conversation:
// each turn has its /?q= (and efter=, the earlier question a follow-up borrows from), Back and Forward
// move between turns, and a reload or a copied address opens the turn on the server.
(function () {
  "use strict";

  const form = document.getElementById("sokformular");
  const input = document.getElementById("fraga");
  const conversation = document.getElementById("samtal");
  const announcer = document.getElementById("nytt-svar");
  // The DOM helpers come from widget.js, which the page loads first: one copy for the page and the widget.
  const dom = window.SokDom;
  if (!form || !input || !conversation || !announcer || !dom || !window.fetch) return;

  const element = dom.element;
  const FEEDBACK = { asked: "Fick du svar på din fråga?", yes: "Ja", no: "Nej", thanks: "Tack för ditt svar!",
                     refused: "Svaret kunde inte skickas. Försök igen senare." };
  const asked = []; // the questions of the conversation, oldest first: a follow-up's possible subjects
  let turns = 0;
  let shown = location.pathname + location.search; // the address of what is on screen (a #fragment aside)

  function earlierOf(turn) {
    return turn.dataset.context ? [turn.dataset.context] : [];
  }

  // A rendered turn comes alive: its verdict form becomes buttons (one request, no reload).
  function prepare(turn, number) {
    turn.dataset.nr = String(number);
    const verdict = turn.querySelector(".feedback-form");
    if (verdict) {
      verdict.replaceWith(dom.feedback("", turn.dataset.question, FEEDBACK, "svar-fick-" + number, "",
                                       earlierOf(turn)));
    }
  }

  function current() {
    return location.pathname + location.search;
  }

  function post(body) {
    return fetch("/tur", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/html" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.text().then(function (html) {
        const holder = document.createElement("div");
        holder.innerHTML = html;
        const turn = holder.querySelector(".turn");
        if (!response.ok || !turn) {
          const error = holder.querySelector(".error");
          throw new Error(error ? error.textContent : "Något gick fel. Försök igen.");
        }
        return turn;
      });
    });
  }

  // Read the new turn's answer once (not the whole conversation): its fact or "no answer", and the count.
  function announce(turn) {
    const parts = [];
    const answer = turn.querySelector(".answer-text");
    const none = turn.querySelector(".no-answer");
    const count = turn.querySelector(".count");
    if (answer) parts.push("Svar: " + answer.textContent.trim());
    else if (none) parts.push(none.textContent.trim());
    if (count) parts.push(count.textContent.trim());
    announcer.textContent = parts.join(" ");
  }

  function show(turn) {
    turn.scrollIntoView({ block: "start", behavior: "auto" });
  }

  function pending(question) {
    const turn = element("section", "turn");
    turn.setAttribute("aria-busy", "true");
    turn.appendChild(element("h2", "question", question));
    turn.appendChild(element("p", "status", "Söker svar …"));
    conversation.appendChild(turn);
    show(turn);
    return turn;
  }

  function failed(turn, question, message, retry) {
    turn.removeAttribute("aria-busy");
    turn.querySelectorAll(".status").forEach(function (node) { node.remove(); });
    const error = element("p", "error", message);
    error.setAttribute("role", "alert");
    const again = element("button", "retry-button", "Försök igen");
    again.type = "button";
    again.addEventListener("click", function () { turn.remove(); retry(); });
    turn.append(error, again);
    if (!input.value) input.value = question; // the question stays in the box
  }

  function ask(question, earlier) {
    turns += 1;
    const number = turns;
    // The empty page's introduction and an earlier page's message give way to the conversation.
    document.querySelectorAll("main > .intro, main > .empty, main > .turn-error").forEach(function (node) {
      node.remove();
    });
    const waiting = pending(question);
    input.value = "";
    announcer.textContent = "";
    post({ q: question, history: earlier, nr: number })
      .then(function (turn) {
        prepare(turn, number);
        waiting.replaceWith(turn);
        asked.push(question);
        history.pushState({ nr: number }, "", turn.dataset.url);
        shown = current();
        show(turn);
        announce(turn);
      })
      .catch(function (error) {
        const message = error instanceof TypeError ? "Tjänsten svarar inte. Försök igen om en stund." : error.message;
        failed(waiting, question, message, function () { ask(question, earlier); });
      })
      .finally(function () { input.focus({ preventScroll: true }); });
  }

  // A filter, a page of results, or (after Back) another address of a turn: the turn is rendered anew in place.
  function reload(turn, address, push) {
    const params = new URL(address, location.href).searchParams;
    const body = { q: params.get("q") || "", nr: Number(turn.dataset.nr), history: params.getAll("efter") };
    ["sida", "typ", "utgivare"].forEach(function (name) { if (params.get(name)) body[name] = params.get(name); });
    turn.setAttribute("aria-busy", "true");
    post(body).then(function (fresh) {
      prepare(fresh, Number(turn.dataset.nr));
      turn.replaceWith(fresh);
      if (push) history.pushState({ nr: Number(fresh.dataset.nr) }, "", fresh.dataset.url);
      shown = current();
      show(fresh);
      announce(fresh);
      const heading = fresh.querySelector(".results h3");
      if (push && heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
    }).catch(function () { location.assign(address); });
  }

  conversation.addEventListener("click", function (event) {
    const anchor = event.target.closest && event.target.closest("a");
    if (!anchor || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    const turn = anchor.closest(".turn");
    if (!turn) return;
    if (anchor.dataset.question) { // "Menade du: …?" asks the suggestion as the next question
      event.preventDefault();
      ask(anchor.dataset.question, asked.slice());
    } else if (anchor.classList.contains("turn-link")) {
      event.preventDefault();
      reload(turn, anchor.getAttribute("href"), true);
    }
  });

  // Back and Forward: to a turn still on the page, or to one the server renders anew.
  window.addEventListener("popstate", function () {
    if (current() === shown) return; // only the #fragment changed (the skip link)
    shown = current();
    const number = history.state && history.state.nr;
    const turn = number && conversation.querySelector(".turn[data-nr='" + number + "']");
    if (!turn) { location.reload(); return; }
    if (turn.dataset.url !== current()) { reload(turn, current(), false); return; }
    show(turn);
    const heading = turn.querySelector("h2");
    if (heading) heading.focus({ preventScroll: true });
  });

  // Which results people open, for the site owner's statistics: the question and the link only
  // (no cookie, no identifier). sendBeacon does not delay the navigation.
  document.addEventListener("click", function (event) {
    const anchor = event.target.closest && event.target.closest("a[href^='http']");
    if (!anchor || !navigator.sendBeacon) return;
    const turn = anchor.closest(".turn");
    if (!turn || !turn.dataset.question) return;
    const click = { q: turn.dataset.question, url: anchor.href };
    const earlier = earlierOf(turn);
    if (earlier.length) click.history = earlier;
    navigator.sendBeacon("/api/click", JSON.stringify(click));
  });

  // The turn the server rendered for this address (a shared link, a reload) is the conversation's first.
  conversation.querySelectorAll(".turn").forEach(function (turn) {
    turns += 1;
    prepare(turn, turns);
    asked.push.apply(asked, earlierOf(turn).concat([turn.dataset.question]));
    history.replaceState({ nr: turns }, "", location.href);
  });

  form.addEventListener("submit", function (event) {
    const question = input.value.trim();
    if (!question) return; // let the server say what to type
    event.preventDefault();
    ask(question, asked.slice());
  });
})();
