// The update channel of assemble serve: on each build, the page's header status and main are
// swapped for the new ones (no reload: the reader keeps their place). Nothing else runs here.
"use strict";
const updates = new EventSource("/events");
let fetching = Promise.resolve();
updates.addEventListener("update", () => {
  fetching = fetching.then(async () => {
    const response = await fetch(location.pathname, {cache: "no-store"});
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const status = document.getElementById("status");
    status.className = fresh.getElementById("status").className;
    status.textContent = fresh.getElementById("status").textContent;
    document.querySelector("main").replaceWith(document.adoptNode(fresh.querySelector("main")));
    document.title = fresh.title;
  }).catch(() => {});
});
