// Chat on the Sök page: each question goes to /api/ask with the earlier ones as history,
// and the answer with its source and the other passages is added to the conversation.
// Without JavaScript the form falls back to the server-rendered search at /?q=.
(function () {
  "use strict";

  const form = document.getElementById("sokformular");
  const input = document.getElementById("fraga");
  const conversation = document.getElementById("samtal");
  const serverResults = document.getElementById("resultat");
  // The DOM helpers come from widget.js, which the page loads first: one copy for the page and the widget.
  const dom = window.SokDom;
  if (!form || !input || !conversation || !dom) return;

  const history = [];
  const element = dom.element;
  const sourceLabel = dom.sourceLabel;
  // The same table as search_app/web/answer_card.py's, which words the server-rendered card.
  const CONFIDENCE_WORDING = [
    [0.9, "Svaret passar frågan väl."],
    [0.5, "Svaret passar troligen frågan. Kontrollera gärna i källan."],
    [0, "Osäkert svar. Kontrollera i källan."],
  ];

  function confidenceWording(confidence) {
    const row = CONFIDENCE_WORDING.find(function (entry) { return confidence >= entry[0]; });
    return (row || CONFIDENCE_WORDING[CONFIDENCE_WORDING.length - 1])[1];
  }

  // A shared /?q= link arrives answered on the server (its card is the conversation's first turn):
  // the chat carries the conversation on from that question rather than asking it again.
  const shared = (new URLSearchParams(location.search).get("q") || "").trim();
  if (shared) history.push(shared);

  function link(url, text) {
    const href = dom.safeUrl(url);
    if (!href) return element("span", "", text);
    const anchor = element("a", "", text);
    anchor.href = href;
    return anchor;
  }

  // "Fick du svar på din fråga?" under each answer (the buttons come from widget.js, as in the widget).
  const FEEDBACK = { asked: "Fick du svar på din fråga?", yes: "Ja", no: "Nej", thanks: "Tack för ditt svar!" };
  let answered = 0;

  function askFeedback(card, question, earlier) {
    answered += 1;
    card.after(dom.feedback("", question, FEEDBACK, "svar-fick-" + answered, "", earlier));
  }

  function renderTurn(question) {
    const turn = element("article", "turn");
    turn.dataset.question = question;
    turn.appendChild(element("p", "question", question));
    const status = element("p", "status", "Söker svar …");
    turn.appendChild(status);
    conversation.appendChild(turn);
    return { turn: turn, status: status };
  }

  function renderSuggestion(view, suggestion) {
    const line = element("p", "suggestion", "Menade du: ");
    const button = element("button", "link-button", suggestion);
    button.type = "button";
    button.addEventListener("click", function () {
      input.value = suggestion;
      form.requestSubmit();
    });
    line.appendChild(button);
    line.appendChild(document.createTextNode("?"));
    view.turn.appendChild(line);
  }

  function renderAnswer(view, data) {
    view.status.remove();
    if (data.suggestion) renderSuggestion(view, data.suggestion);
    if (data.answer) {
      const card = element("div", "answer");
      // A screen reader hears the fact first, then the sentence with the fact in bold.
      const fact = dom.factParts(data.answer.text, data.answer.highlight);
      if (fact) card.appendChild(element("p", "visually-hidden", "Svar: " + fact[1] + "."));
      card.appendChild(dom.answerText(data.answer, "p", "answer-text"));
      const source = element("p", "source", "Källa: ");
      source.appendChild(link(data.answer.url, sourceLabel(data.answer)));
      card.appendChild(source);
      card.appendChild(element("p", "confidence", confidenceWording(data.answer.confidence)));
      view.turn.appendChild(card);
      askFeedback(card, view.turn.dataset.question, view.turn.sokEarlier);
    } else {
      view.turn.appendChild(element("p", "no-answer",
        "Jag hittade inget säkert svar på den frågan." +
        (data.passages.length ? " Här är de avsnitt som liknar den mest:" : " Försök med andra ord.")));
    }
    const others = data.answer ? data.passages.slice(1) : data.passages;
    if (others.length) {
      const more = element("details", "more");
      if (!data.answer) more.open = true;
      more.appendChild(element("summary", "", "Fler avsnitt (" + others.length + ")"));
      const list = element("ol", "hits");
      others.forEach(function (passage) {
        const item = element("li", "hit");
        const title = link(passage.url, sourceLabel(passage));
        title.className = "hit-link";
        item.appendChild(title);
        item.appendChild(dom.snippet(passage.snippet, "p", "snippet"));
        item.appendChild(element("p", "source", passage.publisher));
        list.appendChild(item);
      });
      more.appendChild(list);
      view.turn.appendChild(more);
    }
  }

  function renderError(view, message) {
    view.status.remove();
    const error = element("p", "error", message);
    error.setAttribute("role", "alert");
    view.turn.appendChild(error);
  }

  // Which results people open, for the site owner's statistics: the question and the link only
  // (no cookie, no identifier). sendBeacon does not delay the navigation.
  document.addEventListener("click", function (event) {
    const anchor = event.target.closest && event.target.closest("a[href^='http']");
    if (!anchor || !navigator.sendBeacon) return;
    const turn = anchor.closest(".turn");
    const inResults = serverResults && serverResults.contains(anchor);
    if (!turn && !inResults) return;
    const question = turn ? turn.dataset.question : new URLSearchParams(location.search).get("q");
    if (!question) return;
    const click = { q: question, url: anchor.href };
    if (turn && turn.sokEarlier && turn.sokEarlier.length) click.history = turn.sokEarlier;
    navigator.sendBeacon("/api/click", JSON.stringify(click));
  });

  // The card the server rendered for a shared /?q= link asks too: with buttons that send a beacon,
  // in place of the form the page has for browsers without JavaScript.
  conversation.querySelectorAll(".turn > .feedback-form").forEach(function (node) { node.remove(); });
  conversation.querySelectorAll(".turn > .answer").forEach(function (card) {
    askFeedback(card, card.parentNode.dataset.question);
  });

  form.addEventListener("submit", function (event) {
    const question = input.value.trim();
    if (!question) return; // let the server say what is wrong
    event.preventDefault();
    if (serverResults) serverResults.hidden = true;
    const view = renderTurn(question);
    const earlier = history.slice();
    view.turn.sokEarlier = earlier; // for its verdict and its clicks: a follow-up's subject
    history.push(question);
    input.value = "";
    fetch("/api/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ q: question, history: earlier }),
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.detail || "Något gick fel.");
          return data;
        });
      })
      .then(function (data) { renderAnswer(view, data); })
      .catch(function (error) {
        renderError(view, error instanceof TypeError ? "Tjänsten svarar inte. Försök igen om en stund." : error.message);
      })
      .finally(function () { input.focus(); });
  });
})();
