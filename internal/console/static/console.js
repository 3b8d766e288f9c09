// keytrail console: optional niceties only; every page works without this script.
// Copy buttons for the CLI equivalents.
document.querySelectorAll(".cli .cmd").forEach(function (cmd) {
  var button = cmd.querySelector("button.copy");
  var code = cmd.querySelector("code");
  if (!button || !code || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(code.textContent).then(function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 1500);
    });
  });
});
