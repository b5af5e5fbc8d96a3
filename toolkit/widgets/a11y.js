// SafeShare's page helper, served by the kernel with the page (anywidget), nothing from
// elsewhere. What ipywidgets cannot do itself:
//  - name radio and checkbox groups (role radiogroup/group, aria-labelledby its label),
//  - make message boxes live regions (aria-live), so status messages are announced,
//  - mark content in another language (class ss-lang-cy → lang="cy"), and the page's own
//    language and title,
//  - move keyboard focus to an element the app names (a new decision's heading, feedback).
let made = 0;

function ident(element, prefix) {
  if (!element.id) element.id = `${prefix}-${++made}`;
  return element.id;
}

function describe(root) {
  for (const box of root.querySelectorAll(".widget-radio-box:not([role])")) {
    box.setAttribute("role", "radiogroup");
    const label = box.parentElement && box.parentElement.querySelector(":scope > .widget-label");
    if (label && label.textContent.trim()) {
      box.setAttribute("aria-labelledby", ident(label, "ss-label"));
    }
  }
  for (const group of root.querySelectorAll(".ss-group:not([role])")) {
    const legend = group.querySelector(".ss-legend");
    if (!legend) continue;  // its legend is not drawn yet: the next mutation comes back
    group.setAttribute("role", "group");
    group.setAttribute("aria-labelledby", ident(legend, "ss-legend"));
  }
  for (const live of root.querySelectorAll(".ss-live:not([aria-live])")) {
    live.setAttribute("aria-live", "polite");
  }
  for (const part of root.querySelectorAll("[class*='ss-lang-']:not([lang])")) {
    const match = part.className.match(/\bss-lang-([a-z]{2,3})\b/);
    if (match) part.setAttribute("lang", match[1]);
  }
}

function focusWhenShown(selector, timeout = 10000) {
  const began = performance.now();
  const attempt = () => {
    const target = document.querySelector(selector);
    if (target && target.getClientRects().length) {
      if (!target.hasAttribute("tabindex") && target.tabIndex < 0) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "start" });
      if (document.activeElement === target) return;
    }
    if (performance.now() - began < timeout) setTimeout(attempt, 40);
  };
  attempt();
}

function render({ model, el }) {
  el.classList.add("ss-page-helper");
  const page = () => {
    document.documentElement.lang = model.get("lang") || "en";
    if (model.get("title")) document.title = model.get("title");
  };
  page();
  model.on("change:lang", page);
  model.on("change:title", page);
  model.on("msg:custom", (message) => {
    if (message && typeof message.focus === "string") focusWhenShown(message.focus);
  });
  describe(document.body);
  const watcher = new MutationObserver(() => describe(document.body));
  watcher.observe(document.body, { childList: true, subtree: true });
  return () => watcher.disconnect();
}

export default { render };
