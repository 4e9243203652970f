// An aid, never a requirement: every page works without it.
// 1. Times are written in UTC by the server; show them in the browser's locale, keeping the UTC value as the title.
// 2. A filter applies as soon as it changes (its Apply button does the same without script).
// 3. A dialog's first control takes focus when the dialog opens, and the control that opened it when it closes
//    (the page's address names it after '#').
document.querySelectorAll('time[datetime]').forEach(function (t) {
  var d = new Date(t.getAttribute('datetime'));
  if (!isNaN(d)) {
    t.title = t.getAttribute('datetime').replace('T', ' ').replace('Z', ' UTC');
    t.textContent = d.toLocaleString();
  }
});
document.querySelectorAll('form.filter select').forEach(function (s) {
  s.addEventListener('change', function () { s.form.submit(); });
});
var dialog = document.querySelector('[role=dialog]');
if (dialog) {
  var first = dialog.querySelector('[autofocus]') || dialog.querySelector('a, button, input, select, textarea');
  if (first) { first.focus(); }
} else if (location.hash.length > 1) {
  var back = document.getElementById(location.hash.slice(1));
  if (back) { back.focus(); }
}
