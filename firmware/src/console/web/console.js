// The kit's console: one small script, no framework, no build step. It reads and acts
// through the same /api/ that outside tools use (see the README).
'use strict';

const $ = (id) => document.getElementById(id);
let csrf = null;
let events = null;
let kit = null;            // the last /api/kit state
let queueFilter = 'all';
let queueTimer = null;

// What the LEDs show, in words (README: "What the operator sees and hears").
const SIGNALS = {
  ready: ['green', '', 'Ready'],
  busy: ['amber', '', 'Busy'],
  capture_good: ['green', '', 'Capture good'],
  capture_warning: ['amber', 'fast', 'Captured: retake advised'],
  error: ['red', '', 'Error'],
  uploading: ['green', 'blink', 'Uploading'],
  disk_nearly_full: ['red', 'blink', 'Disk nearly full'],
};
const STATES = {
  idle: 'No book open', book_open: 'Book open', capturing: 'Capturing',
  processing_backlog: 'Processing backlog: captures paused', syncing: 'Syncing', error: 'Error',
};
// The first look's and the pipeline's warnings, as the operator should read them.
const WARNINGS = {
  blurry: 'Blurred', page_not_found: 'No page found', underexposed: 'Too dark', clipped: 'Too bright (clipped)',
  duplicate: 'Same as the last spread', rotated_over_10_degrees: 'Tilted over 10°',
  size_inconsistent: 'Size differs from the book', page_uncertain: 'Page edges uncertain',
};
const warningText = (code) => WARNINGS[code] || code.replace(/_/g, ' ');
const count = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function toast(message, bad = false) {
  const box = $('toast');
  box.textContent = message;
  box.classList.toggle('bad', bad);
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, bad ? 6000 : 3500);
}

async function api(method, path, body) {
  const headers = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf || '';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && path !== '/api/login') { showLogin(); throw new Error('log in first'); }
  const data = await res.json().catch(() => ({}));
  return { status: res.status, data };
}

// ---- login -------------------------------------------------------------------------
function showLogin(message) {
  if (events) { events.close(); events = null; }
  csrf = null;
  $('nav').hidden = true;
  for (const view of document.querySelectorAll('.view')) view.hidden = view.id !== 'login';
  $('login-error').textContent = message || '';
  $('password').focus();
}

async function login(password) {
  const { status, data } = await api('POST', '/api/login', { password });
  if (status !== 200) return false;
  csrf = data.csrf;
  return true;
}

async function start() {
  const res = await fetch('/api/session');
  if (res.ok) {
    csrf = (await res.json()).csrf;
  } else {
    const why = await res.json().catch(() => ({}));
    // Without a password (loopback only) the console logs itself in.
    if (why.password_required || !(await login(''))) { showLogin(); return; }
  }
  entered();
}

function entered() {
  $('nav').hidden = false;
  listen();
  route();
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = event.target.querySelector('button');
  button.disabled = true;
  const ok = await login($('password').value).catch(() => false);
  button.disabled = false;
  if (!ok) { showLogin('Wrong password.'); return; }
  $('password').value = '';
  entered();
});

// ---- pages ---------------------------------------------------------------------------
function route() {
  if (!csrf) return;
  const [view, arg] = (location.hash.slice(1) || 'kit').split('/');
  const known = ['kit', 'books', 'book', 'queue', 'devices'];
  const name = known.includes(view) ? view : 'kit';
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== name;
  for (const a of document.querySelectorAll('.nav a')) {
    a.classList.toggle('active', a.dataset.view === (name === 'book' ? 'books' : name));
  }
  clearInterval(queueTimer);
  if (name === 'kit' && kit) renderKit(kit);
  if (name === 'books') loadBooks();
  if (name === 'book') loadBook(decodeURIComponent(arg || ''));
  if (name === 'queue') { loadQueue(); queueTimer = setInterval(loadQueue, 2000); }
  if (name === 'devices') loadDevices();
}
window.addEventListener('hashchange', route);

