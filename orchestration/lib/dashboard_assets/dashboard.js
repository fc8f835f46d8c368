/* The dashboard's charts: plain SVG drawn from the JSON embedded in the page, no library, no network.
   Every chart container carries data-chart, data-status (ok / empty / error) and data-marks (the
   number of data marks drawn) so a headless browser can check that each one rendered with data. */
(function () {
  "use strict";

  const DATA = JSON.parse(document.getElementById("dashboard-data").textContent);
  const SVG_NS = "http://www.w3.org/2000/svg";
  const WIDE = 960, NARROW = 480;
  const DAY_MS = 86400000;
  const MARGIN = { top: 12, right: 16, bottom: 30, left: 48 };

  const I18N = {
    fr: {
      votes: "votes", polls: "sondages", month: "mois", date: "Date", kind: "Nature", title: "Objet",
      for: "Pour", against: "Contre", abstain: "Abstention", legislature: "législature",
      average: "moyenne", model: "modèle", joint_list: "liste commune", sum_of_parties: "somme des partis", band: "bande", members: "membres", none: "aucune donnée",
      published: "Publiée le", revision: "Révision git", versions: "Versions", newestVotes: "Dernier scrutin chargé",
      source: "Source", loaded: "Chargée le", size: "Taille (octets)", faultCount: "votes de fracture",
      anomaly: "Anomalie", count: "Nombre", examples: "Exemples", rule: "Règle appliquée", polls_feeds: "sondages",
      dimension: "dimension", deputies: "député·es",
      coalition: "Coalition gagnante", share: "Part", governmentWon: "Gouvernement gagnant", allianceWon: "Alliance gagnante",
      yes: "oui", no: "non", won: "gagnés",
    },
    en: {
      votes: "votes", polls: "polls", month: "month", date: "Date", kind: "Kind", title: "Title",
      for: "For", against: "Against", abstain: "Abstain", legislature: "legislature",
      average: "average", model: "model", joint_list: "joint list", sum_of_parties: "sum of its parties", band: "band", members: "members", none: "no data",
      published: "Published at", revision: "Git revision", versions: "Versions", newestVotes: "Newest vote loaded",
      source: "Source", loaded: "Loaded at", size: "Size (bytes)", faultCount: "fault-line votes",
      anomaly: "Anomaly", count: "Count", examples: "Examples", rule: "Rule applied", polls_feeds: "polls",
      dimension: "dimension", deputies: "deputies",
      coalition: "Winning coalition", share: "Share", governmentWon: "Government won", allianceWon: "Alliance won",
      yes: "yes", no: "no", won: "won",
    },
  };
  const GROUP_COLORS = {
    LFI: "#c9184a", SOC: "#f08080", ECO: "#2e9e44", GDR: "#8b0000", RE: "#e6b800", EPR: "#e6b800",
    RN: "#0d2c6c", LR: "#2f6db5", DR: "#2f6db5", DEM: "#f08c00", HOR: "#4b3fb5", LIOT: "#a0845c",
    UDR: "#3a3f58", NI: "#9aa3ad", NUPES: "#b5174b", NFP: "#d6336c",
  };
  const PALETTE = ["#c9184a", "#2f6db5", "#2e9e44", "#f08c00", "#6f42c1", "#8b0000", "#17a2b8", "#795548",
    "#e83e8c", "#495057", "#b8860b", "#20c997", "#5c7cfa", "#a61e4d"];

  let lang = window.location.hash === "#en" ? "en" : "fr";
  const t = (key) => I18N[lang][key];

  /* ---------- small helpers ---------- */
  function svgEl(tag, attrs, parent) {
    const node = document.createElementNS(SVG_NS, tag);
    Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, value));
    if (parent) parent.appendChild(node);
    return node;
  }
  function htmlEl(tag, attrs, parent, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, value));
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function addTitle(node, text) { svgEl("title", {}, node).textContent = text; }
  function scale(domain, range) {
    const [d0, d1] = domain, [r0, r1] = range;
    const span = d1 - d0 || 1;
    return (value) => r0 + ((value - d0) / span) * (r1 - r0);
  }
  const toTime = (isoDate) => new Date(isoDate + "T00:00:00Z").getTime();
  const pct = (share) => (share === null || share === undefined ? "—" : (share * 100).toFixed(1) + " %");
  const pctPoints = (value) => (value === null || value === undefined ? "—" : Number(value).toFixed(1) + " %");
  const monthLabel = (isoDate) =>
    new Date(isoDate + "T00:00:00Z").toLocaleDateString(lang === "fr" ? "fr-FR" : "en-GB", { month: "short", year: "numeric", timeZone: "UTC" });
  const colorOf = (code, index) => GROUP_COLORS[code] || PALETTE[index % PALETTE.length];
  function groupBy(rows, keyOf) {
    const groups = new Map();
    rows.forEach((row) => {
      const key = keyOf(row);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(row);
    });
    return groups;
  }
  function drawLegend(container, entries) {
    if (!container) return;
    container.replaceChildren();
    entries.forEach(({ label, color }) => {
      const item = htmlEl("span", {}, container);
      htmlEl("span", { class: "swatch", style: "background:" + color }, item);
      item.appendChild(document.createTextNode(label));
    });
  }
  function niceTicks(min, max, count) {
    const step = Math.pow(10, Math.floor(Math.log10((max - min) / count || 1)));
    const multiple = [1, 2, 2.5, 5, 10].find((m) => (max - min) / (step * m) <= count) || 10;
    const size = step * multiple;
    const ticks = [];
    for (let tick = Math.ceil(min / size) * size; tick <= max + 1e-9; tick += size) ticks.push(+tick.toFixed(10));
    return ticks;
  }
  function monthTicks(minTime, maxTime, maxTicks) {
    const start = new Date(minTime), end = new Date(maxTime);
    const months = (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth();
    const every = [1, 2, 3, 6, 12, 24].find((step) => months / step <= maxTicks) || 48;
    const ticks = [];
    const cursor = new Date(Date.UTC(start.getUTCFullYear(), Math.ceil(start.getUTCMonth() / every) * every, 1));
    while (cursor.getTime() <= maxTime) {
      if (cursor.getTime() >= minTime) ticks.push(cursor.toISOString().slice(0, 10));
      cursor.setUTCMonth(cursor.getUTCMonth() + every);
    }
    return ticks;
  }

  function lineSegments(points, maxGapDays) {
    const segments = [];
    points.forEach((point, index) => {
      const gap = index ? (toTime(point.date) - toTime(points[index - 1].date)) / DAY_MS : 0;
      if (!index || gap > maxGapDays) segments.push([]);
      segments[segments.length - 1].push(point);
    });
    return segments;
  }

  /* ---------- a time chart: lines, bands and points on a shared time axis ---------- */
  /* spec: { series: [{ label, color, points: [{ date, value, tip }], line, maxGapDays, onClick }],
             bands: [{ color, points: [{ date, low, high }] }], yFormat, width, height }
     A series' line breaks where two points are more than maxGapDays apart (no line across a gap). */
  function timeChart(plot, spec) {
    const points = spec.series.flatMap((series) => series.points);
    if (!points.length) return 0;
    const height = spec.height || 300;
    const width = spec.width || WIDE;
    const times = points.map((p) => toTime(p.date));
    const values = points.map((p) => p.value).concat(
      (spec.bands || []).flatMap((band) => band.points.flatMap((p) => [p.low, p.high])));
    // A single date gets a month either side, so its points sit in the middle.
    const pad = Math.max(...times) === Math.min(...times) ? 30 * DAY_MS : 0;
    const [minTime, maxTime] = [Math.min(...times) - pad, Math.max(...times) + pad];
    const yTicks = niceTicks(Math.min(...values), Math.max(...values), 5);
    const yDomain = [Math.min(yTicks[0], Math.min(...values)), Math.max(yTicks[yTicks.length - 1], Math.max(...values))];
    const x = scale([minTime, maxTime], [MARGIN.left, width - MARGIN.right]);
    const y = scale(yDomain, [height - MARGIN.bottom, MARGIN.top]);
    const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" }, plot);
    const axis = svgEl("g", { class: "axis" }, svg);
    yTicks.forEach((tick) => {
      svgEl("line", { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(tick), y2: y(tick) }, axis);
      svgEl("text", { x: MARGIN.left - 6, y: y(tick) + 4, "text-anchor": "end" }, axis).textContent = spec.yFormat(tick);
    });
    monthTicks(minTime, maxTime, Math.floor(width / 120)).forEach((tick) => {
      svgEl("text", { x: x(toTime(tick)), y: height - 8, "text-anchor": "middle" }, axis).textContent = monthLabel(tick);
    });
    (spec.bands || []).forEach((band) => {
      const upper = band.points.map((p) => `${x(toTime(p.date))},${y(p.high)}`);
      const lower = band.points.slice().reverse().map((p) => `${x(toTime(p.date))},${y(p.low)}`);
      svgEl("polygon", { class: "band", fill: band.color, points: upper.concat(lower).join(" ") }, svg);
    });
    let marks = 0;
    spec.series.forEach((series) => {
      if (series.line !== false) {
        lineSegments(series.points, series.maxGapDays || Infinity).filter((segment) => segment.length > 1).forEach((segment) => {
          const path = segment.map((p) => `${x(toTime(p.date))},${y(p.value)}`).join(" ");
          svgEl("polyline", { class: series.thin ? "series-line thin" : "series-line", stroke: series.color, points: path }, svg);
        });
      }
      series.points.forEach((point) => {
        const dot = svgEl("circle", {
          cx: x(toTime(point.date)), cy: y(point.value), r: series.radius || 3, fill: series.color,
          "fill-opacity": series.line === false ? 0.55 : 1, class: series.onClick ? "clickable" : "",
        }, svg);
        addTitle(dot, point.tip);
        if (series.onClick) dot.addEventListener("click", () => series.onClick(point));
        marks += 1;
      });
    });
    return marks;
  }

  /* ---------- a heatmap: rows x columns of shares in [0, 1] ---------- */
  /* spec: { title, rows: [{ key, label }], cols: [{ key, label }], cell(rowKey, colKey) -> { value, tip } | null } */
  function heatmap(plot, spec) {
    const panel = htmlEl("div", { class: "panel" }, plot);
    htmlEl("h4", {}, panel, spec.title);
    const cellWidth = 46, cellHeight = 24;
    const labelWidth = spec.rowLabelWidth || 60, labelHeight = 24;
    const width = labelWidth + spec.cols.length * cellWidth;
    const height = labelHeight + spec.rows.length * cellHeight;
    const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", style: `max-width:${width}px` }, panel);
    spec.cols.forEach((col, index) => {
      svgEl("text", { class: "col-label", x: labelWidth + (index + 0.5) * cellWidth, y: 14, "text-anchor": "middle" }, svg)
        .textContent = col.label;
    });
    let marks = 0;
    spec.rows.forEach((row, rowIndex) => {
      const top = labelHeight + rowIndex * cellHeight;
      const rowLabel = svgEl("text", { class: "row-label", x: labelWidth - 6, y: top + cellHeight / 2 + 4, "text-anchor": "end" }, svg);
      rowLabel.textContent = row.label;
      if (row.tip) addTitle(rowLabel, row.tip);
      spec.cols.forEach((col, colIndex) => {
        const cell = spec.cell(row.key, col.key);
        if (!cell || cell.value === null || cell.value === undefined) return;
        const left = labelWidth + colIndex * cellWidth;
        const rect = svgEl("rect", {
          x: left + 1, y: top + 1, width: cellWidth - 2, height: cellHeight - 2,
          fill: `hsl(340, 70%, ${Math.round(96 - cell.value * 56)}%)`,
        }, svg);
        addTitle(rect, cell.tip);
        svgEl("text", { class: cell.value > 0.6 ? "cell-label dark" : "cell-label", x: left + cellWidth / 2, y: top + cellHeight / 2 }, svg)
          .textContent = Math.round(cell.value * 100);
        marks += 1;
      });
    });
    return marks;
  }

  /* ---------- the charts ---------- */
  const legislatureTitle = (legislature) => (lang === "fr" ? `${legislature}e ${t("legislature")}` : `${legislature}th ${t("legislature")}`);

  function drawCohesionMonthly(plot, figure) {
    const series = [...groupBy(DATA.cohesion_monthly, (row) => `${row.legislature}-${row.group_code}`).values()]
      .map((rows) => ({
        label: rows[0].group_code,
        color: colorOf(rows[0].group_code, 0),
        points: rows.map((row) => ({
          date: row.month, value: row.mean_agreement_index,
          tip: `${row.group_code} ${monthLabel(row.month)}: ${row.mean_agreement_index.toFixed(3)} (${row.n_votes} ${t("votes")})`,
        })),
      }));
    drawLegend(figure.querySelector(".legend"),
      [...new Map(series.map((s) => [s.label, s])).values()].map(({ label, color }) => ({ label, color })));
    return timeChart(plot, { series, yFormat: (v) => v.toFixed(2) });
  }

  function groupOrder(legislature) {
    return DATA.groups.filter((group) => group.legislature === legislature)
      .sort((a, b) => (a.bloc ? 0 : 1) - (b.bloc ? 0 : 1) || a.group_code.localeCompare(b.group_code));
  }

  function drawPairwiseAgreement(plot) {
    let marks = 0;
    groupBy(DATA.pairwise_agreement, (row) => row.legislature).forEach((rows, legislature) => {
      const byPair = new Map(rows.flatMap((row) => [[`${row.group_code_a}|${row.group_code_b}`, row], [`${row.group_code_b}|${row.group_code_a}`, row]]));
      const groups = groupOrder(legislature).map((group) => ({ key: group.group_code, label: group.group_code, tip: group.group_name }))
        .filter((group) => rows.some((row) => row.group_code_a === group.key || row.group_code_b === group.key));
      marks += heatmap(plot, {
        title: legislatureTitle(legislature), rows: groups, cols: groups,
        cell: (a, b) => {
          const row = byPair.get(`${a}|${b}`);
          return row && { value: row.agreement_rate, tip: `${a} – ${b}: ${pct(row.agreement_rate)} (${row.n_agree} / ${row.n_votes} ${t("votes")})` };
        },
      });
    });
    return marks;
  }

  let selectFaultLineMonth = () => {};

  function drawUnanimityMonthly(plot, figure) {
    const series = [...groupBy(DATA.unanimity_monthly, (row) => `${row.legislature}-${row.bloc}`).values()].map((rows) => ({
      label: rows[0].bloc, color: colorOf(rows[0].bloc, 0), radius: 4,
      onClick: (point) => selectFaultLineMonth(point.key),
      points: rows.map((row) => ({
        date: row.month, value: row.unanimity_rate, key: `${row.legislature}|${row.bloc}|${row.month}`,
        tip: `${row.bloc} ${monthLabel(row.month)}: ${pct(row.unanimity_rate)} (${row.n_unanimous} / ${row.n_votes} ${t("votes")})`,
      })),
    }));
    drawLegend(figure.querySelector(".legend"), series.filter((s, i) => series.findIndex((o) => o.label === s.label) === i));
    return timeChart(plot, { series, yFormat: (v) => Math.round(v * 100) + " %" });
  }

  function drawFaultLines(plot, figure) {
    const byMonth = groupBy(DATA.fault_lines, (row) => `${row.legislature}|${row.bloc}|${row.month}`);
    const select = figure.querySelector("select");
    const keys = [...byMonth.keys()].sort();
    if (!keys.length) return 0;
    // Opens on the month with the most fault-line votes: a low rate on a handful of votes says less.
    const worstMonth = keys.reduce((worst, key) => (byMonth.get(key).length > byMonth.get(worst).length ? key : worst), keys[0]);
    const current = keys.includes(select.value) ? select.value : worstMonth;
    select.replaceChildren(...keys.map((key) => {
      const [legislature, bloc, month] = key.split("|");
      const option = htmlEl("option", { value: key }, null,
        `${bloc} (${legislature}) ${monthLabel(month)}: ${byMonth.get(key).length} ${t("faultCount")}`);
      return option;
    }));
    select.value = current;
    const render = () => {
      const rows = byMonth.get(select.value) || [];
      const table = htmlEl("table");
      const head = htmlEl("tr", {}, htmlEl("thead", {}, table));
      [t("date"), t("kind"), t("title"), t("for"), t("against"), t("abstain")].forEach((label) => htmlEl("th", {}, head, label));
      const body = htmlEl("tbody", {}, table);
      rows.forEach((row) => {
        const line = htmlEl("tr", { "data-scrutin": row.scrutin_uid }, body);
        [row.vote_date, row.vote_kind, row.title, row.groups_for, row.groups_against, row.groups_abstain]
          .forEach((value) => htmlEl("td", {}, line, value || ""));
      });
      plot.replaceChildren(table);
      return rows.length;
    };
    select.onchange = () => { figure.dataset.marks = String(render()); };
    selectFaultLineMonth = (key) => {
      if (!byMonth.has(key)) return;
      select.value = key;
      select.onchange();
      figure.scrollIntoView({ behavior: "smooth", block: "nearest" });
    };
    return render();
  }

  function drawCensureMotions(plot) {
    let marks = 0;
    groupBy(DATA.censure_motions, (row) => row.legislature).forEach((rows, legislature) => {
      const byCell = new Map(rows.map((row) => [`${row.scrutin_uid}|${row.group_code}`, row]));
      const motions = [...groupBy(rows, (row) => row.scrutin_uid).values()].map((motionRows) => ({
        key: motionRows[0].scrutin_uid, label: motionRows[0].vote_date, tip: motionRows[0].title,
      }));
      const groups = groupOrder(legislature).map((group) => ({ key: group.group_code, label: group.group_code }))
        .filter((group) => rows.some((row) => row.group_code === group.key));
      marks += heatmap(plot, {
        title: legislatureTitle(legislature), rows: motions, cols: groups, rowLabelWidth: 80,
        cell: (motion, group) => {
          const row = byCell.get(`${motion}|${group}`);
          return row && { value: row.share_for, tip: `${group}: ${row.n_for} / ${row.members} ${t("members")} (${pct(row.share_for)})\n${row.title}` };
        },
      });
    });
    return marks;
  }

  /* The model's level (line) with its 90 % band, the window average as a thin line, every poll
     as a dot coloured by pollster. */
  function drawPollAverage(plot, figure) {
    const models = [...groupBy(DATA.poll_model, (row) => `${row.alliance}|${row.election}`).values()];
    const modelSeries = models.map((rows, index) => ({
      label: `${rows[0].alliance} ${rows[0].election} (${t("model")})`, color: colorOf(rows[0].alliance, index),
      radius: 1, maxGapDays: 1,
      points: rows.map((row) => ({
        date: row.day, value: row.level_pct,
        tip: `${rows[0].alliance} ${row.day}: ${pctPoints(row.level_pct)} [${pctPoints(row.low_90)} ; ${pctPoints(row.high_90)}] (${row.n_polls_used} ${t("polls")})`,
      })),
    }));
    const averages = [...groupBy(DATA.poll_average, (row) => row.alliance).values()];
    const averageSeries = averages.map((rows) => ({
      label: `${rows[0].alliance} (${t("average")})`, color: "#5b6572", radius: 0.5, maxGapDays: 1, thin: true,
      points: rows.map((row) => ({
        date: row.day, value: row.average_pct,
        tip: `${rows[0].alliance} ${row.day}: ${pctPoints(row.average_pct)} (${row.n_polls} ${t("polls")})`,
      })),
    }));
    const pollSeries = [...groupBy(DATA.poll_points, (row) => row.pollster).values()].map((rows, index) => ({
      label: rows[0].pollster, line: false, radius: 3.5, color: PALETTE[index % PALETTE.length],
      points: rows.map((row) => ({
        date: row.date, value: row.value_pct,
        tip: `${row.pollster} ${row.date}: ${pctPoints(row.value_pct)} — ${row.hypothesis} (${t(row.share_method)})`,
      })),
    }));
    const bands = models.map((rows, index) => ({
      color: colorOf(rows[0].alliance, index),
      points: rows.map((row) => ({ date: row.day, low: row.low_90, high: row.high_90 })),
    }));
    const series = modelSeries.concat(averageSeries, pollSeries);
    drawLegend(figure.querySelector(".legend"), series);
    return timeChart(plot, { series, bands, yFormat: (v) => v.toFixed(0) + " %" });
  }

  function drawLeft2027(plot, figure) {
    const candidates = [...groupBy(DATA.left_2027, (row) => row.candidate).values()];
    const series = candidates.map((rows, index) => ({
      label: rows[0].candidate, color: PALETTE[index % PALETTE.length], radius: 1, maxGapDays: 1,
      points: rows.map((row) => ({
        date: row.day, value: row.level_pct,
        tip: `${row.candidate} ${row.day}: ${pctPoints(row.level_pct)} [${pctPoints(row.low_90)} ; ${pctPoints(row.high_90)}]`,
      })),
    }));
    const bands = candidates.map((rows, index) => ({
      color: PALETTE[index % PALETTE.length],
      points: rows.map((row) => ({ date: row.day, low: row.low_90, high: row.high_90 })),
    }));
    drawLegend(figure.querySelector(".legend"), series);
    return timeChart(plot, { series, bands, yFormat: (v) => v.toFixed(0) + " %" });
  }

  /* One panel per series: each pollster's house effect (dot) and its 90 % interval (bar), 0 marked. */
  function drawHouseEffects(plot) {
    let marks = 0;
    groupBy(DATA.house_effects, (row) => `${row.alliance} ${row.election}`).forEach((rows, title) => {
      const panel = htmlEl("div", { class: "panel" }, plot);
      htmlEl("h4", {}, panel, title);
      const rowHeight = 22, labelWidth = 150, width = NARROW, height = rows.length * rowHeight + MARGIN.bottom;
      const extent = Math.max(1, ...rows.flatMap((row) => [Math.abs(row.low_90), Math.abs(row.high_90)]));
      const x = scale([-extent, extent], [labelWidth, width - MARGIN.right]);
      const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" }, panel);
      const axis = svgEl("g", { class: "axis" }, svg);
      svgEl("line", { x1: x(0), x2: x(0), y1: 0, y2: rows.length * rowHeight }, axis);
      niceTicks(-extent, extent, 5).forEach((tick) => {
        svgEl("text", { x: x(tick), y: height - 8, "text-anchor": "middle" }, axis).textContent = tick.toFixed(0);
      });
      rows.forEach((row, index) => {
        const middle = index * rowHeight + rowHeight / 2;
        svgEl("text", { class: "row-label", x: labelWidth - 6, y: middle + 4, "text-anchor": "end" }, svg).textContent = row.pollster;
        svgEl("line", { class: "error-bar", x1: x(row.low_90), x2: x(row.high_90), y1: middle, y2: middle }, svg);
        const dot = svgEl("circle", { cx: x(row.house_effect_pts), cy: middle, r: 4, fill: colorOf(row.alliance, 0) }, svg);
        addTitle(dot, `${row.pollster}: ${row.house_effect_pts.toFixed(2)} pts [${row.low_90.toFixed(2)} ; ${row.high_90.toFixed(2)}] (${row.n_polls} ${t("polls")})`);
        marks += 1;
      });
    });
    return marks;
  }

  function drawLeaderBarometers(plot, figure) {
    const leaders = [...new Set(DATA.leader_barometers.map((row) => row.leader))].sort();
    const leaderColor = (leader) => PALETTE[leaders.indexOf(leader) % PALETTE.length];
    drawLegend(figure.querySelector(".legend"), leaders.map((leader) => ({ label: leader, color: leaderColor(leader) })));
    let marks = 0;
    const seriesKey = (row) => [row.pollster, row.metric.replaceAll("_", " "), row.population === "all" ? "" : `(${row.population.replaceAll("_", " ")})`].join(" ").trim();
    groupBy(DATA.leader_barometers, seriesKey).forEach((rows, title) => {
      const panel = htmlEl("div", { class: "panel" }, plot);
      htmlEl("h4", {}, panel, title);
      const series = [...groupBy(rows, (row) => row.leader).values()].map((leaderRows) => ({
        label: leaderRows[0].leader, color: leaderColor(leaderRows[0].leader),
        points: leaderRows.map((row) => ({ date: row.date, value: row.value_pct, tip: `${row.leader} ${row.date}: ${pctPoints(row.value_pct)}` })),
      }));
      marks += timeChart(panel, { series, width: NARROW, height: 240, yFormat: (v) => v.toFixed(0) + " %" });
    });
    return marks;
  }

  function drawPublication(plot) {
    const publication = DATA.publication;
    if (!publication) return 0;
    const facts = htmlEl("dl", { class: "facts" }, plot);
    const newest = (publication.newest_vote_dates || []).map((row) => `${row.legislature}: ${row.newest_vote_date}`).join(", ");
    [[t("published"), publication.published_at], [t("revision"), publication.git_revision || "—"],
     [t("versions"), `dbt ${publication.dbt_version}, DuckDB ${publication.duckdb_version}`], [t("newestVotes"), newest]]
      .forEach(([term, value]) => { htmlEl("dt", {}, facts, term); htmlEl("dd", {}, facts, value); });
    const table = htmlEl("table", {}, htmlEl("div", { class: "table-scroll" }, plot));
    const head = htmlEl("tr", {}, htmlEl("thead", {}, table));
    [t("source"), "sha256", t("size"), t("loaded")].forEach((label) => htmlEl("th", {}, head, label));
    const body = htmlEl("tbody", {}, table);
    publication.source_versions.forEach((source) => {
      const line = htmlEl("tr", {}, body);
      htmlEl("td", { title: source.url }, line, source.source_key);
      [source.sha256.slice(0, 12), String(source.size_bytes), source.loaded_at].forEach((value) => htmlEl("td", {}, line, value));
    });
    return publication.source_versions.length;
  }

  /* ---------- ideal points ---------- */
  /* Alliance groups are drawn opaque and on top, the other groups faded behind them. */
  const isAlliance = (row) => row.bloc !== null && row.bloc !== undefined;
  function deputyTip(row) {
    const interval = (value, low, high) => `${value.toFixed(2)} [${low.toFixed(2)} ; ${high.toFixed(2)}]`;
    return `${row.full_name || row.deputy_uid} (${row.group_code}) — ${t("dimension")} 1 : ${interval(row.dim1, row.dim1_low, row.dim1_high)}, `
      + `${t("dimension")} 2 : ${interval(row.dim2, row.dim2_low, row.dim2_high)} (${row.n_votes} ${t("votes")})`;
  }
  function idealPointLegend(figure) {
    const groups = [...new Map(DATA.ideal_points.map((row) => [row.group_code, row])).values()]
      .sort((a, b) => (isAlliance(a) ? 0 : 1) - (isAlliance(b) ? 0 : 1) || a.group_code.localeCompare(b.group_code));
    drawLegend(figure.querySelector(".legend"), groups.map((row) => ({ label: row.group_code, color: colorOf(row.group_code, 0) })));
  }
  /* spec: { title, points: [{ x, y, color, emphasis, tip }], xLabel, yLabel, yTicks: false | undefined, rowLabels } */
  function scatter(plot, spec) {
    const panel = htmlEl("div", { class: "panel" }, plot);
    htmlEl("h4", {}, panel, spec.title);
    const width = NARROW, height = spec.height || 320;
    const xs = spec.points.map((p) => p.x), ys = spec.points.map((p) => p.y);
    const xTicks = niceTicks(Math.min(...xs), Math.max(...xs), 6);
    const x = scale([Math.min(xTicks[0], ...xs), Math.max(xTicks[xTicks.length - 1], ...xs)], [MARGIN.left, width - MARGIN.right]);
    const y = scale([Math.min(...ys) - 0.5, Math.max(...ys) + 0.5], [height - MARGIN.bottom, MARGIN.top]);
    const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" }, panel);
    const axis = svgEl("g", { class: "axis" }, svg);
    xTicks.forEach((tick) => {
      svgEl("line", { x1: x(tick), x2: x(tick), y1: MARGIN.top, y2: height - MARGIN.bottom }, axis);
      svgEl("text", { x: x(tick), y: height - 14, "text-anchor": "middle" }, axis).textContent = tick.toFixed(1);
    });
    svgEl("text", { x: width - MARGIN.right, y: height - 1, "text-anchor": "end" }, axis).textContent = spec.xLabel;
    (spec.rowLabels || []).forEach(({ label, value }) => {
      svgEl("text", { x: MARGIN.left - 6, y: y(value) + 4, "text-anchor": "end" }, axis).textContent = label;
    });
    if (spec.yLabel) svgEl("text", { x: 2, y: MARGIN.top - 2 }, axis).textContent = spec.yLabel;
    const sorted = spec.points.slice().sort((a, b) => a.emphasis - b.emphasis);
    sorted.forEach((point) => {
      const dot = svgEl("circle", {
        cx: x(point.x), cy: y(point.y), r: point.emphasis ? 3.5 : 2.5, fill: point.color,
        "fill-opacity": point.emphasis ? 0.9 : 0.3,
      }, svg);
      addTitle(dot, point.tip);
    });
    return sorted.length;
  }

  function drawIdealPointsLine(plot, figure) {
    idealPointLegend(figure);
    let marks = 0;
    groupBy(DATA.ideal_points, (row) => row.legislature).forEach((rows, legislature) => {
      const groups = [...new Set(rows.map((row) => row.group_code))]
        .sort((a, b) => median(rows, a) - median(rows, b));
      const rowOf = new Map(groups.map((code, index) => [code, groups.length - 1 - index]));
      // A deputy's row is their group's, spread vertically by a fixed pseudo-random jitter.
      const jitter = (uid) => ((parseInt(uid.replace(/\D/g, ""), 10) % 97) / 97 - 0.5) * 0.6;
      marks += scatter(plot, {
        title: legislatureTitle(legislature), xLabel: `${t("dimension")} 1`, height: 40 + 26 * groups.length,
        rowLabels: groups.map((code) => ({ label: code, value: rowOf.get(code) })),
        points: rows.map((row) => ({
          x: row.dim1, y: rowOf.get(row.group_code) + jitter(row.deputy_uid), color: colorOf(row.group_code, 0),
          emphasis: isAlliance(row), tip: deputyTip(row),
        })),
      });
    });
    return marks;
  }
  function median(rows, groupCode) {
    const values = rows.filter((row) => row.group_code === groupCode).map((row) => row.dim1).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)];
  }

  function drawIdealPointsPlane(plot, figure) {
    idealPointLegend(figure);
    let marks = 0;
    groupBy(DATA.ideal_points, (row) => row.legislature).forEach((rows, legislature) => {
      marks += scatter(plot, {
        title: legislatureTitle(legislature), xLabel: `${t("dimension")} 1`, yLabel: `${t("dimension")} 2`,
        rowLabels: niceTicks(Math.min(...rows.map((r) => r.dim2)), Math.max(...rows.map((r) => r.dim2)), 5)
          .map((tick) => ({ label: tick.toFixed(1), value: tick })),
        points: rows.map((row) => ({
          x: row.dim1, y: row.dim2, color: colorOf(row.group_code, 0), emphasis: isAlliance(row), tip: deputyTip(row),
        })),
      });
    });
    return marks;
  }

  /* Each alliance group's median per half-year, at the half-year's middle, with its interval. */
  function drawIdealPointDrift(plot, figure) {
    const byGroup = [...groupBy(DATA.ideal_point_drift, (row) => `${row.legislature}-${row.group_code}`).values()];
    drawLegend(figure.querySelector(".legend"),
      [...new Map(byGroup.map((rows) => [rows[0].group_code, rows[0]])).values()]
        .map((row) => ({ label: row.group_code, color: colorOf(row.group_code, 0) })));
    let marks = 0;
    [1, 2].forEach((dimension) => {
      const panel = htmlEl("div", { class: "panel" }, plot);
      htmlEl("h4", {}, panel, `${t("dimension")} ${dimension}`);
      const key = `dim${dimension}_median`;
      const middle = (row) => new Date(toTime(row.period_start) + 91 * DAY_MS).toISOString().slice(0, 10);
      marks += timeChart(panel, {
        width: WIDE, height: 240, yFormat: (v) => v.toFixed(1),
        series: byGroup.map((rows) => ({
          label: rows[0].group_code, color: colorOf(rows[0].group_code, 0), maxGapDays: 200,
          points: rows.map((row) => ({
            date: middle(row), value: row[key],
            tip: `${row.group_code} ${row.period}: ${row[key].toFixed(2)} [${row[key + "_low"].toFixed(2)} ; ${row[key + "_high"].toFixed(2)}] (${row.n_deputies} ${t("deputies")})`,
          })),
        })),
        bands: byGroup.map((rows) => ({
          color: colorOf(rows[0].group_code, 0),
          points: rows.map((row) => ({ date: middle(row), low: row[key + "_low"], high: row[key + "_high"] })),
        })),
      });
    });
    return marks;
  }

  function drawSourceAnomalies(plot) {
    const table = htmlEl("table", {}, htmlEl("div", { class: "table-scroll" }, plot));
    const head = htmlEl("tr", {}, htmlEl("thead", {}, table));
    [t("legislature"), t("anomaly"), t("count"), t("examples"), t("rule")].forEach((label) => htmlEl("th", {}, head, label));
    const body = htmlEl("tbody", {}, table);
    DATA.source_anomalies.forEach((row) => {
      const line = htmlEl("tr", {}, body);
      [row.legislature === null ? t("polls_feeds") : String(row.legislature), row.anomaly.replaceAll("_", " "),
       `${row.n_occurrences.toLocaleString(lang)} ${row.counted}`, row.example_keys.join(", "), row.rule_applied]
        .forEach((value) => htmlEl("td", {}, line, value));
    });
    return DATA.source_anomalies.length;
  }

  function drawGroupSuccessMonthly(plot, figure) {
    const series = [...groupBy(DATA.group_success_monthly, (row) => `${row.legislature}-${row.group_code}`).values()]
      .map((rows) => ({
        label: rows[0].group_code,
        color: colorOf(rows[0].group_code, 0),
        points: rows.map((row) => ({
          date: row.month, value: row.success_rate,
          tip: `${row.group_code} ${monthLabel(row.month)}: ${pct(row.success_rate)} (${row.n_won} / ${row.n_votes} ${t("votes")})`,
        })),
      }));
    drawLegend(figure.querySelector(".legend"),
      [...new Map(series.map((s) => [s.label, s])).values()].map(({ label, color }) => ({ label, color })));
    return timeChart(plot, { series, yFormat: (v) => Math.round(v * 100) + " %" });
  }

  function drawWinningCoalitions(plot) {
    const table = htmlEl("table", {}, htmlEl("div", { class: "table-scroll" }, plot));
    const head = htmlEl("tr", {}, htmlEl("thead", {}, table));
    [t("legislature"), t("coalition"), t("votes"), t("share"), t("governmentWon"), t("allianceWon")]
      .forEach((label) => htmlEl("th", {}, head, label));
    const body = htmlEl("tbody", {}, table);
    const yesNo = (flag) => (flag === null ? "—" : flag ? t("yes") : t("no"));
    DATA.winning_coalitions.forEach((row) => {
      const line = htmlEl("tr", {}, body);
      [String(row.legislature), row.winning_coalition, String(row.n_votes), pct(row.share), yesNo(row.government_won), yesNo(row.alliance_won)]
        .forEach((value) => htmlEl("td", {}, line, value));
    });
    return DATA.winning_coalitions.length;
  }

  function drawDeputyProximity(plot, figure) {
    const byDeputy = groupBy(DATA.deputy_proximity, (row) => `${row.legislature}|${row.deputy_uid}`);
    const select = figure.querySelector("select");
    const deputies = DATA.proximity_deputies;
    if (!deputies.length) return 0;
    const keyOf = (deputy) => `${deputy.legislature}|${deputy.deputy_uid}`;
    const current = deputies.some((deputy) => keyOf(deputy) === select.value) ? select.value : keyOf(deputies[0]);
    select.replaceChildren(...deputies.map((deputy) =>
      htmlEl("option", { value: keyOf(deputy) }, null, `${deputy.full_name} (${deputy.deputy_group_code}, ${deputy.legislature})`)));
    select.value = current;
    const render = () => {
      plot.replaceChildren();
      const deputy = deputies.find((candidate) => keyOf(candidate) === select.value);
      const rows = byDeputy.get(select.value) || [];
      const byGroup = new Map(rows.map((row) => [row.group_code, row]));
      return heatmap(plot, {
        title: `${deputy.full_name}, ${legislatureTitle(deputy.legislature)}`,
        rowLabelWidth: 90,
        rows: [{ key: deputy.deputy_uid, label: deputy.deputy_group_code || "" }],
        cols: groupOrder(deputy.legislature).filter((group) => byGroup.has(group.group_code))
          .map((group) => ({ key: group.group_code, label: group.group_code })),
        cell: (_, groupCode) => {
          const row = byGroup.get(groupCode);
          return { value: row.proximity_rate, tip: `${groupCode}: ${pct(row.proximity_rate)} (${row.n_agree} / ${row.n_votes} ${t("votes")})` };
        },
      });
    };
    select.onchange = () => { figure.dataset.marks = String(render()); };
    return render();
  }

  const CHARTS = {
    "cohesion-monthly": drawCohesionMonthly,
    "pairwise-agreement": drawPairwiseAgreement,
    "unanimity-monthly": drawUnanimityMonthly,
    "fault-lines": drawFaultLines,
    "censure-motions": drawCensureMotions,
    "poll-average": drawPollAverage,
    "poll-house-effects": drawHouseEffects,
    "left-2027": drawLeft2027,
    "leader-barometers": drawLeaderBarometers,
    "ideal-points-line": drawIdealPointsLine,
    "ideal-points-plane": drawIdealPointsPlane,
    "ideal-point-drift": drawIdealPointDrift,
    "group-success-monthly": drawGroupSuccessMonthly,
    "winning-coalitions": drawWinningCoalitions,
    "deputy-proximity": drawDeputyProximity,
    "publication": drawPublication,
    "source-anomalies": drawSourceAnomalies,
  };

  function renderAll() {
    Object.entries(CHARTS).forEach(([name, draw]) => {
      const figure = document.querySelector(`[data-chart="${name}"]`);
      const plot = figure.querySelector(".plot");
      plot.replaceChildren();
      try {
        const marks = draw(plot, figure);
        figure.dataset.marks = String(marks);
        figure.dataset.status = marks > 0 ? "ok" : "empty";
        if (!marks) htmlEl("p", { class: "empty" }, plot, t("none"));
      } catch (error) {
        figure.dataset.status = "error";
        window.recordDashboardError(`chart ${name}: ${error && error.stack ? error.stack : error}`);
      }
    });
    document.body.dataset.rendered = "true";
  }

  function setLanguage(next) {
    lang = next;
    document.documentElement.lang = next;
    document.documentElement.dataset.lang = next;
    renderAll();
  }

  (window.__earlyErrors || []).forEach((message) => window.recordDashboardError(message));
  document.getElementById("language-toggle").addEventListener("click", () => setLanguage(lang === "fr" ? "en" : "fr"));
  setLanguage(lang);
})();
