// The case page: draw the case's BPMN diagram with bpmn-js's NavigatedViewer and mark the done and the
// waiting steps; open the case-file section a link points to. A static file: the CSP forbids inline code.
(function () {
  "use strict";

  function ids(value) {
    return (value || "").split(" ").filter(function (id) { return id.length > 0; });
  }

  // ``low`` wins when the diagram is smaller than the window (it is then shown from its top left).
  function clamp(value, low, high) {
    return Math.max(low, Math.min(value, high));
  }

  // Fit a small diagram whole; show a wide one at a readable size around the waiting step (drag to pan).
  // The holder's height follows the diagram, set through the CSSOM (allowed by the CSP, unlike style="").
  function frame(canvas, registry, holder, current) {
    canvas.zoom("fit-viewport", "auto");
    var fitted = canvas.viewbox();
    var inner = fitted.inner;
    var scale = fitted.scale < 0.7 ? 0.9 : fitted.scale;
    holder.style.height = Math.round(Math.min(Math.max(inner.height * scale + 48, 180), 480)) + "px";
    canvas.resized();
    if (scale === fitted.scale) {
      canvas.zoom("fit-viewport", "auto");
      holder.classList.remove("is-zoomed");
      return;
    }
    var target = current.map(function (id) { return registry.get(id); }).filter(Boolean)[0];
    var outer = canvas.viewbox().outer;
    var width = outer.width / scale;
    var height = outer.height / scale;
    var cx = target ? target.x + target.width / 2 : inner.x + width / 2;
    var cy = target ? target.y + target.height / 2 : inner.y + inner.height / 2;
    canvas.viewbox({
      x: clamp(cx - width / 2, inner.x - 20, inner.x + inner.width + 20 - width),
      y: clamp(cy - height / 2, inner.y - 20, inner.y + inner.height + 20 - height),
      width: width,
      height: height
    });
    holder.classList.add("is-zoomed");
  }

  function drawDiagram() {
    var holder = document.getElementById("case-diagram");
    var message = document.getElementById("diagram-message");
    if (!holder || typeof window.BpmnJS === "undefined") {
      return;
    }
    var viewer = new window.BpmnJS({ container: holder });
    fetch(holder.getAttribute("data-xml-url"), { credentials: "same-origin", headers: { Accept: "application/xml" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("diagram not available: " + response.status);
        }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        [["completed", holder.getAttribute("data-completed")], ["current", holder.getAttribute("data-current")]]
          .forEach(function (pair) {
            ids(pair[1]).forEach(function (id) {
              if (registry.get(id)) {
                canvas.addMarker(id, pair[0]);
              }
            });
          });
        var current = ids(holder.getAttribute("data-current"));
        frame(canvas, registry, holder, current);
        holder.classList.add("is-ready");
        var pending = null;
        window.addEventListener("resize", function () {
          window.clearTimeout(pending);
          pending = window.setTimeout(function () { frame(canvas, registry, holder, current); }, 150);
        });
        if (message) {
          message.hidden = true;
        }
      })
      .catch(function () {
        holder.classList.add("is-broken");
        if (message) {
          message.textContent = holder.getAttribute("data-error") || message.textContent;
        }
      });
  }

  function openTargetSection() {
    var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (target && target.tagName === "DETAILS") {
      target.open = true;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    openTargetSection();
    drawDiagram();
  });
  window.addEventListener("hashchange", openTargetSection);
})();