// ---- Kit -----------------------------------------------------------------------------
function listen() {
  if (events) events.close();
  events = new EventSource('/api/events');
  events.onmessage = (message) => {
    kit = JSON.parse(message.data);
    renderKit(kit);
    pagesMadeAgain();
  };
  events.onerror = () => {
    // The browser reconnects by itself; a lost session needs a new login.
    fetch('/api/session').then((res) => { if (res.status === 401) showLogin(); }).catch(() => {});
  };
}

function renderKit(state) {
  const s = state.status;
  const [colour, blink, words] = SIGNALS[s.signal] || ['', '', s.signal];
  $('led').className = `led ${colour} ${blink}`;
  $('signal-text').textContent = words;
  $('state-text').textContent = STATES[s.state] || s.state;
  $('bar-state').textContent = words;
  $('kit-error').hidden = !s.last_error;
  $('kit-error').textContent = s.last_error || '';

  const book = s.book;
  $('book-title').textContent = book ? (book.title || 'Untitled') + ` (${book.id})` : 'No book open';
  $('book-link').hidden = !book;
  if (book) $('book-link').href = `#book/${encodeURIComponent(book.id)}`;
  $('stat-captures').textContent = book ? book.captures : '–';
  $('stat-rate').textContent = state.pages_per_hour == null ? '–' : state.pages_per_hour;
  $('stat-backlog').textContent = s.processing_backlog;
  $('stat-disk').textContent = s.disk.free_mb < 0 ? '?' : formatMb(s.disk.free_mb);
  $('btn-end').style.setProperty('--hold-ms', `${state.end_book_hold_ms || 1500}ms`);

  renderSpread(s.last_capture, book);
  $('cameras').replaceChildren(...(s.cameras.length ? s.cameras.map(cameraItem)
    : [el('li', { text: 'No camera attached' })]));
  const failed = (state.queue && state.queue.failed) || 0;
  $('nav-failed').hidden = failed === 0;
  $('nav-failed').textContent = failed;
}

function formatMb(mb) {
  return mb >= 10240 ? `${Math.round(mb / 1024)} GB` : mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${mb} MB`;
}

function cameraItem(camera) {
  const name = `${camera.role} · ${camera.model || camera.type} · ${camera.serial}`;
  return el('li', {}, el('span', { text: name }), camera.attached
    ? el('span', { class: 'ready', text: 'Ready' })
    : el('span', { class: 'not-ready', text: `Not ready: ${camera.problem}` }));
}

function renderSpread(last, book) {
  $('spread-number').textContent = last ? `(spread ${last.sequence})` : '';
  if (!last) { $('spread').replaceChildren(el('p', { class: 'muted', text: 'No capture yet.' })); return; }
  $('spread').replaceChildren(...last.shots.map((shot) => shotFigure(shot, book)));
}

function shotFigure(shot, book) {
  const look = shot.first_look;
  const problems = look ? look.warnings.map(warningText) : [];
  if (look && look.error) problems.push(look.error);
  if (look && !look.ok && problems.length === 0) problems.push('No page found');
  const good = look ? look.ok : null;
  const thumbs = shot.pages.length
    ? shot.pages.map((page) => thumbLink(book.id, page, good))
    : [el('div', { class: 'placeholder', text: shot.processed ? 'No page' : 'Processing…' })];
  const verdict = good === null ? el('span', { class: 'muted', text: 'No first look' })
    : el('span', { class: `verdict ${good ? 'ok' : 'bad'}`, text: good ? 'Looks good' : `Retake? ${problems.join(', ')}` });
  return el('figure', { class: 'shot' }, el('div', { class: 'thumbs' }, ...thumbs),
    el('figcaption', {}, el('b', { text: `${shot.role}: ` }), verdict));
}

function fileUrl(bookId, path) {
  const name = path.split('/').pop();
  return `/files/books/${encodeURIComponent(bookId)}/pages/${encodeURIComponent(name)}`;
}

function thumbLink(bookId, page, good) {
  const thumb = page.access.replace(/\.jpg$/, '.thumb.jpg');
  const img = el('img', { class: `thumb ${good === false ? 'bad' : good ? 'ok' : ''}`, src: fileUrl(bookId, thumb),
    alt: `page ${page.access.split('/').pop()}` });
  return el('a', { href: fileUrl(bookId, page.access), target: '_blank', rel: 'noopener' }, img);
}

async function press(button) {
  const { data } = await api('POST', `/api/press/${button}`);
  toast(data.message || (data.ok ? 'done' : 'refused'), !data.ok);
  return data;
}

for (const button of document.querySelectorAll('[data-press]')) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    try { await press(button.dataset.press); } catch (error) { toast(error.message, true); }
    button.disabled = false;
  });
}

// End book acts only when held, like the hardware button.
{
  const button = $('btn-end');
  let timer = null;
  const release = () => {
    if (!timer) return;
    clearTimeout(timer);
    timer = null;
    button.classList.remove('holding');
    toast('Hold End book until the bar fills', true);
  };
  button.addEventListener('pointerdown', (event) => {
    event.preventDefault();
    button.classList.add('holding');
    timer = setTimeout(async () => {
      timer = null;
      button.classList.remove('holding');
      try { await press('end-book'); } catch (error) { toast(error.message, true); }
    }, (kit && kit.end_book_hold_ms) || 1500);
  });
  for (const type of ['pointerup', 'pointerleave', 'pointercancel']) button.addEventListener(type, release);
  button.addEventListener('contextmenu', (event) => event.preventDefault());
}

// ---- Books ---------------------------------------------------------------------------
async function loadBooks() {
  const { data } = await api('GET', '/api/books');
  $('book-list').replaceChildren(...(data.length ? data.slice().reverse().map((book) => el('li', { class: 'book-item' },
    el('a', { href: `#book/${encodeURIComponent(book.id)}` },
      el('div', { class: 'title', text: book.title || 'Untitled' }),
      el('div', {}, el('span', { class: `pill ${book.state}`, text: book.state }),
        el('span', { class: 'muted', text: `${book.id} · ${count(book.captures, 'capture')} · ${count(book.pages, 'page')}` })))))
    : [el('li', { class: 'book-item' }, el('p', { class: 'muted', style: 'padding:1rem', text: 'No books yet.' }))]));
}

