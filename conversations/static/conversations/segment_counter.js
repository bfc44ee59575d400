// Live SMS segment count under every textarea marked data-segment-counter: GSM-7 160/153,
// UCS-2 70/67 (one character outside GSM-7, such as a curly apostrophe, switches the whole
// text). Placeholders are counted as written; the saved preview shows the real text.
(function () {
  "use strict";
  const BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡" +
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  const EXTENDED = "\f^{}\\[~]|€";

  function count(text) {
    let septets = 0;
    const outside = new Set();
    for (const ch of text) {
      if (BASIC.includes(ch)) septets += 1;
      else if (EXTENDED.includes(ch)) septets += 2;
      else outside.add(ch);
    }
    if (outside.size === 0) {
      return { encoding: "GSM-7", units: septets, segments: septets <= 160 ? (septets ? 1 : 0) : Math.ceil(septets / 153), outside: [] };
    }
    let units = 0;
    for (const ch of text) units += ch.codePointAt(0) > 0xffff ? 2 : 1;
    return { encoding: "UCS-2", units: units, segments: units <= 70 ? 1 : Math.ceil(units / 67), outside: [...outside] };
  }

  function attach(area) {
    const note = document.createElement("div");
    note.className = "help segment-count";
    note.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", note);
    const update = function () {
      const c = count(area.value);
      const why = c.outside.length ? " because of " + c.outside.map((ch) => JSON.stringify(ch)).join(", ") : "";
      note.textContent = c.segments + " SMS segment(s), " + c.encoding + why + " (" + c.units + " units, before placeholders and the opt-out line)";
      note.style.color = c.encoding === "UCS-2" || c.segments > 2 ? "#a1221b" : "";
    };
    area.addEventListener("input", update);
    update();
  }

  function init(root) {
    root.querySelectorAll("textarea[data-segment-counter]:not([data-counted])").forEach(function (area) {
      // The admin's hidden template row is cloned for "Add another": count on the clone, not on it.
      if (area.name.includes("__prefix__")) return;
      area.setAttribute("data-counted", "1");
      attach(area);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  // Inline rows added in the admin ("Add another step") get a counter too.
  document.addEventListener("formset:added", function (event) { init(event.target); });
  window.smsSegments = count;
})();
