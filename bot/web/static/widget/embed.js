/* 公开助手 website widget — the one tag an agency adds to its pages:
 *
 *   <script src="https://<our web app>/widget/embed.js" defer></script>
 *
 * Optional settings as data-* attributes on that tag (defaults in brackets):
 *   data-socket-url     the Rasa server the browser talks to [the web app's GONGKAI_RASA_PUBLIC_URL]
 *   data-title          header title ["公开助手"]
 *   data-subtitle       header subtitle ["政府信息公开咨询"]
 *   data-placeholder    input placeholder ["请输入您的问题，例如：申请信息公开多久答复？"]
 *   data-init-payload   sent when a new conversation starts ["/greet"]
 *   data-storage        "local" keeps the conversation across reloads and restarts, "session"
 *                       only until the tab is closed ["local"]
 * It loads the vendored rasa-webchat bundle and our stylesheet from the same place as itself,
 * and adds what the bundle lacks (see `enhance` below): names and roles for screen readers, a live
 * region announcing replies, keyboard use of the answer buttons and Escape to close, 「来源」
 * folded behind 「查看依据」 on phones, and no question sent before the greeting is shown.
 */
(function () {
  "use strict";
  var DEFAULTS = /*DEFAULTS*/{};
  var script = document.currentScript || (function () {
    var all = document.querySelectorAll('script[src*="/widget/embed.js"]');
    return all[all.length - 1];
  })();
  var data = (script && script.dataset) || {};
  var base = script ? script.src : location.href;

  function setting(name, fallback) {
    return data[name] !== undefined && data[name] !== "" ? data[name] : fallback;
  }

  var bundle = document.createElement("script");
  bundle.src = new URL("vendor/rasa-webchat-1.0.1.js", base).href;
  bundle.async = true;
  bundle.onload = function () {
    // after the bundle's own <style> tags, so that ours win at equal specificity
    var stylesheet = document.createElement("link");
    stylesheet.rel = "stylesheet";
    stylesheet.href = new URL("assets/widget.css", base).href;
    document.head.appendChild(stylesheet);
    window.WebChat.default({
      socketUrl: setting("socketUrl", DEFAULTS.socketUrl),
      socketPath: "/socket.io/",
      initPayload: setting("initPayload", "/greet"),
      customData: { language: "zh" },
      title: setting("title", "公开助手"),
      subtitle: setting("subtitle", "政府信息公开咨询"),
      inputTextFieldHint: setting("placeholder", "请输入您的问题，例如：申请信息公开多久答复？"),
      connectingText: "正在连接，请稍候…",
      hideWhenNotConnected: false,
      showFullScreenButton: true,
      params: { storage: setting("storage", "local") },
      // Chinese reads faster than the bundle's 30 ms per character assumes
      customMessageDelay: function (message) {
        return Math.min(1500, Math.max(300, message.length * 10));
      }
    }, null);
    enhance(document.querySelector(".rw-widget-container") || document.body);
  };
  document.head.appendChild(bundle);

  // ---- what the bundle lacks, added to the DOM it renders (the bundle itself is unchanged) ----

  var NARROW = window.matchMedia("(max-width: 480px)"); // a phone: the widget fills the screen
  var LONG_ANSWER = 120; // characters: a shorter answer keeps its 「来源」 in view
  var SOURCES = /(^|\n)来源：/;
  var GREETING_WAIT_MS = 10000; // a greeting that never comes does not hold a question for ever
  var NAMES = {
    ".rw-send": "发送",
    ".rw-close-button": "关闭咨询窗口",
    ".rw-new-message": "输入您的问题"
  };

  function enhance(root) {
    var held = null; // the form of a question asked before the greeting was shown
    var heldTimer = null;

    function conversation() { return root.querySelector(".rw-conversation-container"); }
    function replied() { // a reply shown, not the typing indicator (also a .rw-response)
      return !!root.querySelector(".rw-messages-container .rw-message:not(.rw-typing-indication) .rw-response");
    }

    function release() {
      clearTimeout(heldTimer);
      var form = held;
      held = null;
      // as the bundle submits on Enter: its handler reads the text still in the input
      if (form && document.contains(form)) form.dispatchEvent(new Event("submit", { cancelable: true }));
    }

    function annotate() {
      var launcher = root.querySelector(".rw-launcher");
      if (launcher) {
        var open = !!conversation();
        launcher.setAttribute("aria-label", open ? "关闭咨询窗口" : "打开在线咨询");
        launcher.setAttribute("aria-expanded", String(open));
      }
      var fullScreen = root.querySelector(".rw-toggle-fullscreen-button");
      if (fullScreen) {
        fullScreen.setAttribute("aria-label",
          fullScreen.querySelector(".rw-fullScreenExitImage") ? "退出全屏" : "全屏显示");
      }
      Object.keys(NAMES).forEach(function (selector) {
        root.querySelectorAll(selector).forEach(function (element) {
          if (element.getAttribute("aria-label") !== NAMES[selector]) element.setAttribute("aria-label", NAMES[selector]);
        });
      });
      // the bundle's English alt texts ("send", "close") inside buttons that now have a name
      root.querySelectorAll("button img[alt]:not([alt=''])").forEach(function (img) { img.alt = ""; });
      var log = root.querySelector(".rw-messages-container");
      if (log && !log.hasAttribute("role")) {
        log.setAttribute("role", "log"); // announces the replies as they are added
        log.setAttribute("aria-live", "polite");
        log.setAttribute("aria-label", "对话记录");
        log.tabIndex = 0; // scrollable with the keyboard
      }
      root.querySelectorAll("div.rw-reply:not([role])").forEach(function (reply) {
        reply.setAttribute("role", "button");
        reply.tabIndex = 0;
      });
      root.querySelectorAll(".rw-message:not(.rw-typing-indication) .rw-response:not([data-gk-seen])").forEach(function (message) {
        message.setAttribute("data-gk-seen", "");
        if (NARROW.matches) foldSources(message);
      });
      if (held && replied()) release();
    }

    new MutationObserver(annotate).observe(root, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["class"] // full screen or not
    });
    annotate();

    window.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList || !form.classList.contains("rw-sender") || replied()) return;
      event.preventDefault(); // before the greeting: sent once it is shown (annotate → release)
      event.stopImmediatePropagation();
      held = form;
      clearTimeout(heldTimer);
      heldTimer = setTimeout(release, GREETING_WAIT_MS);
    }, true);

    root.addEventListener("keydown", function (event) {
      var target = event.target;
      if ((event.key === "Enter" || event.key === " ") && target.matches("div.rw-reply")) {
        event.preventDefault();
        target.click();
      } else if (event.key === "Escape" && conversation()) {
        var close = root.querySelector(".rw-close-button") || root.querySelector(".rw-launcher");
        if (close) close.click();
        setTimeout(function () {
          var launcher = root.querySelector(".rw-launcher");
          if (launcher) launcher.focus();
        }, 0);
      }
    });
  }

  // Moves the answer's 「来源：…」 line into a <details> 「查看依据」: a native disclosure, so the
  // keyboard and screen readers work without more code. What follows the line (「这条答复对您有
  // 帮助吗？」) stays in view.
  function foldSources(message) {
    var text = message.querySelector(".rw-message-text");
    if (!text || text.textContent.length < LONG_ANSWER) return;
    var walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var match = SOURCES.exec(node.data);
      if (!match) continue;
      var line = node.splitText(match.index + match[1].length);
      var end = line.data.indexOf("\n");
      if (end >= 0) {
        var rest = line.splitText(end);
        rest.data = rest.data.slice(1); // its line break: the <details> ends a line already
      }
      node.data = node.data.replace(/\n$/, ""); // the <details> starts its own line
      var details = document.createElement("details");
      details.className = "gk-sources";
      var summary = document.createElement("summary");
      summary.textContent = "查看依据";
      var body = document.createElement("div");
      line.parentNode.insertBefore(details, line);
      body.appendChild(line);
      details.appendChild(summary);
      details.appendChild(body);
      return;
    }
  }
})();
