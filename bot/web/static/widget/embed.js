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
 * It loads the vendored rasa-webchat bundle and our stylesheet from the same place as itself.
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
  };
  document.head.appendChild(bundle);
})();
