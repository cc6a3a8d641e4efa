// Small enhancements only; every page works without script.
document.addEventListener("DOMContentLoaded", function () {
  // Bring each source's evidence into view inside its scrolling box.
  document.querySelectorAll(".source-text").forEach(function (box) {
    var mark = box.querySelector("mark.evidence");
    if (mark) { box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - 60); }
  });
  var focus = document.getElementById("hl");
  if (focus && focus.scrollIntoView) { focus.scrollIntoView({block: "center"}); }
});