// The fields of book.toml in the order a person fills them in; lists separated by ";".
const FIELDS = [
  ['title', 'Title'], ['authors', 'Authors', 'Separate several with ;  — "anonymous" or "unknown" if none'],
  ['date', 'Year or date', 'e.g. 1887 or 1887-05-02'], ['language', 'Language', 'ISO 639 code, e.g. en'],
  ['license', 'Licence', 'e.g. PD-old-70, PD-old-100, PD-US-expired, CC0-1.0, CC-BY-4.0, CC-BY-SA-4.0'],
  ['publisher', 'Publisher'], ['place', 'Place of publication'], ['institution', 'Holding institution'],
  ['shelfmark', 'Shelfmark'], ['source_url', 'Catalogue URL'], ['wikidata', 'Wikidata item', 'e.g. Q42'],
  ['categories', 'Commons categories', 'Separate several with ;'],
];
let currentBook = null;

async function loadBook(id) {
  const { status, data } = await api('GET', `/api/books/${encodeURIComponent(id)}`);
  if (status !== 200) { toast(data.message || 'no such book', true); location.hash = '#books'; return; }
  currentBook = data;
  $('book-heading').textContent = data.metadata.title || 'Untitled';
  $('book-facts').replaceChildren(el('span', { class: `pill ${data.state}`, text: data.state }),
    `${data.id} · ${count(data.captures, 'capture')} · ${count(data.pages, 'page')}`);
  const missing = data.missing_for_upload;
  $('book-missing').hidden = missing.length === 0;
  $('book-missing').textContent = `Needed before upload: ${missing.join(', ')}`;
  renderBookForm(data);
  renderPages(data);
  $('btn-close-book').hidden = data.state === 'closed';
}

function fieldValue(metadata, key) {
  const value = metadata[key];
  return Array.isArray(value) ? value.join('; ') : (value || '');
}

