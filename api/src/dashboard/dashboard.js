// perfcycle's reference dashboard: plain JavaScript, no build step, nothing from a CDN.
// It shows how a frontend follows a cycle live: one WebSocket speaking graphql-transport-ws,
// the token in connection_init, `cycleProgress` for the overview figures, `activity` for the
// event feed (and as the cue to refetch what has no subscription of its own), `rewardRun` for
// a run's progress. Queries and the first figures go over plain POST /graphql.
"use strict";

const $ = (id) => document.getElementById(id);

// ---- GraphQL over HTTP -----------------------------------------------------------------
async function query(token, text, variables = {}) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: text, variables }),
  });
  const body = await response.json();
  if (body.errors && !body.data) throw new Error(body.errors[0].message);
  return body.data;
}

// ---- GraphQL over WebSocket (graphql-transport-ws) ---------------------------------------
class Live {
  constructor(token, onState) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.socket = new WebSocket(`${scheme}://${location.host}/graphql`, "graphql-transport-ws");
    this.handlers = new Map();
    this.next = 1;
    this.ready = new Promise((resolve) => (this.acked = resolve));
    this.socket.onopen = () =>
      this.send({ type: "connection_init", payload: { Authorization: `Bearer ${token}` } });
    this.socket.onmessage = (message) => {
      const m = JSON.parse(message.data);
      if (m.type === "connection_ack") {
        onState("live", "live");
        this.acked();
      } else if (m.type === "ping") {
        this.send({ type: "pong" });
      } else if (m.type === "next" && this.handlers.has(m.id)) {
        this.handlers.get(m.id)(m.payload);
      } else if (m.type === "error" && this.handlers.has(m.id)) {
        this.handlers.get(m.id)({ errors: m.payload });
      }
    };
    this.socket.onclose = (e) => onState("closed", `closed (${e.code}${e.reason ? ": " + e.reason : ""})`);
  }
  send(message) {
    this.socket.send(JSON.stringify(message));
  }
  async subscribe(text, variables, handler) {
    await this.ready;
    const id = String(this.next++);
    this.handlers.set(id, handler);
    this.send({ type: "subscribe", id, payload: { query: text, variables } });
    return () => {
      this.handlers.delete(id);
      this.send({ type: "complete", id });
    };
  }
  close() {
    this.socket.onclose = null;
    this.socket.close(1000);
  }
}

// ---- Rendering ----------------------------------------------------------------------------
function bars(el, rows) {
  // rows: [{ label, parts: [[value, colour]], total }]
  const max = Math.max(1, ...rows.map((r) => r.total));
  el.classList.remove("muted");
  el.replaceChildren(
    ...rows.map((r) => {
      const row = document.createElement("div");
      row.className = "row";
      const label = document.createElement("span");
      label.textContent = r.label;
      const bar = document.createElement("div");
      bar.className = "bar";
      for (const [value, colour] of r.parts) {
        const part = document.createElement("span");
        part.style.width = `${(100 * value) / max}%`;
        part.style.background = colour;
        bar.append(part);
      }
      const num = document.createElement("span");
      num.className = "num";
      num.textContent = r.total;
      row.append(label, bar, num);
      return row;
    }),
  );
  if (rows.length === 0) {
    el.textContent = "none yet";
    el.classList.add("muted");
  }
}

const HEALTH = { ON_TRACK: "var(--ok)", AT_RISK: "var(--warn)", OFF_TRACK: "var(--bad)" };

function renderProgress(p) {
  $("people").textContent = p.people;
  $("goals-total").textContent = p.goals.total;
  $("agreement").textContent =
    p.goals.agreementRate === null ? "—" : `${Math.round(p.goals.agreementRate * 100)} %`;
  bars(
    $("goal-status"),
    p.goals.byStatus.map((s) => ({ label: s.status, parts: [[s.count, "var(--a)"]], total: s.count })),
  );
  bars(
    $("goal-health"),
    p.goals.byHealth.map((h) => ({
      label: h.health,
      parts: [[h.count, HEALTH[h.health] || "var(--a)"]],
      total: h.count,
    })),
  );
  const weeks = p.checkInCompliance;
  bars(
    $("checkins"),
    weeks.map((w) => ({
      label: `${w.weekStart} · ${Math.round(w.rate * 100)} %`,
      parts: [
        [w.submitted, "var(--ok)"],
        [w.pending, "var(--warn)"],
        [w.missed, "var(--bad)"],
      ],
      total: w.submitted + w.pending + w.missed,
    })),
  );
  $("checkins-submitted").textContent = weeks.reduce((n, w) => n + w.submitted, 0);
}

function renderReviews(rounds) {
  const el = $("reviews");
  const rows = [];
  for (const round of rounds) {
    if (!round.progress) continue; // HR only
    const by = (status) =>
      round.progress.filter((c) => c.status === status).reduce((n, c) => n + c.count, 0);
    const submitted = by("SUBMITTED");
    const open = round.progress.reduce((n, c) => n + c.count, 0) - submitted;
    rows.push({
      label: `${round.kind} ${round.status}`,
      parts: [
        [submitted, "var(--ok)"],
        [open, "#c9d1da"],
      ],
      total: submitted,
    });
  }
  if (rounds.length && !rows.length) el.textContent = "HR sees review progress";
  else bars(el, rows);
}

