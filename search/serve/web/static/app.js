// Progressive enhancement only: the page works the same without this file.
// Changing the type or the order re-runs the search at once.
document.addEventListener("DOMContentLoaded", () => {
  for (const id of ["type", "sort"]) {
    const select = document.getElementById(id);
    if (select && select.form) {
      select.addEventListener("change", () => select.form.requestSubmit());
    }
  }
});

// The page view: j/k go to the next/previous page with matches,
// arrow right/left to the next/previous page.
const PAGE_KEYS = {
  j: "next-hit", k: "prev-hit",
  ArrowRight: "next-page", ArrowLeft: "prev-page",
};
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable]")) return;
  const id = PAGE_KEYS[event.key];
  const link = id && document.getElementById(id);
  if (link && document.getElementById("picture")) {
    event.preventDefault();
    window.location.assign(link.href);
  }
});
