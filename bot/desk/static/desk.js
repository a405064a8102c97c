// 公开助手 坐席工作台 — live queue, conversation view and caller mode.
// Everything from the server is put on the page with textContent / createElement, never as HTML:
// citizens' messages are shown exactly as typed and cannot become markup.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function replaceChildren(parent, children) {
    while (parent.firstChild) parent.removeChild(parent.firstChild);
    children.forEach((child) => parent.appendChild(child));
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {}),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) throw new Error(data.message || ("操作失败（HTTP " + response.status + "）"));
    return data;
  }

  function waitText(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds < 60) return seconds + "秒";
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + "分钟";
    return Math.floor(minutes / 60) + "小时" + (minutes % 60) + "分钟";
  }

  function timeText(timestamp) {
    const d = new Date(timestamp * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function live(source, label) {
    source.addEventListener("open", () => { label.textContent = "实时更新中"; label.classList.remove("down"); });
    source.addEventListener("error", () => { label.textContent = "连接中断，正在重连…"; label.classList.add("down"); });
  }

  // ---- the queue ----------------------------------------------------------------------------

  function startQueue() {
    const handoffRows = document.getElementById("handoff-rows");
    const ticketRows = document.getElementById("ticket-rows");
    let received = Date.now();

    function cell(text, className) { return el("td", className, text); }
    function link(url, text) { const a = el("a", "button", text); a.href = url; return a; }
    function waitCell(seconds) {
      const td = cell(waitText(seconds), "wait");
      td.dataset.wait = seconds;
      return td;
    }

    function render(queue) {
      received = Date.now();
      replaceChildren(handoffRows, queue.handoffs.map((row) => {
        const tr = el("tr", "status-" + row.status);
        tr.dataset.handoff = row.id;
        const badge = el("td"); badge.appendChild(el("span", "badge " + row.status, row.status_label));
        const open = el("td"); open.appendChild(link(row.url, "打开"));
        [badge, waitCell(row.wait_seconds), cell(row.channel), cell(row.agency), cell(row.reason),
          cell(row.question, "question"), cell(row.agent || "—"), open].forEach((td) => tr.appendChild(td));
        return tr;
      }));
      replaceChildren(ticketRows, queue.tickets.map((row) => {
        const tr = el("tr");
        tr.dataset.ticket = row.id;
        const open = el("td"); open.appendChild(link(row.url, "处理"));
        [cell(row.created), waitCell(row.wait_seconds), cell(row.phone), cell(row.agency),
          cell(row.question, "question"), open].forEach((td) => tr.appendChild(td));
        return tr;
      }));
      document.getElementById("handoff-empty").hidden = queue.handoffs.length > 0;
      document.getElementById("ticket-empty").hidden = queue.tickets.length > 0;
    }

    setInterval(() => {
      const extra = (Date.now() - received) / 1000;
      document.querySelectorAll("td.wait").forEach((td) => {
        td.textContent = waitText(Number(td.dataset.wait) + extra);
      });
    }, 1000);

    const source = new EventSource("/desk/queue/stream");
    live(source, document.getElementById("live-status"));
    source.addEventListener("queue", (event) => render(JSON.parse(event.data)));
  }

  // ---- one conversation ---------------------------------------------------------------------

  function startConversation(handoffId) {
    const base = "/desk/handoffs/" + handoffId;
    const transcript = document.getElementById("transcript");
    const replyText = document.getElementById("reply-text");
    const replyStatus = document.getElementById("reply-status");
    const problem = document.getElementById("problem");
    const buttons = {
      take: document.getElementById("take"),
      handBack: document.getElementById("hand-back"),
      send: document.getElementById("send"),
      close: document.querySelector("#close-form button"),
    };
    const labels = { user: "群众", bot: "助手", agent: "坐席", notice: "系统通知" };
    let lastCount = -1;

    function say(message, isError) {
      replyStatus.textContent = message;
      replyStatus.style.color = isError ? "#b91c1c" : "";
    }

    function renderTranscript(data) {
      const nearBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 80;
      replaceChildren(transcript, data.entries.map((entry) => {
        const li = el("li", entry.kind);
        if (entry.kind !== "marker") {
          const who = entry.kind === "agent" && entry.agent ? "坐席 " + entry.agent : labels[entry.kind];
          li.appendChild(el("span", "meta", who + " · " + timeText(entry.timestamp)));
        }
        li.appendChild(document.createTextNode(entry.text));
        if (entry.buttons && entry.buttons.length) {
          li.appendChild(el("span", "buttons", "按钮：" + entry.buttons.join(" ｜ ")));
        }
        return li;
      }));
      if (!data.entries.length) transcript.appendChild(el("li", "muted", "（暂无消息）"));
      if (nearBottom || lastCount < 0 || data.entries.length !== lastCount) {
        transcript.scrollTop = transcript.scrollHeight;
      }
      lastCount = data.entries.length;
    }

    function renderState(state) {
      const label = document.getElementById("state-label");
      label.textContent = state.status_label;
      label.className = "badge " + state.status;
      document.getElementById("state-agent").textContent = state.agent || "—";
      document.getElementById("state-note").textContent = state.note || "—";
      const othersTaken = state.status === "taken" && !state.mine;
      buttons.take.disabled = !state.open || state.status === "taken";
      buttons.handBack.disabled = !state.open || othersTaken;
      buttons.send.disabled = !state.open || othersTaken;
      buttons.close.disabled = !state.open || othersTaken;
      if (othersTaken) say("这次人工服务已由 " + state.agent + " 接手。", false);
      if (!state.open) say("这次人工服务" + state.status_label + "。", false);
    }

    function renderSuggestions(data) {
      document.getElementById("suggest-question").textContent = data.question || "—";
      const earlier = document.getElementById("suggest-earlier");
      earlier.textContent = data.earlier && data.earlier.length ? "之前还问过：" + data.earlier.join(" ｜ ") : "";
      earlier.hidden = !earlier.textContent;
      const list = document.getElementById("suggestions");
      if (!data.items.length) {
        replaceChildren(list, [el("li", "muted", "暂无建议。")]);
        return;
      }
      replaceChildren(list, data.items.map((item) => suggestionCard(item, true)));
    }

    const source = new EventSource(base + "/stream");
    live(source, document.getElementById("live-status"));
    source.addEventListener("transcript", (event) => renderTranscript(JSON.parse(event.data)));
    source.addEventListener("state", (event) => renderState(JSON.parse(event.data)));
    source.addEventListener("suggestions", (event) => renderSuggestions(JSON.parse(event.data)));
    source.addEventListener("problem", (event) => {
      const message = JSON.parse(event.data).message;
      problem.textContent = message;
      problem.hidden = !message;
    });

    async function act(url, body, done) {
      try {
        const data = await post(url, body);
        renderState(data.handoff);
        if (done) done(data);
      } catch (error) {
        say(error.message, true);
      }
    }

    buttons.take.addEventListener("click", () => act(base + "/take", {}, () => say("已接手。", false)));
    buttons.handBack.addEventListener("click", () => act(base + "/handback", {}, () => say("已转回助手。", false)));
    document.getElementById("reply-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = replyText.value.trim();
      if (!text) { say("回复内容不能为空。", true); return; }
      buttons.send.disabled = true;
      act(base + "/reply", { text: text }, (data) => {
        replyText.value = "";
        say(data.pushed ? "已发送。" : "已发送（该渠道由群众的客户端自行取回消息）。", false);
      }).finally(() => { buttons.send.disabled = false; });
    });
    document.getElementById("close-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const note = document.getElementById("close-note").value;
      act(base + "/close", { note: note }, () => say("人工服务已结束。", false));
    });
  }

  // A suggested answer; with `insertable`, a button puts it into the reply box.
  function suggestionCard(item, insertable) {
    const li = el("li", "suggestion");
    const title = el("div", "title", item.title);
    title.appendChild(el("span", "score", "匹配度 " + Math.round(item.confidence * 100) + "%"));
    li.appendChild(title);
    li.appendChild(el("div", "text", item.text));
    if (insertable) {
      const button = el("button", "insert", "插入回复框");
      button.type = "button";
      button.addEventListener("click", () => {
        const box = document.getElementById("reply-text");
        box.value = box.value.trim() ? box.value.trimEnd() + "\n" + item.text : item.text;
        box.focus();
      });
      li.appendChild(button);
    }
    return li;
  }

  // ---- caller mode --------------------------------------------------------------------------

  function startCaller() {
    const answers = document.getElementById("answers");
    const askProblem = document.getElementById("ask-problem");
    document.getElementById("ask-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      askProblem.hidden = true;
      try {
        const data = await post("/desk/caller/ask", {
          question: document.getElementById("question").value,
          agency: document.getElementById("agency").value,
        });
        replaceChildren(answers, data.items.length ? data.items.map((item) => suggestionCard(item, false))
          : [el("li", "muted", "没有找到相近的问题，请换个说法。")]);
      } catch (error) {
        askProblem.textContent = error.message;
        askProblem.hidden = false;
      }
    });

    startDeadlineCalculator();

    const caseProblem = document.getElementById("case-problem");
    const caseResults = document.getElementById("case-results");

    // one case: its number, the applicant and phone (masked), the status in full
    function caseCard(item) {
      const li = el("li", "case");
      li.appendChild(el("div", "title", item.case_number));
      const facts = el("dl", "facts");
      facts.appendChild(el("dt", null, "申请人"));
      facts.appendChild(el("dd", "case-applicant", item.applicant));
      facts.appendChild(el("dt", null, "联系电话"));
      facts.appendChild(el("dd", "case-phone", item.phone));
      facts.appendChild(el("dt", null, "网上查询"));
      facts.appendChild(el("dd", "case-online", item.online_paused_until
        ? `查询码错误次数过多，已暂停到 ${item.online_paused_until}（北京时间）`
        : "正常"));
      li.appendChild(facts);
      li.appendChild(el("pre", "answer case-status", item.status));
      return li;
    }

    async function lookUp(url, body) {
      caseProblem.hidden = true;
      replaceChildren(caseResults, []);
      try {
        const data = await post(url, body);
        replaceChildren(caseResults, (data.items || [data]).map(caseCard));
      } catch (error) {
        caseProblem.textContent = error.message;
        caseProblem.hidden = false;
      }
    }

    document.getElementById("case-form").addEventListener("submit", (event) => {
      event.preventDefault();
      lookUp("/desk/caller/case", { case_number: document.getElementById("case-number").value });
    });
    document.getElementById("phone-form").addEventListener("submit", (event) => {
      event.preventDefault();
      lookUp("/desk/caller/phone", { phone: document.getElementById("caller-phone").value });
    });
  }

  // The deadline calculator: the same rules as the assistant (bot/timeline.py), shown as a table.
  function startDeadlineCalculator() {
    const form = document.getElementById("deadline-form");
    if (!form) return;
    const problem = document.getElementById("deadline-problem");
    const result = document.getElementById("deadline-result");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problem.hidden = true;
      result.hidden = true;
      try {
        const data = await post("/desk/caller/deadline", {
          history: document.getElementById("history").value,
          agency: document.getElementById("agency").value,
        });
        if (data.problem) {
          problem.textContent = data.problem;
          problem.hidden = false;
          return;
        }
        replaceChildren(document.getElementById("deadline-headline"), data.headline.map((line) => el("li", "", line)));
        replaceChildren(document.getElementById("deadline-steps"), data.steps.map((step) => {
          const row = el("tr");
          row.appendChild(el("td", "", step.date + (step.estimated ? "（估算）" : "")));
          row.appendChild(el("td", "", step.event));
          row.appendChild(el("td", "", step.rule));
          row.appendChild(el("td", "", step.article));
          return row;
        }));
        replaceChildren(document.getElementById("deadline-notes"), data.notes.map((note) => el("li", "", note)));
        result.hidden = false;
      } catch (error) {
        problem.textContent = error.message;
        problem.hidden = false;
      }
    });
  }

  // ---- a callback ticket --------------------------------------------------------------------

  function startCallback(ticketId) {
    const form = document.getElementById("done-form");
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = document.getElementById("done-status");
      try {
        await post("/desk/callbacks/" + ticketId + "/done", { note: document.getElementById("done-note").value });
        document.getElementById("ticket-status").textContent = "已处理";
        form.hidden = true;
      } catch (error) {
        status.textContent = error.message;
      }
    });
  }

  const page = document.body.dataset.page;
  if (page === "queue") startQueue();
  if (page === "conversation") startConversation(document.body.dataset.handoff);
  if (page === "caller") startCaller();
  if (page === "callback") startCallback(document.body.dataset.ticket);
})();
