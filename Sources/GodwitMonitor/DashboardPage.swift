/// The live dashboard: one self-contained page (no CDN, no external script or font) that polls
/// `/state` every second and draws the run: the phases with the current one marked, a progress
/// bar, rows/s and probe-latency charts as inline SVG, lock waits and server activity, the gate
/// being waited on with its exact `approve` command, the rollback triggers and the audit tail.
/// Text from the run is set with `textContent`, never as markup.
enum DashboardPage {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Godwit — live migration</title>
    <style>
      :root { --ink: #1d2733; --muted: #5f6b7a; --line: #d9dee5; --ok: #1f7a4d; --warn: #a86400; --bad: #b3261e; --accent: #2357a6; }
      * { box-sizing: border-box; }
      body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0; background: #f5f7fa; }
      header { background: #fff; border-bottom: 1px solid var(--line); padding: 14px 24px; display: flex; gap: 16px; align-items: baseline; }
      header h1 { font-size: 18px; margin: 0; }
      main { padding: 16px 24px; display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 16px; }
      section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
      section h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 10px; }
      .badge { padding: 2px 10px; border-radius: 10px; font-weight: 600; font-size: 12px; background: #e8edf4; }
      .badge.running { background: #dfeafb; color: var(--accent); } .badge.finished { background: #dcf1e5; color: var(--ok); }
      .badge.waiting { background: #fbeed9; color: var(--warn); } .badge.failed, .badge.interrupted { background: #f9dedc; color: var(--bad); }
      .muted { color: var(--muted); }
      ol.phases { list-style: none; padding: 0; margin: 6px 0 12px; display: flex; flex-wrap: wrap; gap: 6px; }
      ol.phases li { padding: 3px 10px; border-radius: 4px; background: #eef1f5; color: var(--muted); }
      ol.phases li.done { background: #dcf1e5; color: var(--ok); }
      ol.phases li.current { background: var(--accent); color: #fff; font-weight: 600; }
      .bar { height: 18px; background: #eef1f5; border-radius: 9px; overflow: hidden; }
      .bar > div { height: 100%; background: var(--accent); width: 0; transition: width .4s; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 10px 0 0; }
      dt { color: var(--muted); } dd { margin: 0; font-variant-numeric: tabular-nums; }
      svg { width: 100%; height: 120px; background: #fafbfc; border: 1px solid var(--line); border-radius: 4px; }
      .gate { border-color: var(--warn); }
      code { background: #f0f2f5; padding: 2px 6px; border-radius: 4px; font-size: 13px; }
      ul.audit { list-style: none; padding: 0; margin: 0; font: 12px/1.5 ui-monospace, monospace; max-height: 260px; overflow: auto; }
      ul.audit li { border-bottom: 1px solid #f0f2f5; padding: 2px 0; word-break: break-word; }
      .fired { color: var(--bad); font-weight: 600; } .armed { color: var(--ok); }
    </style>
    </head>
    <body>
    <header>
      <h1>Godwit</h1>
      <span id="command" class="muted"></span>
      <span id="state" class="badge">connecting</span>
      <span id="updated" class="muted"></span>
    </header>
    <main>
      <section id="migrations-section">
        <h2>Migrations</h2>
        <div id="migrations"></div>
      </section>
      <section>
        <h2>Step under way</h2>
        <div id="step" class="muted">none</div>
        <div class="bar" style="margin-top:10px"><div id="bar"></div></div>
        <dl>
          <dt>Progress</dt><dd><span id="progress-percent">0</span>% — <span id="rows-done">0</span> of <span id="rows-total">0</span> rows</dd>
          <dt>Rate</dt><dd><span id="rows-per-second">0</span> rows/s</dd>
          <dt>Time left</dt><dd id="eta">—</dd>
          <dt>Batch size</dt><dd id="batch-size">—</dd>
          <dt>Last message</dt><dd id="last-message" class="muted">—</dd>
        </dl>
      </section>
      <section id="gate-section" class="gate" hidden>
        <h2>Waiting at a gate</h2>
        <div id="gate-reason"></div>
        <p id="gate-approve" hidden>To let it go on: <code id="gate-command"></code></p>
      </section>
      <section>
        <h2>Rows per second</h2>
        <svg id="rate-chart" viewBox="0 0 400 120" preserveAspectRatio="none"></svg>
      </section>
      <section>
        <h2>Probe latency (ms) against its baseline</h2>
        <svg id="probe-chart" viewBox="0 0 400 120" preserveAspectRatio="none"></svg>
        <dl><dt>Last probe</dt><dd id="probe-last">—</dd><dt>Baseline</dt><dd id="probe-baseline">—</dd></dl>
      </section>
      <section>
        <h2>Locks, retries, checks</h2>
        <dl>
          <dt>Lock waits (retried)</dt><dd id="lock-waits">0</dd>
          <dt>Retries</dt><dd id="retries">0</dd>
          <dt>Checks passed</dt><dd id="checks-passed">0</dd>
          <dt>Checks failed</dt><dd id="checks-failed">0</dd>
          <dt>Sessions waiting for a lock</dt><dd id="server-lock-waiting">—</dd>
          <dt>Longest lock wait</dt><dd id="server-lock-wait">—</dd>
          <dt>Transactions/s</dt><dd id="server-tps">—</dd>
          <dt>Rollbacks/s</dt><dd id="server-rollbacks">—</dd>
          <dt>Replication lag</dt><dd id="server-replication">—</dd>
          <dt>Long queries</dt><dd id="server-long-queries">—</dd>
          <dt>Sync lag</dt><dd id="sync-lag">—</dd>
        </dl>
      </section>
      <section>
        <h2>Rollback triggers</h2>
        <ul id="triggers" class="audit"></ul>
      </section>
      <section style="grid-column: 1 / -1">
        <h2>Audit log</h2>
        <ul id="audit" class="audit"></ul>
      </section>
    </main>
    <script>
    "use strict";
    const $ = (id) => document.getElementById(id);
    const number = (n) => Math.round(n).toLocaleString("en-US");
    function clock(seconds) {
      if (seconds == null || !isFinite(seconds)) return "—";
      const s = Math.round(seconds);
      return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor(s % 3600 / 60)).padStart(2, "0")}m`
                       : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
    }
    function chart(svg, samples, scale, baseline) {
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      const ns = "http://www.w3.org/2000/svg";
      const values = samples.map((s) => s.value * scale);
      const top = Math.max(1e-9, ...values, baseline != null ? baseline * 1.5 : 0);
      const y = (v) => 115 - (v / top) * 105;
      if (baseline != null) {
        const line = document.createElementNS(ns, "line");
        line.setAttribute("x1", "0"); line.setAttribute("x2", "400");
        line.setAttribute("y1", y(baseline)); line.setAttribute("y2", y(baseline));
        line.setAttribute("stroke", "#a86400"); line.setAttribute("stroke-dasharray", "4 3");
        svg.appendChild(line);
      }
      if (values.length === 0) return;
      const points = values.map((v, i) => `${values.length === 1 ? 200 : (i / (values.length - 1)) * 400},${y(v)}`);
      const path = document.createElementNS(ns, "polyline");
      path.setAttribute("points", points.join(" "));
      path.setAttribute("fill", "none"); path.setAttribute("stroke", "#2357a6"); path.setAttribute("stroke-width", "2");
      svg.appendChild(path);
      svg.setAttribute("data-points", String(values.length));
    }
    function list(element, items, draw) {
      while (element.firstChild) element.removeChild(element.firstChild);
      for (const item of items) element.appendChild(draw(item));
    }
    function render(view) {
      $("command").textContent = "godwit " + view.command;
      $("state").textContent = view.state;
      $("state").className = "badge " + view.state;
      $("updated").textContent = "updated " + new Date(view.updatedAt).toLocaleTimeString();
      list($("migrations"), view.migrations, (m) => {
        const block = document.createElement("div");
        block.className = "migration";
        block.dataset.state = m.state;
        const title = document.createElement("div");
        title.textContent = `${m.id} ${m.name} — ${m.state}` + (m.totalSteps ? ` (${m.completedSteps}/${m.totalSteps} steps)` : "");
        block.appendChild(title);
        const phases = document.createElement("ol");
        phases.className = "phases";
        const at = m.phase ? m.phases.indexOf(m.phase) : -1;
        m.phases.forEach((phase, i) => {
          const li = document.createElement("li");
          li.textContent = phase;
          const finished = m.state === "applied" || (i < at);
          li.className = finished ? "done" : (i === at ? "current" : "");
          phases.appendChild(li);
        });
        block.appendChild(phases);
        return block;
      });
      const current = view.current;
      $("step").textContent = current ? `${current.migration}${current.phase ? " · " + current.phase : ""}${current.step ? " · step " + current.step : ""}${current.title ? ": " + current.title : ""}` : "none";
      const p = view.progress;
      const percent = p && p.rowsTotal > 0 ? Math.min(100, (p.rowsDone / p.rowsTotal) * 100) : 0;
      $("bar").style.width = percent.toFixed(1) + "%";
      $("progress-percent").textContent = percent.toFixed(1);
      $("rows-done").textContent = p ? number(p.rowsDone) : "0";
      $("rows-total").textContent = p ? number(p.rowsTotal) : "0";
      $("rows-per-second").textContent = p ? number(p.rowsPerSecond) : "0";
      $("eta").textContent = p && p.rowsPerSecond > 0 ? clock((p.rowsTotal - p.rowsDone) / p.rowsPerSecond) : "—";
      $("batch-size").textContent = p && p.batchSize ? number(p.batchSize) : "—";
      $("last-message").textContent = view.lastMessage || "—";
      const gate = view.gate;
      $("gate-section").hidden = !gate;
      if (gate) {
        $("gate-reason").textContent = `${gate.migration}${gate.phase ? " before " + gate.phase : ""}: waiting for ${gate.reason}`;
        $("gate-approve").hidden = !gate.approveCommand;
        $("gate-command").textContent = gate.approveCommand || "";
      }
      chart($("rate-chart"), view.rates, 1, null);
      chart($("probe-chart"), view.probes, 1000, view.probeBaseline != null ? view.probeBaseline * 1000 : null);
      const last = view.probes.length ? view.probes[view.probes.length - 1].value : null;
      $("probe-last").textContent = last != null ? (last * 1000).toFixed(1) + " ms" : "—";
      $("probe-baseline").textContent = view.probeBaseline != null ? (view.probeBaseline * 1000).toFixed(1) + " ms" : "—";
      $("lock-waits").textContent = view.lockWaits;
      $("retries").textContent = view.retries;
      $("checks-passed").textContent = view.checksPassed;
      $("checks-failed").textContent = view.checksFailed;
      const s = view.server;
      $("server-lock-waiting").textContent = s ? s.lockWaitingSessions : "—";
      $("server-lock-wait").textContent = s ? s.longestLockWaitSeconds.toFixed(1) + " s" : "—";
      $("server-tps").textContent = s && s.transactionsPerSecond != null ? s.transactionsPerSecond.toFixed(1) : "—";
      $("server-rollbacks").textContent = s && s.rollbacksPerSecond != null ? s.rollbacksPerSecond.toFixed(1) : "—";
      $("server-replication").textContent = s && s.replicationLagBytes != null ? number(s.replicationLagBytes) + " bytes" : "none";
      $("server-long-queries").textContent = s ? s.longQueries : "—";
      $("sync-lag").textContent = view.syncLag != null ? number(view.syncLag) + " changes" : "—";
      list($("triggers"), view.triggers, (t) => {
        const li = document.createElement("li");
        li.className = t.fired ? "fired" : "armed";
        li.textContent = `${t.migration}: when ${t.summary}${t.action ? " → " + t.action : ""} — ${t.fired ? "FIRED" : "armed"}`;
        return li;
      });
      list($("audit"), view.audit, (line) => {
        const li = document.createElement("li");
        li.textContent = line;
        return li;
      });
    }
    async function poll() {
      try {
        const response = await fetch("/state", { cache: "no-store" });
        if (response.ok) render(await response.json());
      } catch (error) {
        $("state").textContent = "disconnected";
        $("state").className = "badge failed";
      }
    }
    // One request at a time, the next a second after the last answer: an older answer never
    // lands after a newer one.
    async function loop() {
      await poll();
      setTimeout(loop, 1000);
    }
    loop();
    </script>
    </body>
    </html>
    """#
}
