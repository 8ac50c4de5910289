// While a resident writes an issue, show the most similar open issues (progressive enhancement:
// without JavaScript the 「確認する」 button does the same by reloading the page). Title and body
// are enough; the town only puts issues of the same town first. POSTed with the form's CSRF token
// so that a long draft never ends up in a URL.
(function () {
  var form = document.getElementById("issue-form");
  var target = document.getElementById("similar");
  if (!form || !target || !window.fetch || !window.FormData) return;
  var timer = null;
  function refresh() {
    var data = new FormData();
    ["csrf_token", "title", "body", "area"].forEach(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      if (field) data.append(name, field.value);
    });
    if ((data.get("title") + data.get("body")).trim().length < 4) return;
    fetch(form.dataset.similarUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) target.innerHTML = html; })
      .catch(function () {});
  }
  form.addEventListener("input", function (event) {
    if (["title", "body", "area"].indexOf(event.target.name) < 0) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "area") refresh();
  });
})();
