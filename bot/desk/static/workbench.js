// 公开助手 知识库工作台 — the answer editor's preview follows the typing: the form is sent to
// /desk/workbench/faq/<id>/preview (nothing is written) and each agency's answer is shown with
// textContent, never as HTML. Without this script the 「预览」 button does the same by reloading.
"use strict";

(function () {
  const form = document.getElementById("wb-edit");
  const list = document.getElementById("wb-previews");
  if (!form || !list) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  let timer = null;
  let latest = 0;

  function show(previews) {
    while (list.firstChild) list.removeChild(list.firstChild);
    previews.forEach((p) => {
      const item = document.createElement("li");
      item.dataset.agency = p.agency_id;
      const name = document.createElement("span");
      name.className = "title";
      name.textContent = p.agency_name;
      item.appendChild(name);
      const body = document.createElement(p.problem ? "p" : "pre");
      body.className = p.problem ? "alert" : "answer";
      body.textContent = p.problem || p.text;
      item.appendChild(body);
      list.appendChild(item);
    });
  }

  async function refresh() {
    const asked = ++latest;
    const body = new URLSearchParams(new FormData(form));
    body.set("action", "preview");
    try {
      // getAttribute: the buttons are named "action", which hides the form's own form.action
      const response = await fetch(form.getAttribute("action") + "/preview", {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      });
      const data = await response.json();
      if (asked === latest && response.ok) show(data.previews);
    } catch (e) { /* the 「预览」 button still works */ }
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
