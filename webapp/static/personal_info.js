// While someone writes an issue or a comment, warn under the field when it seems to hold a phone
// number, an e-mail address, a house number or a word of the city's NGワード list (the server
// answers for both; progressive enhancement: without JavaScript the
// server shows the same warning when the form is sent). Forms opt in with data-personal-info-url
// and data-personal-info-fields="name ...".
(function () {
  if (!window.fetch || !window.FormData) return;
  var forms = document.querySelectorAll("form[data-personal-info-url]");
  Array.prototype.forEach.call(forms, function (form) {
    var token = form.querySelector("[name=csrf_token]");
    form.dataset.personalInfoFields.split(" ").forEach(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      if (!field || !token) return;
      var note = document.createElement("p");
      note.className = "guard-warning";
      note.id = field.id + "-personal-info";
      note.setAttribute("aria-live", "polite");
      note.hidden = true;
      field.insertAdjacentElement("afterend", note);
      var timer = null;
      var sent = 0;
      function check() {
        var serial = ++sent;
        var data = new FormData();
        data.append("csrf_token", token.value);
        data.append("text", field.value);
        fetch(form.dataset.personalInfoUrl, { method: "POST", body: data, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (result) {
            if (result === null || serial !== sent) return;  // an older answer arriving late
            note.textContent = result.message;
            note.hidden = !result.message;
            var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
              return id && id !== note.id;
            });
            if (result.message) described.push(note.id);
            if (described.length) field.setAttribute("aria-describedby", described.join(" "));
            else field.removeAttribute("aria-describedby");
          })
          .catch(function () {});
      }
      field.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(check, 700);
      });
    });
  });
})();
