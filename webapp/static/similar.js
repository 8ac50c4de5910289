// While a resident writes an issue, show the most similar open issues (progressive enhancement:
// without JavaScript the 「確認する」 button does the same by reloading the page).
(function () {
  var form = document.getElementById("issue-form");
  var target = document.getElementById("similar");
  if (!form || !target || !window.fetch) return;
  var timer = null;
  function refresh() {
    var title = form.querySelector("[name=title]").value;
    var body = form.querySelector("[name=body]").value;
    var area = form.querySelector("[name=area]").value;
    if ((title + body).trim().length < 4) return;
    var url = form.dataset.similarUrl + "?" + new URLSearchParams({ title: title, body: body, area: area });
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) target.innerHTML = html; })
      .catch(function () {});
  }
  form.addEventListener("input", function (event) {
    if (["title", "body", "area"].indexOf(event.target.name) < 0) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
})();