function renderRun(run) {
  const el = $("reward");
  if (!run) {
    el.textContent = "no run yet";
    return;
  }
  bars(el, [
    {
      label: `${run.preview ? "preview" : "run"} ${run.status || ""}`,
      parts: [
        [run.processed, "var(--a)"],
        [Math.max(0, run.total - run.processed), "#c9d1da"],
      ],
      total: `${run.processed}/${run.total}`,
    },
  ]);
  el.dataset.status = run.status || "";
}

function logActivity(item) {
  const li = document.createElement("li");
  if (item.__typename === "Lagged") {
    li.textContent = "… some events were skipped; figures refetched";
  } else {
    li.textContent = `${new Date(item.occurredAt).toLocaleTimeString()} ${item.kind}`;
  }
  $("activity").prepend(li);
  while ($("activity").children.length > 30) $("activity").lastChild.remove();
}

// ---- Wiring -------------------------------------------------------------------------------
const PROGRESS = `subscription($c: ID!, $d: ID) { cycleProgress(cycleId: $c, departmentId: $d) {
  people goals { total agreementRate byStatus { status count } byHealth { health count } }
  checkInCompliance(weeks: 8) { weekStart submitted missed pending rate } } }`;
const ACTIVITY = `subscription { activity { __typename
  ... on ActivityEvent { kind occurredAt subjectId } ... on Lagged { missed } } }`;
const ROUNDS = `query($c: ID!) { reviewRounds(cycleId: $c) { kind status progress { status count } } }`;
const RUNS = `query($c: ID!) { rewardRuns(cycleId: $c) { id preview status processed total } }`;
const RUN = `subscription($r: ID!) { rewardRun(runId: $r) { id preview status processed total } }`;

let live = null;
// A link may carry the token and cycle in its fragment (never sent to a server):
// /dashboard#token=…&cycle=…
const fragment = new URLSearchParams(location.hash.slice(1));
const linkedCycle = fragment.get("cycle");

function setState(state, text) {
  $("status").dataset.state = state;
  $("status").textContent = text;
}

async function connect() {
  const token = $("token").value.trim();
  if (!token) return setState("error", "paste a token first");
  if (live) live.close();
  setState("connecting", "connecting…");
  try {
    const { cycles } = await query(token, "{ cycles { id name phase } }");
    const chosen = $("cycle").value || linkedCycle;
    $("cycle").replaceChildren(
      ...cycles.map((c) => new Option(`${c.name} (${c.phase})`, c.id, false, c.id === chosen)),
    );
    const cycle = $("cycle").value;
    if (!cycle) return setState("error", "no cycle to show");
    const department = $("department").value || null;
    live = new Live(token, setState);
    live.subscribe(PROGRESS, { c: cycle, d: department }, (r) =>
      r.errors ? setState("error", r.errors[0].message) : renderProgress(r.data.cycleProgress),
    );
    const refreshReviews = () =>
      query(token, ROUNDS, { c: cycle }).then(
        (d) => renderReviews(d.reviewRounds),
        (e) => ($("reviews").textContent = `reviews: ${e.message}`),
      );
    let stopRun = null;
    const followRun = async () => {
      let runs;
      try {
        runs = await query(token, RUNS, { c: cycle });
      } catch (e) {
        $("reward").textContent = `reward runs: ${e.message}`;
        return;
      }
      const latest = runs.rewardRuns[0];
      renderRun(latest);
      if (stopRun) stopRun();
      if (latest) stopRun = await live.subscribe(RUN, { r: latest.id }, (r) => r.data && renderRun(r.data.rewardRun));
    };
    refreshReviews();
    followRun();
    let pending = null;
    live.subscribe(ACTIVITY, {}, (r) => {
      if (!r.data) return;
      const item = r.data.activity;
      logActivity(item);
      if (item.__typename === "Lagged" || /^REVIEW|^RATING/.test(item.kind)) {
        clearTimeout(pending);
        pending = setTimeout(refreshReviews, 300);
      }
      if (item.__typename === "Lagged" || item.kind === "REWARD_RUN_STARTED") followRun();
    });
  } catch (e) {
    setState("error", e.message);
  }
}

async function loadDepartments() {
  const token = $("token").value.trim();
  if (!token) return;
  const data = await query(token, "{ departments { id name } }").catch(() => null);
  if (!data) return;
  $("department").replaceChildren(
    new Option("whole scope", ""),
    ...data.departments.map((d) => new Option(d.name, d.id)),
  );
}

$("connect").addEventListener("click", connect);
$("token").addEventListener("change", loadDepartments);
if (fragment.get("token")) {
  $("token").value = fragment.get("token");
  history.replaceState(null, "", location.pathname);
  loadDepartments();
  connect();
}
