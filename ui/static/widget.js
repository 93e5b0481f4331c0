/* shopassist chat widget: one <script src=".../widget.js"> tag adds a floating chat button to any page.
 *
 *   <script src="https://shop.example/widget.js" data-color="#0f766e"
 *           data-greeting="Need help finding something?" data-position="right"></script>
 *
 * The button opens the shopper chat in an iframe. The chat keeps its conversation (id and token) in the
 * browser's storage, so the next page of the store continues it; whether the panel was open is kept in this
 * page's storage, so it stays open across page loads. Everything lives in a shadow root, so the store's CSS
 * and the widget's cannot affect each other.
 *
 * A store that knows its logged-in shopper adds data-shopper-token="<token signed by its backend>" (docs/
 * store-data.md): the chat's new conversation then belongs to that shopper, who is never asked who they are.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__shopassistWidget) return; // one widget per page, even if the tag is repeated
  window.__shopassistWidget = true;

  var chatPage = new URL("/", script.src);
  if (script.dataset.shopperToken) chatPage.searchParams.set("shopper_token", script.dataset.shopperToken);
  var chatUrl = chatPage.href;
  var color = /^#[0-9a-fA-F]{3,8}$/.test(script.dataset.color || "") ? script.dataset.color : "#2563eb";
  var greeting = script.dataset.greeting || "Questions? Chat with our shopping assistant";
  var side = script.dataset.position === "left" ? "left" : "right";
  var OPEN_KEY = "shopassist-widget-open";

  var host = document.createElement("div");
  host.id = "shopassist-widget";
  var root = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent =
    ":host { all: initial; }" +
    ".launcher { position: fixed; bottom: 20px; " + side + ": 20px; z-index: 2147483000; display: flex;" +
    "  align-items: center; gap: 10px; flex-direction: " + (side === "left" ? "row" : "row-reverse") + "; }" +
    ".button { width: 56px; height: 56px; border-radius: 50%; border: none; cursor: pointer; color: #fff;" +
    "  background: " + color + "; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: grid; place-items: center; }" +
    ".button:focus-visible { outline: 3px solid #111; outline-offset: 2px; }" +
    ".greeting { font: 14px/1.3 system-ui, sans-serif; background: #fff; color: #111; padding: 8px 12px;" +
    "  border-radius: 12px; box-shadow: 0 2px 10px rgba(0,0,0,.15); max-width: 220px; }" +
    ".panel { position: fixed; bottom: 88px; " + side + ": 20px; z-index: 2147483000; width: 400px;" +
    "  height: min(640px, calc(100vh - 110px)); max-width: calc(100vw - 24px); background: #fff;" +
    "  border-radius: 14px; overflow: hidden; box-shadow: 0 8px 30px rgba(0,0,0,.3); display: none; }" +
    ".panel.open { display: block; }" +
    ".panel iframe { width: 100%; height: 100%; border: 0; }" +
    // A phone: the panel fills the screen below a strip that keeps the close button off the chat's header.
    "@media (max-width: 520px) { .panel { top: 68px; left: 0; right: 0; bottom: 0; width: 100vw;" +
    "  height: calc(100vh - 68px); max-width: none; border-radius: 14px 14px 0 0; }" +
    "  .panel.open + .launcher { bottom: auto; top: 6px; } }";
  root.appendChild(style);

  var panel = document.createElement("div");
  panel.className = "panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "Shopping assistant chat");
  root.appendChild(panel);

  var launcher = document.createElement("div");
  launcher.className = "launcher";
  var button = document.createElement("button");
  button.className = "button";
  button.type = "button";
  button.setAttribute("aria-label", greeting);
  button.title = greeting;
  var chatIcon =
    '<svg width="26" height="26" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  var closeIcon =
    '<svg width="22" height="22" viewBox="0 0 24 24" stroke="currentColor" stroke-width="2.5" aria-hidden="true"><path d="M5 5l14 14M19 5L5 19"/></svg>';
  button.innerHTML = chatIcon;
  var bubble = document.createElement("div");
  bubble.className = "greeting";
  bubble.textContent = greeting; // text, never HTML: the greeting comes from the embedding page
  launcher.appendChild(button);
  launcher.appendChild(bubble);
  root.appendChild(launcher);

  function remember(open) {
    try {
      localStorage.setItem(OPEN_KEY, open ? "1" : "0");
    } catch (error) {
      /* storage may be disabled; the widget still works within the page */
    }
  }

  function setOpen(open) {
    if (open && !panel.firstChild) {
      var frame = document.createElement("iframe");
      frame.src = chatUrl; // created on first open, so a closed widget costs the page nothing
      frame.title = "Shopping assistant";
      panel.appendChild(frame);
    }
    panel.classList.toggle("open", open);
    bubble.style.display = open ? "none" : "";
    button.innerHTML = open ? closeIcon : chatIcon;
    button.setAttribute("aria-expanded", String(open));
    remember(open);
  }

  button.addEventListener("click", function () {
    setOpen(!panel.classList.contains("open"));
  });
  var wasOpen = false;
  try {
    wasOpen = localStorage.getItem(OPEN_KEY) === "1";
  } catch (error) {
    /* no storage: start closed */
  }
  (document.body || document.documentElement).appendChild(host);
  if (wasOpen) setOpen(true);
})();
