// Draws the report's charts with Chart.js from the JSON embedded in the page.
(function () {
  'use strict';
  const report = JSON.parse(document.getElementById('quiver-report').textContent);
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
  const measured = report.backends.filter(b => b.status === 'measured');
  const color = b => palette[report.backends.indexOf(b) % palette.length];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  const k = report.settings.k;

  // Recall versus throughput: one line per store and filter mode, one point per concurrency and ef.
  const recallSets = [];
  for (const b of measured) {
    for (const filtered of [false, true]) {
      const points = b.runs.filter(r => r.filtered === filtered)
        .map(r => ({x: r.qps, y: r.recall, c: r.concurrency, ef: r.ef}));
      if (points.length === 0) continue;
      recallSets.push({label: b.label + (filtered ? ' (filtered)' : ''), data: points, showLine: false,
        borderColor: color(b), backgroundColor: color(b), pointStyle: filtered ? 'triangle' : 'circle', pointRadius: 5});
    }
  }
  new Chart(document.getElementById('chart-recall'), {
    type: 'scatter', data: {datasets: recallSets},
    options: {scales: {x: {type: 'logarithmic', title: {display: true, text: 'queries / second'}},
      y: {min: 0, max: 1.02, title: {display: true, text: 'recall@' + k}}},
      plugins: {tooltip: {callbacks: {label: c => c.dataset.label + ': ' + c.raw.x.toFixed(1) + ' QPS, recall '
        + c.raw.y.toFixed(3) + ' (concurrency ' + c.raw.c + ', ef ' + c.raw.ef + ')'}}}}
  });

  // Latency distribution: latency at every 5th percentile, concurrency 1, no filter.
  const percentiles = Array.from({length: 21}, (_, i) => 'p' + i * 5);
  new Chart(document.getElementById('chart-latency'), {
    type: 'line',
    data: {labels: percentiles, datasets: measured.map(b => {
      const run = b.runs.find(r => !r.filtered && r.concurrency === 1 && r.ef === 'default') || b.runs[0];
      return {label: b.label, data: run ? run.quantilesMs : [], borderColor: color(b), backgroundColor: color(b),
        pointRadius: 2};
    })},
    options: {scales: {y: {type: 'logarithmic', title: {display: true, text: 'ms'}},
      x: {title: {display: true, text: 'percentile'}}}}
  });

  // Correctness: checks that agreed with the reference evaluator, that disagreed, and stores not run.
  const checks = b => b.filters.length * 3;
  const failed = b => b.filters.reduce((n, f) => n + f.failures, 0);
  const maxChecks = Math.max(1, ...measured.map(checks));
  new Chart(document.getElementById('chart-correctness'), {
    type: 'bar',
    data: {labels: report.backends.map(b => b.label), datasets: [
      {label: 'agree', backgroundColor: '#2ca02c',
        data: report.backends.map(b => b.status === 'measured' ? checks(b) - failed(b) : 0)},
      {label: 'disagree', backgroundColor: '#d62728',
        data: report.backends.map(b => b.status === 'measured' ? failed(b) : 0)},
      {label: 'not run', backgroundColor: '#9e9e9e',
        data: report.backends.map(b => b.status === 'measured' ? 0 : maxChecks)}]},
    options: {scales: {x: {stacked: true}, y: {stacked: true, title: {display: true, text: 'filter checks'}}}}
  });

  // Adapter overhead: Quiver's p50 beside the vendor SDK's.
  const withOverhead = measured.filter(b => b.overhead);
  new Chart(document.getElementById('chart-overhead'), {
    type: 'bar',
    data: {labels: withOverhead.map(b => b.label + ' (' + (b.overhead.overheadP50Percent >= 0 ? '+' : '')
        + b.overhead.overheadP50Percent + ' %)'),
      datasets: [{label: 'Quiver p50 ms', backgroundColor: '#1f77b4', data: withOverhead.map(b => b.overhead.quiverP50Ms)},
        {label: 'vendor SDK p50 ms', backgroundColor: '#ff7f0e', data: withOverhead.map(b => b.overhead.directP50Ms)}]},
    options: {scales: {y: {title: {display: true, text: 'ms'}}},
      plugins: {title: {display: withOverhead.length === 0, text: 'not measured (Milvus and Qdrant stores only)'}}}
  });

  document.body.setAttribute('data-charts-rendered', String(Object.keys(Chart.instances).length));
})();
