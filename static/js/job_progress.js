// A background job's page: poll its status and move the progress bar; reload once it is
// finished so the page shows the download button (no inline script: the CSP allows 'self').
(function () {
  var box = document.querySelector("[data-job-status-url]");
  if (!box || !box.getAttribute("data-job-status-url")) {
    return;
  }
  var url = box.getAttribute("data-job-status-url");
  var bar = box.querySelector("[data-job-bar]");
  var percent = box.querySelector("[data-job-percent]");
  var count = box.querySelector("[data-job-count]");
  var status = box.querySelector("[data-job-status]");
  var message = box.querySelector("[data-job-message]");
  var delay = 1000;

  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    percent.textContent = data.percent + "%";
    count.textContent = data.total ? "（" + data.done + " / " + data.total + "）" : "";
    status.textContent = data.status_label;
    if (data.message) {
      message.textContent = data.message;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.reload();
          return;
        }
        delay = Math.min(delay + 500, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // The server or the network is away for a moment: keep trying, less often.
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
