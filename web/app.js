/*
 * app.js — the smbsrvd web UI.  Plain JavaScript, no build step, nothing
 * from elsewhere: it talks only to the REST API of the daemon that served
 * it (rpc/openapi.yaml is the contract).
 *
 * Sign-in: the token comes from the sign-in link's fragment (#token=...,
 * never sent to any server) or the form, and is kept in sessionStorage,
 * so it lives as long as this tab.  Every request carries it as a bearer
 * token; a 401 signs out.
 *
 * Live updates: GET /api/v1/events as server-sent events.  EventSource
 * cannot send an Authorization header, and a token in the URL would end
 * up in logs and history, so the stream is read with fetch() and parsed
 * here.  It reconnects with backoff and resumes with Last-Event-ID; after
 * a daemon restart the seq starts again and the server sends what it has.
 * An event makes the visible view fetch again (debounced), so nothing
 * polls: a quiet server costs one idle stream.
 */
"use strict";

(function () {
  const TOKEN_KEY = "smbsrvd.token";
  const API = "/api/v1";
  const CHART_SPAN_MS = 10 * 60 * 1000;
  const REFRESH_DELAY_MS = 150;
  const PAGE = 1000;

  const $ = (id) => document.getElementById(id);

  /* ---------- small DOM helpers (no innerHTML with data) ---------- */

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === "text") e.textContent = v;
        else if (k === "class") e.className = v;
        else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const k of kids.flat()) {
      if (k === null || k === undefined || k === false) continue;
      e.append(k instanceof Node ? k : document.createTextNode(String(k)));
    }
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function fmtDuration(ms) {
    if (ms === null || ms === undefined || isNaN(ms)) return "—";
    ms = Math.max(0, Math.round(ms));
    let s = Math.floor(ms / 1000);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    if (d) return `${d}d ${h}h ${m}m`;
    if (h) return `${h}h ${m}m ${s}s`;
    if (m) return `${m}m ${s}s`;
    return `${s}s`;
  }

  function fmtBytes(n) {
    if (typeof n !== "number") return "—";
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : String(n)) + " " + u[i];
  }

  function fmtTime(iso) {
    if (!iso) return "—";
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString();
  }

  function yesno(b) { return b ? "yes" : "no"; }

  /* ---------- status line ---------- */

  let noticeTimer = null;
  function notice(text, kind) {
    const n = $("notice");
    n.textContent = text;
    n.className = "notice" + (kind === "info" ? " info" : "");
    n.hidden = !text;
    clearTimeout(noticeTimer);
    if (text && kind === "info")
      noticeTimer = setTimeout(() => { n.hidden = true; }, 6000);
  }

  /* ---------- the API ---------- */

  class ApiError extends Error {
    constructor(status, detail) {
      super(detail || ("HTTP " + status));
      this.status = status;
    }
  }

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    const t = token();
    if (t) headers.Authorization = "Bearer " + t;
    const init = { method, headers, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let r;
    try {
      r = await fetch(API + path, init);
    } catch (e) {
      throw new ApiError(0, "the server cannot be reached");
    }
    let data = null;
    const type = r.headers.get("Content-Type") || "";
    if (type.includes("json")) {
      try { data = await r.json(); } catch (e) { data = null; }
    }
    if (r.status === 401) {
      signOut("The token was refused; sign in again.");
      throw new ApiError(401, "not signed in");
    }
    if (!r.ok)
      throw new ApiError(r.status, data && data.detail ? data.detail :
        `${method} ${path}: HTTP ${r.status}`);
    return data;
  }

  /* Every page of a collection (bounded). */
  async function apiAll(path, maxPages = 20) {
    const items = [];
    let cursor = null;
    const sep = path.includes("?") ? "&" : "?";
    for (let i = 0; i < maxPages; i++) {
      const q = `${path}${sep}limit=${PAGE}` +
        (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      const page = await api("GET", q);
      items.push(...(page.items || []));
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    /* Beyond maxPages the view says it shows only the first part. */
    items.truncated = !!cursor;
    return items;
  }

  /*
   * Routes the server in hand may not have (an older API): a 404 or 405
   * marks the capability missing, and the view says so instead of
   * failing.  Asked again only after the next sign-in or reconnect.
   */
  const missing = new Set();
  let caps = null;      /* "METHOD /path/{x}" the server's contract lists */
  let keepDurable = true;   /* unknown without the contract: offer it */

  /*
   * The daemon serves its own contract; its paths say which optional
   * routes exist, so the page need not probe them with failing calls.
   * Without the document (not installed) every route is tried.
   */
  async function loadCaps() {
    caps = null;
    keepDurable = true;
    let text;
    try {
      const r = await fetch(API + "/openapi.yaml", {
        headers: { Authorization: "Bearer " + token() }, cache: "no-store" });
      if (!r.ok) return;
      text = await r.text();
    } catch (e) { return; }
    const set = new Set();
    let inPaths = false, path = null;
    for (const line of text.split("\n")) {
      if (/^\S/.test(line)) { inPaths = line.startsWith("paths:"); path = null; continue; }
      if (!inPaths) continue;
      let m = /^  (\/\S*):\s*$/.exec(line);
      if (m) { path = m[1]; continue; }
      m = /^    (get|post|patch|put|delete):\s*$/.exec(line);
      if (m && path) set.add(m[1].toUpperCase() + " " + path);
    }
    if (set.size) caps = set;
    /* Force logoff keeping durable opens (MS-SMB2 3.3.5.6) is a parameter. */
    keepDurable = /\bkeep_durable\b/.test(text);
  }

  function lacks(key) {
    const need = {
      scavenger: "GET /api/v1/scavenger",
      users: "GET /api/v1/users",
      "shares-write": "POST /api/v1/shares",
    }[key];
    return caps !== null && need !== undefined && !caps.has(need);
  }

  async function optional(key, fn) {
    if (!missing.has(key) && lacks(key)) missing.add(key);
    if (missing.has(key)) return null;
    try {
      return await fn();
    } catch (e) {
      if (e.status === 404 || e.status === 405) {
        missing.add(key);
        return null;
      }
      throw e;
    }
  }

  /* ---------- state ---------- */

  const state = {
    server: null, serverAt: 0,
    stats: null,
    sessions: [], opens: [], shares: [], users: null, scav: null,
    scavAt: 0,
    samples: [],          /* { t, sessions, opens } for the chart */
    events: [], lastSeq: null,
    sort: { sessions: { key: "id", dir: 1 }, opens: { key: "id", dir: 1 } },
    selSession: null, selOpen: null, whoPath: "",
    editShare: null, paused: false,
  };

  /* ---------- sign-in ---------- */

  function takeTokenFromFragment() {
    const m = /^#token=([^&]+)/.exec(location.hash);
    if (!m) return false;
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    /* The token leaves the address bar and the history at once. */
    history.replaceState(null, "", location.pathname + "#/overview");
    return true;
  }

  function signOut(why) {
    sessionStorage.removeItem(TOKEN_KEY);
    stopStream();
    document.body.classList.add("signed-out");
    $("nav").hidden = true;
    $("signout").hidden = true;
    for (const v of document.querySelectorAll(".view")) v.hidden = true;
    $("view-signin").hidden = false;
    setLive("off");
    notice(why || "", "error");
    $("signin-token").focus();
  }

  async function signIn() {
    document.body.classList.remove("signed-out");
    $("view-signin").hidden = true;
    $("nav").hidden = false;
    $("signout").hidden = false;
    missing.clear();
    try {
      await loadServer();
    } catch (e) {
      if (e.status !== 401) notice(e.message);
      return;
    }
    await loadCaps();
    notice("");
    await seedChart();
    startStream();
    route();
  }

  /* ---------- data loading ---------- */

  async function loadServer() {
    state.server = await api("GET", "/server");
    state.serverAt = performance.now();
    $("server-name").textContent = `${state.server.name} · ${state.server.version}`;
    // A share's durable timeout is held to "durable timeout max".
    if (state.server.durable_timeout_max_ms !== undefined) {
      $("sh-durable").max = state.server.durable_timeout_max_ms;
      $("sh-durable").placeholder = state.server.durable_timeout_ms;
    }
  }

  async function loadStats() {
    state.stats = await api("GET", "/statistics");
    sample(state.stats.sessions, state.stats.opens);
  }

  async function loadScavenger() {
    const s = await optional("scavenger", () => api("GET", "/scavenger?limit=" + PAGE));
    state.scav = s;
    state.scavAt = performance.now();
  }

  function sample(sessions, opens) {
    const now = Date.now();
    state.samples.push({ t: now, sessions, opens });
    const cut = now - CHART_SPAN_MS - 60000;
    while (state.samples.length > 2 && state.samples[1].t < cut)
      state.samples.shift();
  }

  /*
   * The chart starts with history: the event ring says when sessions and
   * opens came and went, so walking it back from today's counts gives
   * the counts of the last minutes.
   */
  async function seedChart() {
    try {
      await loadStats();
      const evs = [];
      let since = 0;
      for (let i = 0; i < 5; i++) {
        const p = await api("GET", `/events?since=${since}&limit=${PAGE}`);
        evs.push(...p.items);
        if (p.next_since === since || p.items.length === 0) break;
        since = p.next_since;
      }
      state.lastSeq = state.stats.events_last_seq;
      const cut = Date.now() - CHART_SPAN_MS;
      let s = state.stats.sessions, o = state.stats.opens;
      const back = [];
      for (let i = evs.length - 1; i >= 0; i--) {
        const t = Date.parse(evs[i].time);
        if (isNaN(t) || t < cut) break;
        back.push({ t, sessions: s, opens: o });
        const d = countDelta(evs[i].type);
        s -= d.s; o -= d.o;
        back.push({ t: t - 1, sessions: Math.max(0, s), opens: Math.max(0, o) });
      }
      back.push({ t: cut, sessions: Math.max(0, s), opens: Math.max(0, o) });
      const now = state.samples.pop();
      state.samples = back.reverse().concat(state.samples, [now]);
      state.events = evs.slice(-200).reverse();
    } catch (e) {
      if (e.status !== 401) notice(e.message);
    }
  }

  function countDelta(type) {
    switch (type) {
      case "session.registered": return { s: 1, o: 0 };
      case "session.deregistered": return { s: -1, o: 0 };
      case "open.registered": return { s: 0, o: 1 };
      case "open.closed": return { s: 0, o: -1 };
      default: return { s: 0, o: 0 };
    }
  }

  /* ---------- the event stream ---------- */

  let streamCtl = null, streamGen = 0;

  function setLive(s) {
    const l = $("live");
    l.dataset.state = s;
    l.textContent = s === "on" ? "live" : s === "wait" ? "reconnecting" : "offline";
  }

  function stopStream() {
    streamGen++;
    if (streamCtl) streamCtl.abort();
    streamCtl = null;
  }

  function startStream() {
    stopStream();
    const gen = streamGen;
    let backoff = 1000;
    const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

    (async () => {
      while (gen === streamGen && token()) {
        streamCtl = new AbortController();
        const headers = {
          Accept: "text/event-stream",
          Authorization: "Bearer " + token(),
        };
        if (state.lastSeq !== null) headers["Last-Event-ID"] = String(state.lastSeq);
        let opened = false;
        try {
          const r = await fetch(API + "/events", {
            headers, cache: "no-store", signal: streamCtl.signal,
          });
          if (r.status === 401) { signOut("The token was refused; sign in again."); return; }
          if (!r.ok || !r.body) throw new Error("HTTP " + r.status);
          opened = true;
          backoff = 1000;
          setLive("on");
          await afterReconnect();
          await readStream(r.body, gen);
        } catch (e) {
          if (gen !== streamGen) return;
        }
        if (gen !== streamGen) return;
        setLive("wait");
        await sleep(opened ? 500 : backoff);
        backoff = Math.min(backoff * 2, 30000);
      }
    })();
  }

  /* After (re)connecting: the server may have restarted; look again once. */
  let connectedOnce = false;
  async function afterReconnect() {
    if (!connectedOnce) { connectedOnce = true; return; }
    const before = state.server && state.server.start_time;
    missing.clear();
    try {
      await loadServer();
      await loadCaps();
      if (before && state.server.start_time !== before) {
        state.lastSeq = null;
        notice("The server restarted; the views show its new state.", "info");
      }
    } catch (e) { /* the stream itself will tell */ }
    scheduleRefresh();
  }

  async function readStream(body, gen) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "", data = [], id = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done || gen !== streamGen) return;
      buf += value;
      let nl;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf.startsWith("\r\n", nl) ? 2 : 1));
        if (line === "") {
          if (data.length) onEvent(id, data.join("\n"));
          data = []; id = null;
          continue;
        }
        if (line.startsWith(":")) continue;
        const c = line.indexOf(":");
        const field = c < 0 ? line : line.slice(0, c);
        let val = c < 0 ? "" : line.slice(c + 1);
        if (val.startsWith(" ")) val = val.slice(1);
        if (field === "data") data.push(val);
        else if (field === "id") id = val;
      }
    }
  }

  function onEvent(id, text) {
    let ev;
    try { ev = JSON.parse(text); } catch (e) { return; }
    if (id !== null && /^\d+$/.test(id)) state.lastSeq = Number(id);
    if (ev.type === "events.missed") {
      notice(`${ev.missed} events were missed; the views were reloaded.`, "info");
    } else {
      state.events.unshift(ev);
      if (state.events.length > 500) state.events.length = 500;
    }
    if (current === "events") renderEvents();
    scheduleRefresh();
  }

  /* ---------- refresh, debounced ---------- */

  let refreshTimer = null, refreshing = false, refreshAgain = false;
  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(async () => {
      refreshTimer = null;
      if (refreshing) { refreshAgain = true; return; }
      refreshing = true;
      try { await refreshView(); } finally {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; scheduleRefresh(); }
      }
    }, REFRESH_DELAY_MS);
  }

  async function refreshView() {
    try {
      await loadStats();
      switch (current) {
        case "overview": await loadScavenger(); renderOverview(); break;
        case "sessions": await loadSessions(); break;
        case "opens": await loadOpens(); break;
        case "shares": await loadShares(); break;
        case "users": await loadUsers(); break;
        case "events": renderEvents(); break;
      }
    } catch (e) {
      if (e.status !== 401) notice(e.message);
    }
  }

  /* ---------- the router ---------- */

  let current = null;
  const views = ["overview", "sessions", "opens", "shares", "users", "events"];

  function route() {
    if (!token()) { signOut(""); return; }
    let v = (location.hash.match(/^#\/(\w+)/) || [])[1];
    if (!views.includes(v)) v = "overview";
    const changed = v !== current;
    current = v;
    for (const name of views) $("view-" + name).hidden = name !== v;
    for (const a of document.querySelectorAll("nav a"))
      if (a.dataset.view === v) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    document.title = `smbsrvd · ${v}`;
    if (changed) {
      const h = document.querySelector(`#view-${v} h1`);
      if (h && document.activeElement && document.activeElement.closest("nav")) h.focus();
    }
    if (v === "overview") renderOverview();
    if (v === "events") renderEvents();
    scheduleRefresh();
  }

  /* ---------- overview ---------- */

  function fact(dl, term, value) {
    dl.append(el("dt", { text: term }), el("dd", null, value));
  }

  function renderOverview() {
    const sv = state.server, st = state.stats;
    const f = clear($("ov-server"));
    if (sv) {
      fact(f, "Server", sv.name);
      fact(f, "Version", sv.version);
      fact(f, "GUID", el("span", { class: "mono", text: sv.guid }));
      fact(f, "Started", fmtTime(sv.start_time));
      fact(f, "Uptime", el("span", { id: "ov-uptime", text: fmtDuration(uptimeNow()) }));
      fact(f, "SMB listens on", (sv.smb_listen || []).join(", "));
      fact(f, "Configuration", sv.config_file || "embedded default");
    }
    const c = clear($("ov-counts"));
    if (st) {
      const det = state.scav ? state.scav.pending : null;
      for (const [k, v] of [["Connections", st.connections], ["Sessions", st.sessions],
        ["Tree connects", st.trees], ["Open files", st.opens],
        ["Disconnected, pending", det === null ? "—" : det],
        ["Shares", sv ? sv.shares : "—"]])
        c.append(el("div", null, el("dt", { text: k }), el("dd", { text: v })));
      const s = clear($("ov-stats"));
      fact(s, "Bytes received", fmtBytes(st.bytes_received));
      fact(s, "Bytes sent", fmtBytes(st.bytes_sent));
      fact(s, "Files opened (sts0_fopens)", st.sts0_fopens);
      fact(s, "Sessions timed out", st.sts0_stimedout);
      fact(s, "Password errors", st.sts0_pwerrors);
      fact(s, "Permission errors", st.sts0_permerrors);
      const bd = st.sessions_by_dialect || {};
      fact(s, "Sessions by dialect", Object.entries(bd).filter(([, n]) => n)
        .map(([d, n]) => `${d}: ${n}`).join(", ") || "none");
    }
    const sc = clear($("ov-scav"));
    if (missing.has("scavenger")) {
      fact(sc, "Timers", "this server's API has no /scavenger route");
    } else if (state.scav) {
      const t = (x) => x && x.next_expiry ?
        `${x.pending} pending, next expiry in ${fmtDuration(scavRemaining(x.remaining_ms))}` :
        `${x ? x.pending : 0} pending, timer not running`;
      fact(sc, "Durable open scavenger", t(state.scav.durable_timer));
      fact(sc, "Resilient open scavenger", t(state.scav.resilient_timer));
    }
    drawChart();
  }

  function uptimeNow() {
    if (!state.server) return null;
    return state.server.uptime_ms + (performance.now() - state.serverAt);
  }

  function scavRemaining(ms) {
    if (typeof ms !== "number") return null;
    return Math.max(0, ms - (performance.now() - state.scavAt));
  }

  /* The chart: two step lines in SVG, told apart by dash and label too. */
  function drawChart() {
    const box = clear($("chart"));
    const W = 720, H = 220, L = 40, R = 10, T = 10, B = 28;
    const now = Date.now(), t0 = now - CHART_SPAN_MS;
    const pts = state.samples.filter((p) => p.t >= t0 - 60000);
    const maxV = Math.max(4, ...pts.map((p) => Math.max(p.sessions, p.opens)));
    const x = (t) => L + (Math.max(t, t0) - t0) / CHART_SPAN_MS * (W - L - R);
    const y = (v) => T + (1 - v / maxV) * (H - T - B);
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("aria-hidden", "true");
    const add = (tag, attrs, text) => {
      const e = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      if (text !== undefined) e.textContent = text;
      svg.append(e);
      return e;
    };
    const step = Math.max(1, Math.ceil(maxV / 4));
    for (let v = 0; v <= maxV; v += step) {
      add("line", { class: "grid-line", x1: L, x2: W - R, y1: y(v), y2: y(v) });
      add("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, v);
    }
    for (let m = 0; m <= 10; m += 2) {
      const t = t0 + m * 60000;
      add("text", { x: x(t), y: H - 8, "text-anchor": "middle" },
        m === 10 ? "now" : `-${10 - m}m`);
    }
    add("line", { class: "axis", x1: L, x2: L, y1: T, y2: H - B });
    add("line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B });
    for (const key of ["sessions", "opens"]) {
      if (!pts.length) break;
      let d = "", last = null;
      for (const p of pts) {
        const px = x(p.t).toFixed(1), py = y(p[key]).toFixed(1);
        if (last === null) d += `M${px},${py}`;
        else d += `H${px}V${py}`;
        last = p;
      }
      d += `H${x(now).toFixed(1)}`;
      add("path", { class: "s-" + key, d });
    }
    box.append(svg);
    const cur = pts.length ? pts[pts.length - 1] : null;
    const cap = clear($("chart-desc"));
    cap.append(el("span", { class: "legend-sessions", text: "open sessions" }), " and ",
      el("span", { class: "legend-opens", text: "open files" }),
      cur ? `; now ${cur.sessions} sessions and ${cur.opens} open files` +
        `, at most ${Math.max(...pts.map((p) => p.sessions))} sessions and ` +
        `${Math.max(...pts.map((p) => p.opens))} open files in the last 10 minutes.` : ".");
  }

  /* ---------- tables ---------- */

  /*
   * cols: [{ key, label, get(row) -> sortable value, cell(row) -> node or
   * text, num }].  Headers are buttons that sort; aria-sort tells which.
   */
  function renderTable(table, which, cols, rows, opts) {
    clear(table);
    const sort = which && state.sort[which];
    if (opts && opts.caption) table.append(el("caption", { text: opts.caption }));
    const thead = el("thead");
    const tr = el("tr");
    for (const c of cols) {
      const th = el("th", { scope: "col" });
      if (sort && c.get) {
        th.setAttribute("aria-sort", sort.key === c.key ?
          (sort.dir > 0 ? "ascending" : "descending") : "none");
        th.append(el("button", {
          type: "button", text: c.label,
          onclick: () => {
            if (sort.key === c.key) sort.dir = -sort.dir;
            else { sort.key = c.key; sort.dir = 1; }
            if (opts && opts.resort) opts.resort();
          },
        }));
      } else th.textContent = c.label;
      tr.append(th);
    }
    thead.append(tr);
    table.append(thead);
    if (sort) {
      const col = cols.find((c) => c.key === sort.key) || cols[0];
      rows = rows.slice().sort((a, b) => cmp(col.get(a), col.get(b)) * sort.dir);
    }
    const tbody = el("tbody");
    if (!rows.length)
      tbody.append(el("tr", null, el("td", { colspan: cols.length, class: "empty",
        text: (opts && opts.empty) || "none" })));
    for (const r of rows) {
      const row = el("tr", opts && opts.rowAttrs ? opts.rowAttrs(r) : null);
      for (const c of cols) {
        const v = c.cell ? c.cell(r) : c.get(r);
        row.append(el("td", { "data-label": c.label, class: c.num ? "num" : (c.cls || null) },
          v === null || v === undefined ? "—" : v));
      }
      tbody.append(row);
    }
    table.append(tbody);
  }

  function cmp(a, b) {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    if (/^\d+$/.test(a) && /^\d+$/.test(b))
      return a.length - b.length || (a < b ? -1 : 1);
    return String(a).localeCompare(String(b));
  }

  const idNum = (s) => s;   /* ids are decimal strings; cmp() orders them */

  /* ---------- sessions ---------- */

  async function loadSessions() {
    state.sessions = await apiAll("/sessions");
    /* A session that went takes its detail with it, without asking. */
    if (state.selSession && !state.sessions.some((s) => s.id === state.selSession)) {
      state.selSession = null;
      $("sess-detail").hidden = true;
    }
    renderSessions();
    if (state.selSession) await loadSessionDetail(state.selSession, false);
  }

  function sessionMatches(s, q) {
    if (!q) return true;
    q = q.toLowerCase();
    return [s.id, s.user, s.domain, s.client, s.dialect, s.state]
      .some((v) => v && String(v).toLowerCase().includes(q));
  }

  function renderSessions() {
    const q = $("sess-filter").value.trim();
    const rows = state.sessions.filter((s) => sessionMatches(s, q));
    $("sess-count").textContent = `${rows.length} of ${state.sessions.length}` +
      (state.sessions.truncated ? "+ (the first pages only)" : "") + " sessions";
    renderTable($("sess-table"), "sessions", [
      { key: "id", label: "Id", get: (s) => idNum(s.id) },
      { key: "user", label: "User", get: (s) => s.user,
        cell: (s) => s.user ? (s.domain ? `${s.domain}\\${s.user}` : s.user) :
          (s.anonymous ? "(anonymous)" : "(not yet)") },
      { key: "client", label: "Client", get: (s) => s.client },
      { key: "dialect", label: "Dialect", get: (s) => s.dialect },
      { key: "state", label: "State", get: (s) => s.state },
      { key: "opens", label: "Opens", get: (s) => s.opens, num: true },
      { key: "trees", label: "Trees", get: (s) => s.trees, num: true },
      { key: "connected", label: "Connected", get: (s) => s.connected_ms,
        cell: (s) => fmtDuration(s.connected_ms) },
      { key: "idle", label: "Idle", get: (s) => s.idle_ms, cell: (s) => fmtDuration(s.idle_ms) },
      { key: "flags", label: "Flags", get: (s) => sessionFlags(s) },
      { key: "act", label: "Actions", cls: "actions", cell: (s) => [
        el("button", { type: "button", text: "Details",
          "aria-expanded": state.selSession === s.id ? "true" : "false",
          "aria-controls": "sess-detail",
          onclick: () => loadSessionDetail(s.id, true) }),
        el("button", { type: "button", class: "danger", text: "Log off…",
          onclick: () => confirmLogoff(s) }),
        s.connection_id ? el("button", { type: "button", text: "Drop…",
          title: "Drop the TCP connection", "aria-label": `Drop the connection of session ${s.id}`,
          onclick: () => confirmDrop(s.connection_id) }) : null,
      ] },
    ], rows, {
      resort: renderSessions, empty: q ? "no session matches the filter" : "no sessions",
      rowAttrs: (s) => ({ class: state.selSession === s.id ? "selected" : null,
        "data-session": s.id }),
    });
  }

  function sessionFlags(s) {
    const f = [];
    if (s.guest) f.push("guest");
    if (s.anonymous) f.push("anonymous");
    if (s.signing_required) f.push("signed");
    if (s.encrypted) f.push("encrypted");
    if (s.channels > 1) f.push(`${s.channels} channels`);
    return f.join(", ") || "—";
  }

  async function loadSessionDetail(id, focus) {
    const box = $("sess-detail");
    let d;
    try {
      d = await api("GET", "/sessions/" + encodeURIComponent(id));
    } catch (e) {
      if (e.status === 404) {
        state.selSession = null;
        box.hidden = true;
        return;
      }
      throw e;
    }
    state.selSession = id;
    clear(box).hidden = false;
    const s = d.session;
    box.append(el("h2", { tabindex: "-1", text: `Session ${s.id}: ${s.user || "(not authenticated)"} from ${s.client}` }));
    const dl = el("dl", { class: "facts" });
    fact(dl, "SMB session id", el("span", { class: "mono", text: s.smb_session_id }));
    fact(dl, "Dialect", s.dialect);
    fact(dl, "Connected since", fmtTime(s.created));
    fact(dl, "Signing required / encrypted", `${yesno(s.signing_required)} / ${yesno(s.encrypted)}`);
    box.append(dl);
    box.append(el("h3", { text: "Tree connects" }));
    const tt = el("table", { class: "grid" });
    renderTable(tt, null, [
      { key: "id", label: "Id", get: (t) => t.id },
      { key: "share", label: "Share", get: (t) => t.share },
      { key: "opens", label: "Opens", get: (t) => t.opens, num: true },
      { key: "since", label: "Connected", get: (t) => fmtDuration(t.connected_ms) },
      { key: "acc", label: "Maximal access", get: (t) => (t.maximal_access_names || []).join(" ") || t.maximal_access },
    ], d.trees.items || [], { empty: "no tree connects" });
    box.append(el("div", { class: "table-wrap" }, tt));
    box.append(el("h3", { text: "Opens" }));
    const ot = el("table", { class: "grid" });
    renderTable(ot, null, openCols(false), d.opens.items || [], { empty: "no opens" });
    box.append(el("div", { class: "table-wrap" }, ot));
    renderSessions();
    if (focus) box.querySelector("h2").focus();
  }

  /* ---------- opens ---------- */

  async function loadOpens() {
    const p = new URLSearchParams();
    if (state.whoPath) p.set("path", state.whoPath);
    const share = $("open-share").value;
    if (share) p.set("share", share);
    const user = $("open-user").value.trim();
    if (user) p.set("user", user);
    const qs = p.toString();
    const [opens] = await Promise.all([
      apiAll("/opens" + (qs ? "?" + qs : "")),
      loadScavenger(),
      state.shares.length ? null : loadShareList(),
    ]);
    state.opens = opens;
    if (state.selOpen && !opens.some((o) => o.id === state.selOpen)) {
      state.selOpen = null;
      $("open-detail").hidden = true;
    }
    fillShareSelect();
    renderOpens();
  }

  async function loadShareList() {
    state.shares = await apiAll("/shares");
  }

  function fillShareSelect() {
    const sel = $("open-share"), keep = sel.value;
    const want = ["", ...state.shares.map((s) => s.name)];
    const have = [...sel.options].map((o) => o.value);
    if (want.join("\n") === have.join("\n")) return;
    clear(sel);
    for (const n of want) sel.append(el("option", { value: n, text: n || "all" }));
    sel.value = want.includes(keep) ? keep : "";
  }

  function scavEntry(id) {
    if (!state.scav || !state.scav.items) return null;
    return state.scav.items.find((e) => e.id === id) || null;
  }

  function openCols(withActions) {
    const cols = [
      { key: "id", label: "Id", get: (o) => idNum(o.id) },
      { key: "path", label: "Path", get: (o) => o.path,
        cell: (o) => el("span", { class: "mono", text: (o.directory ? "[dir] " : "") + (o.path || "\\") }) },
      /* A disconnected open has no session; its timer knows who may reclaim it. */
      { key: "share", label: "Share", get: (o) => o.share ?? (scavEntry(o.id) || {}).share },
      { key: "user", label: "User", get: (o) => o.user ?? (scavEntry(o.id) || {}).user },
      { key: "client", label: "Client", get: (o) => o.client ?? (scavEntry(o.id) || {}).client },
      { key: "state", label: "State", get: (o) => o.state,
        cell: (o) => el("span", { class: "state-" + o.state,
          text: o.state === "detached" ? "disconnected" : o.state }) },
      { key: "remaining", label: "Remaining", get: (o) => remainingOf(o),
        cell: (o) => remainingCell(o) },
      { key: "oplock", label: "Oplock / lease", get: (o) => shortNames(o.oplock_level_names, "SMB2_OPLOCK_LEVEL_") },
      { key: "locks", label: "Locks", get: (o) => o.locks, num: true },
      { key: "access", label: "Access", get: (o) => shortNames(o.permissions_names, "FILE_") || o.permissions },
    ];
    if (withActions)
      cols.push({ key: "act", label: "Actions", cls: "actions", cell: (o) => [
        el("button", { type: "button", text: "Details", "aria-controls": "open-detail",
          onclick: () => showOpen(o.id) }),
        el("button", { type: "button", class: "danger", text: "Close…",
          onclick: () => confirmClose(o) }),
        o.state === "detached" && scavEntry(o.id) ? el("button", { type: "button",
          text: "Expire now…", onclick: () => confirmExpire([o.id]) }) : null,
        o.state === "detached" && scavEntry(o.id) ? el("button", { type: "button",
          text: "Extend…", onclick: () => promptExtend(o) }) : null,
      ] });
    return cols;
  }

  /* Tables show names without their common prefix; details show all. */
  function shortNames(names, prefix) {
    return (names || []).map((n) => n.startsWith(prefix) ? n.slice(prefix.length) : n)
      .join(" ").toLowerCase();
  }

  function remainingOf(o) {
    const e = scavEntry(o.id);
    return e ? scavRemaining(e.remaining_ms) : null;
  }

  function remainingCell(o) {
    if (o.state !== "detached") return "—";
    const e = scavEntry(o.id);
    if (!e) return missing.has("scavenger") ? "pending (no timer in this API)" : "pending";
    return el("span", { class: "countdown", "data-remaining": e.remaining_ms,
      text: fmtDuration(scavRemaining(e.remaining_ms)) + ` (${e.reason.replace("_", " ")})` });
  }

  function renderOpens() {
    const st = $("open-state").value;
    const rows = state.opens.filter((o) => !st || o.state === st);
    $("open-count").textContent = `${rows.length} of ${state.opens.length}` +
      (state.opens.truncated ? "+ (the first pages only; filter to see the rest)" : "") + " opens" +
      (state.whoPath ? ` under “${state.whoPath}”` : "");
    $("scav-bar").hidden = !(state.scav && state.scav.pending > 0);
    renderTable($("open-table"), "opens", openCols(true), rows, {
      resort: renderOpens,
      empty: state.whoPath ? `nobody holds “${state.whoPath}”` : "no opens match",
      rowAttrs: (o) => ({ class: state.selOpen === o.id ? "selected" : null,
        "data-open": o.id, "data-state": o.state }),
    });
    if (state.selOpen) showOpen(state.selOpen, true);
  }

  /* "Who holds this file": the open joined with its session and timer. */
  async function showOpen(id, quiet) {
    const box = $("open-detail");
    let o, s = null;
    try {
      o = await api("GET", "/opens/" + encodeURIComponent(id));
      if (o.session_id) s = await api("GET", "/sessions/" + encodeURIComponent(o.session_id));
    } catch (e) {
      if (e.status === 404) { state.selOpen = null; box.hidden = true; return; }
      throw e;
    }
    state.selOpen = id;
    clear(box).hidden = false;
    box.append(el("h2", { tabindex: "-1", text: `Open ${o.id}: ${o.path || "\\"} on ${o.share || "?"}` }));
    const dl = el("dl", { class: "facts" });
    fact(dl, "State", o.state === "detached" ? "disconnected (waiting for a reconnect)" : "active");
    fact(dl, "User", o.user || "—");
    fact(dl, "Client", o.client || "—");
    if (s) {
      fact(dl, "Session", `${s.session.id} (${s.session.dialect}, ${s.session.user || "?"})`);
    }
    fact(dl, "Local path", o.local_path || "—");
    fact(dl, "Access", `${o.permissions} ${(o.permissions_names || []).join(" ")}`);
    fact(dl, "Share access", `${o.share_access} ${(o.share_access_names || []).join(" ")}`);
    fact(dl, "Oplock / lease", `${o.oplock_level} ${(o.oplock_level_names || []).join(" ")}`);
    for (const [k, v] of Object.entries(o)) {
      /* Members newer than this page (lease, durable ...) still show. */
      if (["id", "session_id", "tree_id", "state", "path", "local_path", "share", "user",
        "client", "permissions", "permissions_names", "share_access", "share_access_names",
        "oplock_level", "oplock_level_names", "smb_file_id"].includes(k)) continue;
      fact(dl, k.replace(/_/g, " "), typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));
    }
    const e = scavEntry(o.id);
    if (e) {
      fact(dl, "Kept because", e.reason.replace("_", " "));
      fact(dl, "Deadline", `${fmtTime(e.deadline)} (in ${fmtDuration(scavRemaining(e.remaining_ms))})`);
      fact(dl, "May be reclaimed by", `${e.user || "?"} from ${e.client || "?"}` +
        (e.create_guid ? `, CreateGuid ${e.create_guid}` : ""));
    }
    box.append(dl);
    if (!quiet) box.querySelector("h2").focus();
  }

  /* ---------- shares ---------- */

  async function loadShares() {
    await loadShareList();
    renderShares();
  }

  function renderShares() {
    const ro = lacks("shares-write") || missing.has("shares-write");
    $("share-form").hidden = ro;
    $("share-form-title").hidden = ro;
    renderTable($("share-table"), null, [
      { key: "name", label: "Name", get: (s) => s.name },
      { key: "path", label: "Path", get: (s) => s.path, cell: (s) => el("span", { class: "mono", text: s.path || "—" }) },
      { key: "comment", label: "Comment", get: (s) => s.comment },
      { key: "uses", label: "Uses (current / max)", get: (s) => s.current_uses,
        cell: (s) => [`${s.current_uses} / ${s.max_uses === null ? "no limit" : s.max_uses}`,
          s.max_uses ? el("meter", { min: 0, max: s.max_uses, value: s.current_uses,
            "aria-label": `${s.name}: ${s.current_uses} of ${s.max_uses} uses` }) : null] },
      { key: "flags", label: "Settings", get: (s) => [s.read_only ? "read only" : "writable",
        s.guest_ok ? "guests" : null, s.encrypt ? "encrypted" : null].filter(Boolean).join(", ") },
      { key: "act", label: "Actions", cls: "actions", cell: (s) => s.path === null || ro ? "—" : [
        el("button", { type: "button", text: "Edit", onclick: () => editShare(s) }),
        el("button", { type: "button", class: "danger", text: "Remove…",
          onclick: () => confirmRemoveShare(s) }),
      ] },
    ], state.shares, { empty: "no shares",
      caption: ro ? "This server's API cannot add, change or remove shares; " +
        "edit smbsrvd.conf and reload there." : null });
  }

  function editShare(s) {
    state.editShare = s.name;
    $("share-form-title").textContent = `Edit share ${s.name}`;
    $("sh-name").value = s.name;
    $("sh-name").disabled = true;
    $("sh-path").value = s.path || "";
    $("sh-comment").value = s.comment || "";
    $("sh-max").value = s.max_uses === null ? "" : s.max_uses;
    $("sh-durable").value = s.durable_timeout_ms === undefined ? "" : s.durable_timeout_ms;
    $("sh-ro").checked = !!s.read_only;
    $("sh-guest").checked = !!s.guest_ok;
    $("sh-enc").checked = !!s.encrypt;
    $("sh-submit").textContent = "Save changes";
    $("sh-cancel").hidden = false;
    $("sh-path").focus();
  }

  function resetShareForm() {
    state.editShare = null;
    $("share-form").reset();
    $("sh-name").disabled = false;
    $("share-form-title").textContent = "Add a share";
    $("sh-submit").textContent = "Add share";
    $("sh-cancel").hidden = true;
  }

  async function submitShare(ev) {
    ev.preventDefault();
    const body = {
      path: $("sh-path").value.trim(),
      comment: $("sh-comment").value,
      read_only: $("sh-ro").checked,
      guest_ok: $("sh-guest").checked,
      encrypt: $("sh-enc").checked,
      max_uses: $("sh-max").value === "" ? null : Number($("sh-max").value),
    };
    if ($("sh-durable").value !== "") body.durable_timeout_ms = Number($("sh-durable").value);
    try {
      let r;
      if (state.editShare) {
        r = await optional("shares-write", () => api("PATCH", "/shares/" + encodeURIComponent(state.editShare), body));
      } else {
        body.name = $("sh-name").value.trim();
        r = await optional("shares-write", () => api("POST", "/shares", body));
      }
      if (r === null) {
        notice("This server's API cannot change shares (no such route).");
        return;
      }
      notice(`Share ${r.name} ${state.editShare ? "changed" : "added"}.`, "info");
      resetShareForm();
      await loadShares();
    } catch (e) {
      if (e.status !== 401) notice(e.message);
    }
  }

  /* ---------- users ---------- */

  async function loadUsers() {
    const u = await optional("users", () => apiAll("/users"));
    state.users = u;
    renderUsers();
  }

  function renderUsers() {
    const t = $("user-table");
    $("user-form").hidden = state.users === null;
    if (state.users === null) {
      clear(t).append(el("caption", { text: "This server's API has no /users route; " +
        "users are managed with smbsrvd --add-user there." }));
      return;
    }
    renderTable(t, null, [
      { key: "name", label: "Name", get: (u) => u.name },
      { key: "enabled", label: "Enabled", get: (u) => u.enabled ? "yes" : "no (disabled)" },
      { key: "act", label: "Actions", cls: "actions", cell: (u) => [
        el("button", { type: "button", text: "Set password…", onclick: () => promptPassword(u) }),
        el("button", { type: "button", text: u.enabled ? "Disable" : "Enable",
          onclick: () => patchUser(u.name, { enabled: !u.enabled }, u.enabled ? "disabled" : "enabled") }),
        el("button", { type: "button", class: "danger", text: "Remove…", onclick: () => confirmRemoveUser(u) }),
      ] },
    ], state.users, { empty: "no users" });
  }

  async function patchUser(name, body, what) {
    try {
      await api("PATCH", "/users/" + encodeURIComponent(name), body);
      notice(`User ${name}: ${what}.`, "info");
      await loadUsers();
    } catch (e) {
      if (e.status !== 401) notice(e.message);
    }
  }

  async function submitUser(ev) {
    ev.preventDefault();
    const name = $("us-name").value.trim(), password = $("us-pass").value;
    try {
      await api("POST", "/users", { name, password });
      $("user-form").reset();
      notice(`User ${name} added.`, "info");
      await loadUsers();
    } catch (e) {
      if (e.status !== 401) notice(e.message);
    }
  }

  /* ---------- events ---------- */

  function renderEvents() {
    const q = $("ev-filter").value.trim().toLowerCase();
    if (state.paused) return;
    const list = clear($("ev-list"));
    const rows = state.events.filter((e) => !q ||
      [e.type, e.user, e.share, e.client, e.path, e.by].some((v) => v && v.toLowerCase().includes(q)));
    $("ev-count").textContent = `${rows.length} events`;
    for (const e of rows.slice(0, 300)) {
      const ids = Object.entries(e.ids || {}).map(([k, v]) => `${k} ${v}`).join(", ");
      const what = [ids, e.user && `user ${e.user}`, e.share && `share ${e.share}`,
        e.client && `from ${e.client}`, e.path && `path ${e.path}`, e.by && `by ${e.by}`]
        .filter(Boolean).join(" · ");
      list.append(el("li", { class: e.type.startsWith("admin.") ? "admin" : null },
        el("span", { class: "muted", text: "#" + e.seq }),
        el("time", { datetime: e.time, text: new Date(e.time).toLocaleTimeString() }),
        el("span", { class: "type", text: e.type }),
        el("span", { text: what })));
    }
  }

  /* ---------- confirmations with the dry run's impact ---------- */

  /*
   * The dry run names the opens; their records (locks, state, client) come
   * from GET opens/{id}, for the first IMPACT_DETAIL of them.
   */
  const IMPACT_DETAIL = 50;
  async function impactOpens(res) {
    const ids = (res && res.impact ? res.impact.opens : res && res.expired) || [];
    const got = await Promise.all(ids.slice(0, IMPACT_DETAIL).map((id) =>
      api("GET", "/opens/" + encodeURIComponent(id)).catch(() => null)));
    const m = new Map();
    for (const o of got) if (o) m.set(o.id, o);
    return { map: m, partial: ids.length > IMPACT_DETAIL };
  }

  function impactNode(res, det) {
    const box = el("div", { class: "impact" });
    const imp = res && res.impact;
    const open = (id) => det.map.get(id) || knownOpen(id) || scavEntry(id);
    const label = (id) => {
      const o = open(id);
      return o ? `${id}: ${o.share || "?"}\\${o.path} (${o.user || "?"})` : String(id);
    };
    const ids = imp ? imp.opens || [] : (res && res.expired) || [];
    const recs = ids.map(open).filter(Boolean);
    const of = det.partial ? ` (of the first ${IMPACT_DETAIL})` : "";
    const durable = recs.filter((o) => o.state === "detached" || scavEntry(o.id) ||
      Object.entries(o).some(([k, v]) => k.startsWith("durable") && v && v !== "none")).length;
    const locks = recs.reduce((a, o) => a + (o.locks || 0), 0);
    const clients = new Set(recs.map((o) => o.client).filter(Boolean));
    for (const x of [res && res.session, res && res.connection, res && res.open])
      if (x && x.client) clients.add(x.client);
    if (imp)
      for (const id of imp.sessions || []) {
        const s = state.sessions.find((x) => x.id === id);
        if (s) clients.add(s.client);
      }
    const c = imp ? imp.counts || {} : {};
    box.append(el("p", { text: res && res.impact ? "The server's dry run says this closes:" :
      "The server's dry run says this expires:" }));
    box.append(el("ul", null,
      el("li", { text: `${imp ? c.opens || 0 : ids.length} open(s)` }),
      el("li", { text: `${durable} durable or resilient handle(s) lost${of}` }),
      el("li", { text: `${locks} byte-range lock(s) released${of}` }),
      imp ? el("li", { text: `${c.trees || 0} tree connect(s)` }) : null,
      imp ? el("li", { text: `${c.sessions || 0} session(s)` }) : null,
      imp ? el("li", { text: `${c.connections || 0} connection(s)` }) : null,
      el("li", { text: `clients affected: ${clients.size ? [...clients].join(", ") : "none"}` })));
    /* Anything the API reports beyond the four kinds, shown as given. */
    if (imp)
      for (const [k, v] of Object.entries(imp))
        if (!["connections", "sessions", "trees", "opens", "counts", "truncated"].includes(k))
          box.append(el("p", { text: `${k.replace(/_/g, " ")}: ${Array.isArray(v) ?
            v.length + " — " + v.join(", ") : JSON.stringify(v)}` }));
    if (ids.length)
      box.append(el("details", null, el("summary", { text: "Opens concerned" }),
        el("ul", null, ids.map((id) => el("li", null, label(id))))));
    if (imp && imp.truncated)
      box.append(el("p", { class: "muted", text: "Lists are cut at 1000; the counts are whole." }));
    return box;
  }

  function knownOpen(id) { return state.opens.find((o) => o.id === id); }

  /*
   * Asks the server for the dry run, shows it, and on OK does the real
   * call.  extra(body) may add controls (keep durable) whose change runs
   * the dry run again.
   */
  async function confirmAction({ title, verb, dry, note, act, extra, done }) {
    const dlg = $("confirm"), body = clear($("confirm-body"));
    $("confirm-title").textContent = title;
    $("confirm-ok").textContent = verb;
    const impact = el("div", { "aria-live": "polite" });
    const redo = async () => {
      if (!dry) {
        clear(impact).append(el("p", { text: note }));
        $("confirm-ok").disabled = false;
        return;
      }
      clear(impact).append(el("p", { class: "muted", text: "Asking the server what this would do…" }));
      try {
        const r = await dry();
        const det = await impactOpens(r);
        clear(impact).append(impactNode(r, det));
        $("confirm-ok").disabled = false;
      } catch (e) {
        clear(impact).append(el("p", { text: "Dry run failed: " + e.message }));
        $("confirm-ok").disabled = e.status === 404;
      }
    };
    if (extra) body.append(extra(redo));
    body.append(impact);
    $("confirm-ok").disabled = true;
    const closed = new Promise((res) => dlg.addEventListener("close", () => res(dlg.returnValue), { once: true }));
    dlg.returnValue = "";
    dlg.showModal();
    $("confirm-cancel").focus();
    await redo();
    if (await closed !== "ok") return;
    try {
      await act();
      notice(done, "info");
    } catch (e) {
      if (e.status !== 401) notice(e.message);
    }
    scheduleRefresh();
  }

  function confirmLogoff(s) {
    let keep = false;
    const q = () => (keep ? "&keep_durable=true" : "");
    const path = "/sessions/" + encodeURIComponent(s.id);
    confirmAction({
      title: `Force logoff of session ${s.id} (${s.user || "?"} from ${s.client})`,
      verb: "Log off",
      dry: () => api("DELETE", `${path}?dry_run=true${q()}`),
      act: () => api("DELETE", `${path}?${q().slice(1)}`),
      extra: (redo) => el("label", { class: "check" }, el("input", { type: "checkbox", id: "keep-durable",
        disabled: !keepDurable,
        onchange: (e) => { keep = e.target.checked; redo(); } }),
        " keep durable and resilient opens for a reconnect (as a client's own logoff does)" +
        (keepDurable ? "" : " — this server's API does not offer it")),
      done: `Session ${s.id} logged off.`,
    });
  }

  function confirmDrop(cid) {
    const path = "/connections/" + encodeURIComponent(cid);
    confirmAction({
      title: `Drop connection ${cid}`,
      verb: "Drop connection",
      dry: () => api("DELETE", path + "?dry_run=true"),
      act: () => api("DELETE", path),
      done: `Connection ${cid} dropped.`,
    });
  }

  function confirmClose(o) {
    const path = "/opens/" + encodeURIComponent(o.id);
    confirmAction({
      title: `Close open ${o.id} (${o.path || "\\"} on ${o.share || "?"})`,
      verb: "Close open",
      dry: () => api("DELETE", path + "?dry_run=true"),
      act: () => api("DELETE", path),
      done: `Open ${o.id} closed.`,
    });
  }

  function confirmExpire(ids) {
    const body = ids ? { ids } : {};
    confirmAction({
      title: ids ? `Expire pending open ${ids.join(", ")} now` : "Expire every pending open now",
      verb: "Expire now",
      dry: () => api("POST", "/scavenger/expire?dry_run=true", body),
      act: () => api("POST", "/scavenger/expire", body),
      done: "Expired.",
    });
  }

  function confirmRemoveShare(s) {
    const path = "/shares/" + encodeURIComponent(s.name);
    confirmAction({
      title: `Remove share ${s.name}`,
      verb: "Remove share",
      dry: () => api("DELETE", path + "?dry_run=true"),
      act: () => api("DELETE", path),
      done: `Share ${s.name} removed.`,
    });
  }

  function confirmRemoveUser(u) {
    confirmAction({
      title: `Remove user ${u.name}`,
      verb: "Remove user",
      /* The API has no dry run here: removing a user closes nothing. */
      note: "The user can no longer log on. Sessions already logged on stay " +
        "until they end or are logged off in the Sessions view.",
      act: () => api("DELETE", "/users/" + encodeURIComponent(u.name)),
      done: `User ${u.name} removed; sessions already logged on stay until closed.`,
    });
  }

  async function ask(title, label, type, verb) {
    const dlg = $("prompt"), inp = $("prompt-input");
    $("prompt-title").textContent = title;
    $("prompt-label").textContent = label;
    $("prompt-ok").textContent = verb;
    inp.type = type;
    inp.value = "";
    const closed = new Promise((res) => dlg.addEventListener("close", () => res(dlg.returnValue), { once: true }));
    dlg.returnValue = "";
    dlg.showModal();
    inp.focus();
    return (await closed) === "ok" ? inp.value : null;
  }

  async function promptPassword(u) {
    const pw = await ask(`New password for ${u.name}`, "Password", "password", "Set password");
    if (pw) await patchUser(u.name, { password: pw }, "password set");
  }

  async function promptExtend(o) {
    const e = scavEntry(o.id);
    const min = e ? Math.ceil(scavRemaining(e.remaining_ms) / 1000) + 1 : 60;
    const v = await ask(`Extend pending open ${o.id}`,
      `Keep it for how many seconds from now (more than ${min - 1})?`, "number", "Extend");
    if (v === null || v === "") return;
    try {
      await api("POST", `/scavenger/${encodeURIComponent(o.id)}/extend`,
        { remaining_ms: Math.round(Number(v) * 1000) });
      notice(`Open ${o.id} extended.`, "info");
    } catch (err) {
      if (err.status !== 401) notice(err.message);
    }
    scheduleRefresh();
  }

  /* ---------- clocks: countdowns and uptime tick without the server ---------- */

  function tick() {
    const up = $("ov-uptime");
    if (up) up.textContent = fmtDuration(uptimeNow());
    for (const c of document.querySelectorAll(".countdown[data-remaining]")) {
      const left = scavRemaining(Number(c.dataset.remaining));
      c.textContent = c.textContent.replace(/^[^(]*/, fmtDuration(left) + " ");
    }
    if (current === "overview" && !document.hidden) drawChart();
  }

  /* ---------- wiring ---------- */

  function init() {
    takeTokenFromFragment();
    $("signin-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const t = $("signin-token").value.trim();
      if (!t) return;
      sessionStorage.setItem(TOKEN_KEY, t);
      $("signin-token").value = "";
      if (!/^#\//.test(location.hash)) history.replaceState(null, "", "#/overview");
      signIn();
    });
    $("signout").addEventListener("click", () => signOut("Signed out."));
    $("sess-filter").addEventListener("input", renderSessions);
    $("open-state").addEventListener("change", renderOpens);
    $("open-share").addEventListener("change", scheduleRefresh);
    $("open-user").addEventListener("input", scheduleRefresh);
    $("who-form").addEventListener("submit", (e) => {
      e.preventDefault();
      state.whoPath = $("who-path").value.trim().replace(/^[\\/]+/, "");
      scheduleRefresh();
    });
    $("who-clear").addEventListener("click", () => {
      $("who-path").value = "";
      state.whoPath = "";
      scheduleRefresh();
    });
    $("scav-expire-all").addEventListener("click", () => confirmExpire(null));
    $("share-form").addEventListener("submit", submitShare);
    $("sh-cancel").addEventListener("click", resetShareForm);
    $("user-form").addEventListener("submit", submitUser);
    $("ev-filter").addEventListener("input", renderEvents);
    /* Enter in the prompt means OK (the form's first button is Cancel). */
    $("prompt-input").addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      e.preventDefault();
      $("prompt").close("ok");
    });
    $("ev-pause").addEventListener("click", (e) => {
      state.paused = !state.paused;
      e.target.setAttribute("aria-pressed", String(state.paused));
      e.target.textContent = state.paused ? "Resume" : "Pause";
      renderEvents();
    });
    window.addEventListener("hashchange", () => {
      /* A sign-in link opened in a tab that already shows the page. */
      if (takeTokenFromFragment()) signIn();
      else if (token()) route();
    });
    setInterval(tick, 1000);
    if (token()) signIn();
    else signOut("");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
