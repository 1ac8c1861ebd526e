// This file is also stored gzip-compressed as app.js.gz; the server sends
// the compressed copy to browsers that accept gzip.
document.getElementById('status').textContent += ' JavaScript ran.';
