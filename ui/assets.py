"""What the page carries besides components: the stylesheet, and the script that keeps <html lang>,
pins the latest question to the chat's top and makes the [n] markers open and flash their clause."""
from __future__ import annotations

CSS = """
.zc-sources {margin-top:10px;}
.zc-sources > summary {cursor:pointer; font-weight:600;}
.zc-cite {border:1px solid var(--border-color-primary); border-radius:8px; padding:8px 10px; margin:8px 0;}
.zc-cite.zc-flash {outline:2px solid #f0a030;}
.zc-head {font-weight:600; margin-bottom:4px;}
.zc-meta {color:var(--body-text-color-subdued); font-size:0.9em; margin-bottom:6px;}
.zc-text {line-height:1.7;}
.zc-text mark {background:#ffe58a; color:inherit; padding:0 1px; border-radius:2px;}
.zc-lost {color:#c0392b; text-decoration:underline wavy; font-weight:600;}
.zc-warn {background:#fff4e5; border-left:4px solid #f0a030; padding:6px 10px; margin:8px 0; color:#6b4200;}
.zc-foot {color:var(--body-text-color-subdued); font-size:0.85em;}
.dark .zc-text mark {background:#6b5a12;}
.dark .zc-warn {background:#3a2a10; color:#ffd9a0;}
a.zc-ref {color:var(--link-text-color); text-decoration:none; font-weight:600; cursor:pointer;}
a.zc-ref:hover {text-decoration:underline;}
#zc-admin-docs table.zc-docs {width:100%; border-collapse:collapse; font-size:0.92em; border:0 !important; margin-top:4px;}
#zc-admin-docs table.zc-docs tr {border:0 !important;}
#zc-admin-docs table.zc-docs th, #zc-admin-docs table.zc-docs td {text-align:left; padding:4px 8px; border:0 !important;
  border-bottom:1px solid var(--border-color-primary) !important; background:none;}
#zc-admin-docs table.zc-docs th {color:var(--body-text-color-subdued); font-weight:600;}
.zc-ok {color:#1e7b34;} .zc-bad {color:#c0392b;} .zc-busy {color:#b36b00;}
.zc-tool-summary {margin:6px 0 10px;}
table.zc-table {width:100%; border-collapse:collapse; font-size:0.92em; margin:4px 0 12px;}
table.zc-table th, table.zc-table td {text-align:left; vertical-align:top; padding:6px 8px;
  border-bottom:1px solid var(--border-color-primary);}
table.zc-table th {color:var(--body-text-color-subdued); font-weight:600; white-space:nowrap;}
.zc-quote {line-height:1.6; margin-bottom:4px;}
.zc-scroll {overflow-x:auto;}
#zc-tasks-table td, #zc-tasks-table th, table.zc-duty-table td:nth-child(1), table.zc-duty-table td:nth-child(3) {white-space:nowrap;}
"""
# In the page: <html lang> kept at zh-CN; the latest question pinned to the chat's top (Gradio's
# autoscroll goes to the very bottom, which on a phone shows only the end of the last clause); a
# marker link opens its answer's sources if collapsed, scrolls the clause into view and flashes it.
HEAD = """<script>
(function () {  // Gradio sets <html lang> to the browser's locale; the content here is Chinese either way
  var root = document.documentElement;
  function keep() { if (root.lang !== "zh-CN") root.lang = "zh-CN"; }
  new MutationObserver(keep).observe(root, {attributes: true, attributeFilter: ["lang"]});
  keep();
})();
(function () {  // a new question, its answer and then its sources: keep the question at the chat's top
  var seen = "", queued = false;
  function pin() {
    queued = false;
    var box = document.querySelector("#zc-chat [role='log']");
    if (!box) return;
    var users = box.querySelectorAll("[data-testid='user']");
    var now = users.length + ":" + box.querySelectorAll("[data-testid='bot']").length + ":" +
              box.querySelectorAll(".zc-answer-sources").length;
    if (now === seen) return;
    seen = now;
    var last = users[users.length - 1];
    if (last) box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
  }
  new MutationObserver(function () { if (!queued) { queued = true; requestAnimationFrame(pin); } })
    .observe(document.documentElement, {childList: true, subtree: true});
})();
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a.zc-ref");
  if (!link) return;
  var target = document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  event.preventDefault();
  var box = target.closest("details");
  if (box) box.open = true;
  var card = target.closest(".zc-cite") || target;
  card.scrollIntoView({block: "nearest", behavior: "smooth"});
  card.classList.add("zc-flash");
  setTimeout(function () { card.classList.remove("zc-flash"); }, 1500);
}, true);
</script>"""
