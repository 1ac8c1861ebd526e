// Polls the device's status API and shows the answer.
'use strict';

function show(id, value) {
  document.getElementById(id).textContent =
    value === null || value === undefined ? 'n/a' : String(value);
}

async function refresh() {
  try {
    const response = await fetch('/api/status', {cache: 'no-store'});
    const status = await response.json();
    show('platform', status.platform);
    show('free', status.free === null ? null : status.free + ' bytes');
  } catch (err) {
    show('platform', 'offline');
    show('free', null);
  }
}

document.getElementById('refresh').addEventListener('click', refresh);
refresh();
setInterval(refresh, 10000);
