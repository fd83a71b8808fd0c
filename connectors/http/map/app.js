/*
 * The operator's map (served at / by the HTTP connector). Plain browser script on Leaflet and topojson-client, both
 * loaded before it from this server. It asks for an API key, exchanges it for a session cookie
 * (POST /api/v1/map/session), then keeps the active alerts of the snapshot (GET /api/v1/map/alerts) up to date from
 * the live feed (GET /api/v1/map/events). Alert text is only ever set as textContent: it comes from the pipeline, and
 * a title is not markup.
 */
'use strict';

(() => {
  const SEVERITIES = ['critical', 'high', 'medium', 'low'];
  const COLOURS = { critical: '#7b0000', high: '#d7301f', medium: '#f08a24', low: '#d4ac0d' };
  const EXTENT_COLOURS = { water: '#2e86c1', flood: '#1f3a93' };
  const $ = (id) => document.getElementById(id);

  const state = {
    config: { tileUrl: null, tileAttribution: '', sceneHours: 6 },
    /** alert id → GeoJSON Feature of its latest revision */
    alerts: new Map(),
    /** alert id → revision of its CANCEL: a stale snapshot must not bring a cancelled alert back */
    cancelled: new Map(),
    scenes: new Map(),
    /** events that arrive while a snapshot is loading, applied on top of it */
    duringSnapshot: null,
    snapshots: 0,
    selected: null,
    userMoved: false,
    source: null,
  };

  let map;
  let alertLayer;
  let sceneLayer;
  let detailLayer;

  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') node.textContent = v;
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else if (k === 'className') node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  }

  const time = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '–');
  const percent = (p) => (typeof p === 'number' ? `${Math.round(p * 100)} %` : '–');

  async function api(path, init = {}) {
    const res = await fetch(path, { credentials: 'same-origin', ...init });
    if (res.status === 401 || res.status === 403) {
      showLogin('The session has ended: give the API key again.');
      throw new Error(`HTTP ${res.status}`);
    }
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res;
  }

  // ---- access ----

  function showLogin(message = '') {
    if (state.source) state.source.close();
    state.source = null;
    state.alerts.clear();
    state.scenes.clear();
    $('app').hidden = true;
    $('logout').hidden = true;
    $('who').textContent = '';
    $('login').hidden = false;
    $('login-error').textContent = message;
    setStatus('idle', 'not connected');
  }

  async function login(event) {
    event.preventDefault();
    const key = $('key').value.trim();
    const res = await fetch('/api/v1/map/session', { method: 'POST', headers: { 'X-API-Key': key }, credentials: 'same-origin' });
    $('key').value = '';
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      $('login-error').textContent = body.message || `refused (HTTP ${res.status})`;
      return;
    }
    const who = await res.json();
    open(who);
  }

  async function logout() {
    await fetch('/api/v1/map/session', { method: 'DELETE', credentials: 'same-origin' });
    showLogin();
  }

  // ---- the map ----

  async function initMap() {
    if (map) return;
    map = L.map('map', { worldCopyJump: true, minZoom: 2 }).setView([30, 10], 3);
    map.on('dragstart zoomstart', (e) => {
      if (e.hard !== false && !state.programmaticMove) state.userMoved = true;
    });
    if (state.config.tileUrl) {
      L.tileLayer(state.config.tileUrl, { attribution: state.config.tileAttribution, maxZoom: 18 }).addTo(map);
    }
    const topo = await (await fetch('/map/vendor/world-atlas/countries-50m.json')).json();
    const countries = topojson.feature(topo, topo.objects.countries);
    L.geoJSON(countries, {
      interactive: false,
      style: { color: '#7f8c8d', weight: 0.7, fillColor: '#f4f1e8', fillOpacity: state.config.tileUrl ? 0 : 1, className: 'outline' },
    }).addTo(map);
    map.attributionControl.addAttribution('Outlines: Natural Earth');
    // Scenes above the alerts: footprints are unfilled and centres small, so neither hides a cell or its click.
    alertLayer = L.layerGroup().addTo(map);
    sceneLayer = L.layerGroup().addTo(map);
    detailLayer = L.layerGroup().addTo(map);
  }

  function setStatus(s, text) {
    $('live-status').dataset.state = s;
    $('live-status').textContent = text;
  }

  async function open(who) {
    $('login').hidden = true;
    $('app').hidden = false;
    $('logout').hidden = false;
    $('who').textContent = `key ${who.key_id} (${who.name})`;
    await initMap();
    map.invalidateSize();
    connect();
  }

  // ---- live feed and snapshot ----

  function connect() {
    if (state.source) state.source.close();
    setStatus('reconnecting', 'connecting…');
    const source = new EventSource('/api/v1/map/events');
    state.source = source;
    source.addEventListener('hello', () => {
      setStatus('live', 'live');
      void loadSnapshot();
    });
    source.addEventListener('resync', () => {
      setStatus('live', 'live');
      void loadSnapshot();
    });
    source.addEventListener('alert', (e) => applyAlert(JSON.parse(e.data)));
    source.addEventListener('scene', (e) => applyScene(JSON.parse(e.data)));
    source.addEventListener('open', () => setStatus('live', 'live'));
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // Refused (the session ended) or the server is gone: ask whether we still have a session.
        void fetch('/api/v1/map/session', { credentials: 'same-origin' })
          .then((r) => r.json())
          .then((s) => (s.authenticated ? setTimeout(connect, 3000) : showLogin('The session has ended: give the API key again.')))
          .catch(() => setTimeout(connect, 3000));
      }
      setStatus('reconnecting', 'reconnecting…');
    };
  }

  async function loadSnapshot() {
    const epoch = ++state.snapshots;
    state.duringSnapshot = new Map();
    const [alerts, scenes] = await Promise.all([
      api('/api/v1/map/alerts').then((r) => r.json()),
      api('/api/v1/map/scenes').then((r) => r.json()),
    ]);
    if (epoch !== state.snapshots) return;
    const live = state.duringSnapshot;
    state.duringSnapshot = null;
    state.alerts.clear();
    for (const f of alerts.features) mergeAlert(f);
    for (const f of live.values()) mergeAlert(f);
    for (const f of scenes.features) state.scenes.set(f.id, f);
    redraw();
    $('alert-list').dataset.snapshot = String(epoch);
  }

  /** Keeps the highest revision of each alert; a CANCEL removes it. Answers whether anything changed. */
  function mergeAlert(f) {
    const { revision, msg_type: type } = f.properties;
    const known = state.alerts.get(f.id);
    if ((known && known.properties.revision >= revision) || (state.cancelled.get(f.id) ?? 0) >= revision) return false;
    if (type === 'CANCEL') {
      state.cancelled.set(f.id, revision);
      state.alerts.delete(f.id);
    } else {
      state.alerts.set(f.id, f);
    }
    return true;
  }

  function applyAlert(f) {
    if (state.duringSnapshot) {
      const seen = state.duringSnapshot.get(f.id);
      if (!seen || seen.properties.revision < f.properties.revision) state.duringSnapshot.set(f.id, f);
    }
    if (mergeAlert(f)) {
      redraw();
      if (state.selected === f.id) void openDetail(f.id);
    }
  }

  function applyScene(f) {
    state.scenes.set(f.id, f);
    drawScenes();
  }

  // ---- drawing ----

  function filters() {
    const checked = (name) => new Set([...document.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value));
    return { hazards: checked('hazard'), severities: checked('severity'), scenes: document.querySelector('input[name="scenes"]').checked };
  }

  function visibleAlerts() {
    const f = filters();
    const now = Date.now();
    return [...state.alerts.values()]
      .filter((a) => f.hazards.has(a.properties.type) && f.severities.has(a.properties.severity) && Date.parse(a.properties.expires_at) > now)
      .sort((a, b) =>
        SEVERITIES.indexOf(a.properties.severity) - SEVERITIES.indexOf(b.properties.severity) ||
        Date.parse(b.properties.updated_at) - Date.parse(a.properties.updated_at));
  }

  function redraw() {
    const alerts = visibleAlerts();
    alertLayer.clearLayers();
    for (const a of alerts) {
      const colour = COLOURS[a.properties.severity] || '#555';
      const selected = state.selected === a.id;
      L.geoJSON(a, {
        style: { color: selected ? '#00e5ff' : colour, weight: selected ? 4 : 2, fillColor: colour, fillOpacity: 0.45, className: `alert-cell sev-${a.properties.severity}` },
        pointToLayer: (_f, latlng) => L.circleMarker(latlng, { radius: 8, className: 'alert-cell' }),
      })
        .on('click', () => void openDetail(a.id))
        .bindTooltip(`${a.properties.severity} ${a.properties.type}: ${a.properties.title}`, { sticky: true })
        .addTo(alertLayer);
    }
    const list = $('alert-list');
    list.replaceChildren(
      ...alerts.map((a) => {
        const p = a.properties;
        const li = el('li', { className: `sev-${p.severity}${state.selected === a.id ? ' selected' : ''}`, dataset: { alertId: a.id, hazard: p.type, severity: p.severity } }, [
          el('span', { className: 'badge', text: p.severity }),
          ` ${p.type}: `,
          el('span', { className: 'title', text: p.title }),
          el('div', { className: 'meta', text: `${percent(p.probability)} · rev ${p.revision} · ${time(p.updated_at)}` }),
        ]);
        li.addEventListener('click', () => void openDetail(a.id, true));
        return li;
      }),
    );
    $('alert-count').textContent = String(alerts.length);
    drawScenes();
    // An overview: the alerts with the country outlines around them (an operator zooms in from there).
    if (!state.userMoved && alerts.length > 0) fitTo(L.geoJSON(alerts).getBounds(), 9);
  }

  function fitTo(bounds, maxZoom) {
    if (!bounds.isValid()) return;
    state.programmaticMove = true;
    map.fitBounds(bounds, { maxZoom, padding: [40, 40] });
    state.programmaticMove = false;
  }

  function drawScenes() {
    sceneLayer.clearLayers();
    if (!filters().scenes) return;
    const oldest = Date.now() - state.config.sceneHours * 3600_000;
    for (const [id, s] of state.scenes) {
      if (Date.parse(s.properties.completed_at) < oldest) {
        state.scenes.delete(id);
        continue;
      }
      const tip = `scene ${s.properties.image_id}, ${time(s.properties.captured_at)}, risk ${s.properties.risk_level}`;
      // Leaflet applies `style` to circle markers too: a scene known only by its centre gets a dot, not a dashed ring.
      L.geoJSON(s, {
        style: (f) => (f.geometry.type === 'Point'
          ? { radius: 5, color: '#1c2833', weight: 1.5, fillColor: '#5dade2', fillOpacity: 0.9, className: 'scene-centre' }
          : { color: '#34495e', weight: 1, dashArray: '4 3', fill: false, className: 'scene-footprint' }),
        pointToLayer: (_f, latlng) => L.circleMarker(latlng),
      }).bindTooltip(tip).addTo(sceneLayer);
      for (const extent of s.properties.extents) {
        const { class: cls, area_km2: km2, mean_probability: p } = extent.properties;
        const colour = cls === 'flood' ? COLOURS[s.properties.risk_level] || EXTENT_COLOURS.flood : EXTENT_COLOURS[cls] || EXTENT_COLOURS.water;
        // The reference layer's coverage is context: outlined only.
        const fill = cls !== 'reference_coverage';
        L.geoJSON(extent, { style: { color: colour, weight: 1, fill, fillColor: colour, fillOpacity: 0.5, className: `extent extent-${cls}` } })
          .bindTooltip(`${cls}, ${km2.toFixed(2)} km², mean ${percent(p)}`)
          .addTo(sceneLayer);
      }
    }
  }

  // ---- one alert ----

  async function openDetail(id, zoom = false) {
    state.selected = id;
    // The operator chose a place: live updates no longer move the map to the overview.
    if (zoom) state.userMoved = true;
    redraw();
    const d = await (await api(`/api/v1/map/alerts/${encodeURIComponent(id)}`)).json();
    if (state.selected !== id) return;
    const p = d.alert.properties;
    const row = (k, v) => [el('dt', { text: k }), el('dd', { text: v })];
    const revisions = el('table', {}, [
      el('tr', {}, ['rev', 'message', 'severity', 'probability', 'decided'].map((h) => el('th', { text: h }))),
      ...d.revisions.map((r) => el('tr', {}, [r.revision, r.msg_type, r.severity, percent(r.probability), time(r.created_at)].map((v) => el('td', { text: String(v) })))),
    ]);
    detailLayer.clearLayers();
    const images = d.images.map((img) => {
      // The page's own scenes (the feed's records) carry the footprints: the image's results row does not.
      const scene = state.scenes.get(img.image_id);
      if (scene?.properties.footprint) L.geoJSON(scene, { style: { color: '#1c2833', weight: 2, fill: false, className: 'detail-footprint' } }).addTo(detailLayer);
      const caption = el('figcaption', { text: `${img.image_id} · ${time(img.captured_at)} · ${img.status}${img.risk_level ? ` · risk ${img.risk_level}` : ''}` });
      if (img.extents_url) caption.append(' · ', el('a', { href: img.extents_url, target: '_blank', text: 'extents' }));
      return el('figure', { dataset: { imageId: img.image_id } }, [
        img.overlay_url ? el('img', { src: img.overlay_url, alt: `overlay of ${img.image_id}`, loading: 'lazy' }) : el('p', { text: 'no overlay yet' }),
        caption,
      ]);
    });
    $('detail-body').replaceChildren(
      el('h3', { text: p.title }),
      el('p', { text: p.description }),
      el('dl', {}, [
        ...row('type', p.type),
        ...row('severity', p.severity),
        ...row('probability', percent(p.probability)),
        ...row('confidence', percent(p.confidence)),
        ...row('window', `${time(p.window_start)} – ${time(p.window_end)}`),
        ...row('expires', time(p.expires_at)),
        ...row('cell', p.cell),
        ...row('message', `${p.msg_type}, revision ${p.revision}`),
      ]),
      el('p', { className: 'links' }, [
        el('a', { href: d.links.cap, target: '_blank', className: 'link-cap', text: 'CAP 1.2' }),
        el('a', { href: d.links.geojson, target: '_blank', className: 'link-geojson', text: 'GeoJSON' }),
        el('a', { href: d.links.json, target: '_blank', className: 'link-json', text: 'JSON' }),
      ]),
      el('h4', { text: 'Revisions' }),
      revisions,
      el('h4', { text: `Images (${d.image_count})` }),
      ...images,
    );
    $('detail').hidden = false;
    $('side').scrollTop = 0;
    if (zoom) fitTo(L.geoJSON(d.alert).getBounds(), 12);
  }

  // ---- start ----

  async function main() {
    state.config = await (await fetch('/map/config.json')).json();
    $('scene-hours').textContent = String(state.config.sceneHours);
    $('login-form').addEventListener('submit', (e) => void login(e));
    $('logout').addEventListener('click', () => void logout());
    $('detail-close').addEventListener('click', () => {
      state.selected = null;
      $('detail').hidden = true;
      detailLayer.clearLayers();
      redraw();
    });
    for (const input of document.querySelectorAll('#filters input')) input.addEventListener('change', redraw);
    // Expired alerts leave the map by the clock, as they leave the active-alerts query.
    setInterval(() => state.alerts.size > 0 && redraw(), 60_000);
    const session = await (await fetch('/api/v1/map/session', { credentials: 'same-origin' })).json();
    if (session.authenticated) await open(session);
    else showLogin();
  }

  void main();
})();