function renderBookForm(book) {
  const form = $('book-form');
  const fields = FIELDS.map(([key, label, hint]) => el('div', { class: 'field' },
    el('label', { for: `f-${key}`, text: label }),
    el('input', { id: `f-${key}`, name: key, value: fieldValue(book.metadata, key), autocomplete: 'off' }),
    hint ? el('p', { class: 'hint', text: hint }) : null,
    el('p', { class: 'field-error', id: `e-${key}`, role: 'alert' })));
  form.replaceChildren(...fields, el('button', { class: 'btn primary', type: 'submit', text: 'Save' }),
    el('span', { id: 'book-saved', class: 'saved', role: 'status' }));
}

$('book-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const fields = {};
  for (const [key] of FIELDS) {
    const input = $(`f-${key}`);
    input.classList.remove('invalid');
    $(`e-${key}`).textContent = '';
    if (input.value !== fieldValue(currentBook.metadata, key)) fields[key] = input.value;
  }
  $('book-saved').textContent = '';
  if (Object.keys(fields).length === 0) { $('book-saved').textContent = 'Nothing changed'; return; }
  const { status, data } = await api('POST', `/api/books/${encodeURIComponent(currentBook.id)}`, { fields });
  if (status === 200) {
    await loadBook(currentBook.id);
    $('book-saved').textContent = 'Saved';
    return;
  }
  if (!data.errors) { toast(data.message || 'not saved', true); return; }
  for (const [key, message] of Object.entries(data.errors)) {
    const input = $(`f-${key}`);
    if (input) input.classList.add('invalid');
    const box = $(`e-${key}`);
    if (box) box.textContent = message; else toast(message, true);
  }
  const first = document.querySelector('#book-form input.invalid');
  if (first) first.focus();
});

function renderPages(book) {
  if (!book.page_images.length) { $('page-grid').replaceChildren(el('p', { class: 'muted', text: 'No pages yet.' })); return; }
  const canReprocess = book.state !== 'closed';
  $('page-grid').replaceChildren(...book.page_images.map((page) => el('div', { class: 'page-cell' },
    el('a', { href: page.access, target: '_blank', rel: 'noopener', title: page.name },
      page.thumbnail ? el('img', { class: `thumb ${page.warnings.length ? 'bad' : ''}`, src: page.thumbnail, alt: page.name, loading: 'lazy' })
        : el('div', { class: 'placeholder', text: page.name }),
      el('span', { text: page.name })),
    page.warnings.length ? el('span', { class: 'warn-list', text: page.warnings.map(warningText).join(', ') }) : null,
    canReprocess ? el('button', { class: 'btn small', type: 'button', 'data-shot': page.shot, text: 'Reprocess',
      onclick: () => reprocess(book.id, page.shot) }) : null)));
}

// As `digikit book reprocess ID SHOT`: the shot's pages are made again from its raw file.
// Until they are, the grid lacks them; the kit's event stream says when processing moves
// on (see pagesMadeAgain), so nothing polls meanwhile.
let awaitedShot = null;

async function reprocess(bookId, shot) {
  const { data } = await api('POST', `/api/books/${encodeURIComponent(bookId)}/reprocess`, { shot });
  toast(data.message || 'refused', !data.ok);
  if (!data.ok) return;
  awaitedShot = { bookId, shot };
  pagesMadeAgain();  // in case it was quicker than this answer
}

// On each state from the event stream: once the awaited shot has pages again, the grid
// shows them; a person who moved to another view no longer waits.
async function pagesMadeAgain() {
  const awaited = awaitedShot;
  if (!awaited) return;
  if (!currentBook || currentBook.id !== awaited.bookId || $('book').hidden) { awaitedShot = null; return; }
  const again = await api('GET', `/api/books/${encodeURIComponent(awaited.bookId)}`);
  if (again.status !== 200 || again.data.page_images.some((page) => page.shot === awaited.shot)) {
    if (awaitedShot === awaited) awaitedShot = null;
    loadBook(awaited.bookId);
  }
}

$('btn-close-book').addEventListener('click', async () => {
  if (!confirm('Close this book? Its pages are queued for upload once the metadata is complete.')) return;
  const { data } = await api('POST', `/api/books/${encodeURIComponent(currentBook.id)}/close`);
  toast(data.message, !data.ok);
  loadBook(currentBook.id);
});

