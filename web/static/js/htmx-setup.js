// htmx on Reintegra's pages. A static file because the Content-Security-Policy forbids inline scripts.

// Send the page's CSRF token with every htmx request (Flask-WTF reads the X-CSRFToken header).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
  }
});

// htmx leaves the page as it was when a request is refused (a session that ended, so an expired form; a
// step that is not yours): say so in the page's status line, whose translated text waits in its
// data-htmx-error attribute.
document.addEventListener("htmx:responseError", function () {
  var status = document.querySelector("[data-htmx-error]");
  if (status) {
    status.textContent = status.getAttribute("data-htmx-error");
    status.classList.add("work-status-error");
  }
});
