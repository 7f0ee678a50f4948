// The ledger page: the file goes to the visits service through the workbench's proxy; the
// dry run's report is shown row by row, and an import's progress is read until it ends.
(() => {
  const form = document.getElementById("ledger-form");
  const out = document.getElementById("ledger-report");
  if (!form) return;
  const send = async (path) => {
    const file = form.elements.file.files[0];
    if (!file) { out.textContent = "请先选择台账文件（.xlsx）"; return null; }
    const station = encodeURIComponent(form.elements.station_id.value);
    const r = await fetch(`/api/visits/ledger/households/${path}?station_id=${station}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/octet-stream",
        "X-Workbench": "1",
        "X-Workbench-Author": document.body.dataset.user || "", /* sent now, by whoever is signed in */
      },
      body: await file.arrayBuffer(),
    });
    return { status: r.status, body: await r.json() };
  };
  const report = (rep) => {
    out.replaceChildren();
    const p = document.createElement("p");
    p.textContent = `共${rep.rows}行，合格${rep.valid}行，问题${rep.problem_count}处` +
      (rep.existing ? `，本站已有${rep.existing}户（导入时跳过）` : "");
    out.append(p);
    if (!rep.problems.length) return;
    const table = document.createElement("table");
    table.innerHTML = "<thead><tr><th>行</th><th>列</th><th>规则</th><th>说明</th></tr></thead>";
    const body = document.createElement("tbody");
    for (const x of rep.problems) {
      const tr = document.createElement("tr");
      for (const v of [x.row, x.column, x.rule, x.message]) {
        const td = document.createElement("td"); td.textContent = v; tr.append(td);
      }
      body.append(tr);
    }
    table.append(body); out.append(table);
  };
  const follow = async (id) => {
    for (;;) {
      const p = await (await fetch(`/api/visits/ledger/households/imports/${id}`)).json();
      out.textContent = `导入${p.status === "running" ? "中" : p.status === "done" ? "完成" : "中断（可再次导入同一文件继续）"}：` +
        `${p.rows_done}/${p.rows_total}行（${p.percent}%），新增${p.rows_added}户，已导入过${p.rows_repeated}行，本站已有${p.rows_existing}户`;
      if (p.status !== "running") return;
      await new Promise((ok) => setTimeout(ok, 1000));
    }
  };
  form.addEventListener("click", async (e) => {
    const action = e.target.dataset && e.target.dataset.action;
    if (!action) return;
    const answer = await send(action === "import" ? "imports" : "dry-run");
    if (!answer) return;
    if (answer.status === 201) return follow(answer.body.import_id);
    if (answer.body.report) return report(answer.body.report);
    if (answer.status === 200) return report(answer.body);
    out.textContent = answer.body.detail || "出错了";
  });
})();