// ---- Queue ---------------------------------------------------------------------------
const QUEUE_STATES = ['all', 'queued', 'uploading', 'failed', 'published', 'dropped'];

async function loadQueue() {
  const { data } = await api('GET', '/api/queue');
  const counts = {};
  for (const item of data) counts[item.state] = (counts[item.state] || 0) + 1;
  $('queue-counts').replaceChildren(...(data.length ? QUEUE_STATES.slice(1).filter((s) => counts[s])
    .map((s) => el('span', { class: `pill ${s}`, text: `${counts[s]} ${s}` })) : [el('span', { class: 'muted', text: 'The queue is empty.' })]));
  const syncing = kit && kit.status.state === 'syncing';
  const done = (counts.published || 0) + (counts.dropped || 0) + (counts.failed || 0);
  $('sync-progress').hidden = !syncing;
  $('sync-progress').firstElementChild.style.width = `${data.length ? (100 * done) / data.length : 0}%`;
  $('btn-sync').textContent = syncing ? `Syncing… ${done}/${data.length}` : 'Sync now';
  $('btn-sync').disabled = syncing;
  $('btn-retry-failed').disabled = !counts.failed;
  const lastFailed = data.filter((item) => item.state === 'failed').pop();
  const error = (kit && kit.status.last_error) || (lastFailed && lastFailed.note);
  $('queue-last-error').hidden = !error;
  $('queue-last-error').textContent = error ? `Last error: ${error}` : '';
  $('queue-filter').replaceChildren(...QUEUE_STATES.map((s) => el('button', { role: 'tab',
    'aria-selected': String(s === queueFilter), text: s === 'all' ? `all (${data.length})` : `${s} (${counts[s] || 0})`,
    onclick: () => { queueFilter = s; loadQueue(); } })));
  const shown = data.filter((item) => queueFilter === 'all' || item.state === queueFilter);
  $('queue-list').replaceChildren(...shown.map(queueItem));
}

function queueItem(item) {
  const actions = [];
  if (item.state === 'failed') actions.push(el('button', { class: 'btn', text: 'Retry', onclick: () => queueAction(item, 'retry') }));
  if (item.state !== 'published' && item.state !== 'dropped') {
    actions.push(el('button', { class: 'btn danger', text: 'Drop', onclick: () => queueAction(item, 'drop') }));
  }
  return el('li', { class: 'queue-item', 'data-id': item.id },
    el('div', {}, el('span', { class: `pill ${item.state}`, text: item.state }), el('span', { class: 'muted', text: `#${item.id}` })),
    el('div', { class: 'target', text: item.published_name || item.target }),
    item.note ? el('p', { class: item.state === 'failed' ? 'note' : 'muted', text: item.note }) : null,
    item.description ? el('details', {}, el('summary', { text: 'Description' }), el('pre', { text: item.description })) : null,
    actions.length ? el('div', { class: 'row' }, ...actions) : null);
}

async function queueAction(item, action) {
  if (action === 'drop' && !confirm(`Drop ${item.target}? It will not be uploaded.`)) return;
  const { data } = await api('POST', `/api/queue/${item.id}/${action}`);
  toast(data.message, !data.ok);
  loadQueue();
}

$('btn-sync').addEventListener('click', async () => { await press('sync'); loadQueue(); });
$('btn-retry-failed').addEventListener('click', async () => {
  const { data } = await api('POST', '/api/queue/retry-failed');
  toast(data.message, !data.ok);
  loadQueue();
});

// ---- Devices -------------------------------------------------------------------------
async function loadDevices() {
  const { data } = await api('GET', '/api/devices');
  $('device-list').replaceChildren(...(data.devices.length ? data.devices.map(cameraItem)
    : [el('li', { text: 'No cameras or scanners found' })]));
  $('button-list').replaceChildren(...data.buttons.map((b) => el('li', { class: 'stack' },
    el('b', { text: b.button ? b.button : `All buttons (${b.type})` }), el('span', { class: 'muted', text: b.id }))));
}

start().catch((error) => showLogin(error.message));
