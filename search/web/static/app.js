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
