//! report.html in a real browser: headless Chromium loads the page offline from a file,
//! the DOM holds the totals, the tables and both charts, every column sorts (and flips on a second
//! click), the filter boxes filter, nothing is fetched from the network and the console stays clean.
//!
//! No new crates: the page is copied into a harness file with two scripts injected, one at the top
//! of <head> (records errors, console.error and Content-Security-Policy violations; the injected
//! policy forbids every fetch) and one at the end of <body> (after the page's own script, on `load`:
//! inspects the DOM, clicks the headers, types into the filters and writes a JSON result into
//! `<pre id="simaudit-test-result">`). `chromium --headless --dump-dom` prints the DOM, the test
//! reads the result back and compares it with the CSV outputs of the same run. Chromium's own
//! console log (stderr) is checked too, and a negative control (a deliberately broken page) shows
//! that every one of these checks can fail.
//!
//! The browser: $SIMAUDIT_CHROMIUM, else `chromium`, `chromium-browser`, `google-chrome` on PATH.
//! Without one the tests are skipped, unless SIMAUDIT_REQUIRE_BROWSER is set (as `.ci/run` does).

mod common;
use common::*;
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::time::{Duration, Instant};

/// Rows of a big table shown in the page (src/report/html.rs); the CSV files hold them all.
const MAX_ROWS: usize = 1000;
/// A browser that has not answered by then is hung.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);

// ---------------------------------------------------------------------------------------------
// Finding and running the browser

fn executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn find_browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SIMAUDIT_CHROMIUM").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        assert!(
            executable(&p),
            "SIMAUDIT_CHROMIUM={} is not an executable file",
            p.display()
        );
        return Some(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| executable(p))
}

/// The browser, or None (the caller skips) when there is none and none is required.
fn browser() -> Option<PathBuf> {
    let found = find_browser();
    if found.is_none() {
        let required = std::env::var("SIMAUDIT_REQUIRE_BROWSER")
            .map(|v| !v.is_empty() && v != "0")
            .unwrap_or(false);
        assert!(
            !required,
            "SIMAUDIT_REQUIRE_BROWSER is set but no browser was found: install the Debian package \
             `chromium` (`.ci/run` does) or point SIMAUDIT_CHROMIUM at a Chromium/Chrome binary"
        );
        eprintln!(
            "browser tests skipped: no chromium, chromium-browser or google-chrome on PATH and \
             SIMAUDIT_CHROMIUM is not set (SIMAUDIT_REQUIRE_BROWSER=1 makes this a failure)"
        );
    }
    found
}

struct BrowserRun {
    stdout: String,
    stderr: String,
    seconds: f64,
}

/// One headless run with a fresh profile in `work`; `action` is `--dump-dom` or `--screenshot=…`.
fn headless(chromium: &Path, work: &Path, action: &str, page: &Path) -> BrowserRun {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, AtomicOrdering::Relaxed);
    let profile = work.join(format!("profile-{n}"));
    let (out_path, err_path) = (
        work.join(format!("browser-{n}.out")),
        work.join(format!("browser-{n}.err")),
    );
    let started = Instant::now();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            // Belt and braces next to the page's own policy: no name resolves.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,1600",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(action)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{} {action} did not finish in {BROWSER_TIMEOUT:?}; stderr:\n{}",
                chromium.display(),
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let run = BrowserRun {
        stdout: String::from_utf8_lossy(&std::fs::read(&out_path).unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&std::fs::read(&err_path).unwrap()).into_owned(),
        seconds: started.elapsed().as_secs_f64(),
    };
    assert!(
        status.success(),
        "{} {action} failed ({status}); stderr:\n{}",
        chromium.display(),
        run.stderr
    );
    run
}

/// Console messages Chromium logged for file:// pages, e.g.
/// `[…:INFO:CONSOLE:1] "Uncaught ReferenceError: x is not defined", source: file:///…/harness.html (1)`.
/// The page and the harness never log, so every such line is a problem.
fn console_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") && l.contains("source: file://"))
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The page under test and its harness

/// The sample with Viettel's `HY-1234` point codes written as bare numbers (some carriers number
/// their points), so the point_id column holds numbers and text: the page's sort must still order it.
fn sample_with_numbered_points(dir: &Path) -> Vec<String> {
    let (header, rows) = well_formed_sample();
    let col = header.iter().position(|h| h == "point_id").unwrap();
    let rows: Vec<csv::StringRecord> = rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(k, v)| match v.strip_prefix("HY-") {
                    Some(number) if k == col => number,
                    _ => v,
                })
                .collect()
        })
        .collect();
    std::fs::create_dir_all(dir).unwrap();
    let viettel = dir.join("viettel.csv");
    write_csv(&viettel, &header, &rows);
    sample_extracts()
        .into_iter()
        .map(|f| {
            if f.ends_with("viettel.csv") {
                viettel.display().to_string()
            } else {
                f
            }
        })
        .collect()
}

fn audit(out: &Path, inputs: &[String], extra: &[&str]) {
    let mut extra = extra.to_vec();
    extra.extend(["--format", "csv,html"]);
    let args = audit_args(inputs, out, &extra);
    run_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
}

/// At the top of <head>: an offline-only policy and the error recorder.
const HEAD_PROBE: &str = r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:"><script>
(function () {
  var errors = window.__simauditErrors = [], csp = window.__simauditCsp = [];
  window.addEventListener('error', function (e) {
    if (e.target && e.target !== window) errors.push('resource failed: ' + e.target.tagName + ' ' + (e.target.src || e.target.href || ''));
    else errors.push('uncaught: ' + e.message + ' (' + e.filename + ':' + e.lineno + ')');
  }, true);
  window.addEventListener('unhandledrejection', function (e) { errors.push('unhandled rejection: ' + String(e.reason)); });
  document.addEventListener('securitypolicyviolation', function (e) { csp.push(e.violatedDirective + ' ' + e.blockedURI); });
  ['error', 'warn'].forEach(function (level) {
    var original = console[level];
    console[level] = function () {
      errors.push('console.' + level + ': ' + Array.prototype.map.call(arguments, String).join(' '));
      return original.apply(console, arguments);
    };
  });
})();
</script>"#;

/// At the end of <body>, after the page's own script; `__CONFIG__` is replaced by the filter queries.
const BODY_PROBE: &str = r#"<script>
(function () {
  var CONFIG = __CONFIG__;
  var all = function (root, sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); };
  var rows = function (t) { return Array.prototype.slice.call(t.tBodies[0].rows); };
  var column = function (t, i) { return rows(t).map(function (r) { return r.cells[i] ? r.cells[i].textContent : null; }); };
  var content = function (t) { return rows(t).map(function (r) { return r.textContent; }).sort().join('\n'); };
  var shown = function (r) { return r.getClientRects().length > 0; };
  function check(R) {
    R.lang = document.documentElement.lang;
    R.title = document.title;
    R.h1 = all(document, 'h1').map(function (h) { return h.textContent; });
    R.totals = all(document, '.totals > div').map(function (d) { return d.textContent; });
    R.tables = {};
    all(document, 'table').forEach(function (t) {
      var box = t.getBoundingClientRect();
      R.tables[t.id] = {
        sortable: t.classList.contains('sortable'),
        columns: all(t.tHead, 'th').map(function (th) { return th.title; }),
        labels: all(t.tHead, 'th').map(function (th) { return th.textContent; }),
        rows: t.tBodies[0].rows.length,
        width: box.width, height: box.height
      };
    });
    R.charts = all(document, 'figure').map(function (f) {
      var svg = f.querySelector('svg'), c = { caption: (f.querySelector('figcaption') || {}).textContent || null, svg: !!svg };
      if (!svg) return c;
      var vb = svg.viewBox.baseVal, box = svg.getBoundingClientRect();
      c.width = box.width; c.height = box.height;
      c.bars = all(svg, 'rect.bar:not(.hot)').length;
      c.hot = all(svg, 'rect.bar.hot').length;
      c.labels = all(svg, 'text[text-anchor=end]').map(function (t) { return t.textContent; });
      c.bad_bars = []; c.outside = [];
      all(svg, 'rect.bar').forEach(function (r, k) {
        var b = r.getBBox();
        if (!(isFinite(b.width) && b.width >= 0 && b.height > 0) || (!r.classList.contains('hot') && b.width <= 0)) c.bad_bars.push(k + ': ' + b.width + 'x' + b.height);
      });
      all(svg, 'text').forEach(function (t) {
        var b = t.getBBox();
        if (b.width <= 0 || b.x < vb.x - 0.5 || b.x + b.width > vb.x + vb.width + 0.5) c.outside.push(t.textContent + ' [' + b.x.toFixed(1) + ', ' + (b.x + b.width).toFixed(1) + ']');
      });
      return c;
    });
    R.sorts = []; R.rows_intact = {};
    all(document, 'table.sortable').forEach(function (t) {
      var before = content(t), ths = all(t.tHead, 'th');
      ths.forEach(function (th, i) {
        th.click();
        var first = { dir: th.dataset.dir || null, values: column(t, i) };
        th.click();
        var second = { dir: th.dataset.dir || null, values: column(t, i) };
        R.sorts.push({ table: t.id, column: th.title, first: first, second: second,
          other_marked: ths.filter(function (h) { return h !== th && h.dataset.dir; }).length });
      });
      R.rows_intact[t.id] = content(t) === before;
    });
    R.filter_boxes = all(document, 'input.filter').map(function (f) { return f.dataset.table; });
    R.filters = CONFIG.map(function (q) {
      var f = document.querySelector('input.filter[data-table="' + q.table + '"]'), t = document.getElementById(q.table);
      if (!f || !t) return { table: q.table, query: q.query, missing: true };
      f.value = q.query; f.dispatchEvent(new Event('input', { bubbles: true }));
      var visible = rows(t).filter(shown);
      var r = { table: q.table, query: q.query, visible: visible.length,
        not_matching: visible.filter(function (x) { return x.textContent.toLowerCase().indexOf(q.query.toLowerCase()) < 0; }).length };
      f.value = ''; f.dispatchEvent(new Event('input', { bubbles: true }));
      r.visible_after_clearing = rows(t).filter(shown).length;
      return r;
    });
    R.resources = performance.getEntriesByType('resource').map(function (e) { return e.name; });
    R.external = [];
    all(document, '*').forEach(function (el) {
      Array.prototype.forEach.call(el.attributes, function (a) {
        if (/^(src|srcset|href|xlink:href|action|formaction|poster|data|background)$/i.test(a.name) && /(^|[\s,])(https?:)?\/\//i.test(a.value))
          R.external.push(el.tagName.toLowerCase() + ' ' + a.name + '=' + a.value);
      });
    });
    Array.prototype.forEach.call(document.styleSheets, function (s) {
      Array.prototype.forEach.call(s.cssRules, function (r) { if (/url\(|@import/i.test(r.cssText)) R.external.push('css: ' + r.cssText.slice(0, 120)); });
    });
  }
  window.addEventListener('load', function () {
    setTimeout(function () {
      var R = {};
      try { check(R); } catch (e) { R.harness_error = String(e && e.stack || e); }
      R.errors = window.__simauditErrors || ['the head probe did not run'];
      R.csp = window.__simauditCsp || [];
      var pre = document.createElement('pre');
      pre.id = 'simaudit-test-result';
      // ASCII only, no markup characters: the dumped DOM carries it back unchanged.
      pre.textContent = JSON.stringify(R).replace(/[\u007f-\uffff<>&]/g, function (c) {
        return '\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4);
      });
      document.body.appendChild(pre);
    }, 50);
  });
})();
</script>"#;

/// The page with the probes injected: the head probe right after `<meta charset>` (the charset
/// must stay within the first bytes), the body probe right before `</body>`.
fn harness(html: &str, filters: &[(&str, &str)]) -> String {
    let head = html.find("<head>").expect("report.html has a <head>") + "<head>".len();
    let head = match html[head..].strip_prefix("<meta charset=\"utf-8\">") {
        Some(_) => head + "<meta charset=\"utf-8\">".len(),
        None => head,
    };
    let body = html.rfind("</body>").expect("report.html has a </body>");
    let config: Vec<Value> = filters
        .iter()
        .map(|(t, q)| serde_json::json!({"table": t, "query": q}))
        .collect();
    format!(
        "{}{HEAD_PROBE}{}{}{}",
        &html[..head],
        &html[head..body],
        BODY_PROBE.replace("__CONFIG__", &Value::Array(config).to_string()),
        &html[body..]
    )
}

/// Load `page` in the browser and return the harness result and the browser's console lines.
fn load(chromium: &Path, work: &Path, page: &Path) -> (Value, Vec<String>, f64) {
    let run = headless(chromium, work, "--dump-dom", page);
    let start = run
        .stdout
        .find("<pre id=\"simaudit-test-result\">")
        .unwrap_or_else(|| {
            panic!(
                "the harness wrote no result (did the page load?); stderr:\n{}\nDOM (start):\n{}",
                run.stderr,
                run.stdout.chars().take(2000).collect::<String>()
            )
        })
        + "<pre id=\"simaudit-test-result\">".len();
    let end = start + run.stdout[start..].find("</pre>").unwrap();
    let result: Value = serde_json::from_str(&run.stdout[start..end])
        .unwrap_or_else(|e| panic!("harness result is not JSON: {e}"));
    (result, console_lines(&run.stderr), run.seconds)
}

// ---------------------------------------------------------------------------------------------
// What the page must show

/// A cell as the page's sort sees it: a number, or lower-case text. Numbers go before text.
#[derive(Debug, PartialEq, PartialOrd)]
enum Key {
    Num(f64),
    Text(String),
}

fn key(cell: &str) -> Key {
    let s = cell.replacen('%', "", 1);
    let numeric = !s.is_empty()
        && s.strip_prefix('-')
            .unwrap_or(&s)
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.');
    match s.parse::<f64>() {
        Ok(n) if numeric => Key::Num(n),
        _ => Key::Text(s.to_lowercase()),
    }
}

/// The first place where `values` is out of order, if any.
fn out_of_order(values: &[Value], descending: bool) -> Option<String> {
    let keys: Vec<Key> = values
        .iter()
        .map(|v| key(v.as_str().unwrap_or("")))
        .collect();
    keys.windows(2).enumerate().find_map(|(k, w)| {
        let ord = w[0].partial_cmp(&w[1]).unwrap_or(Ordering::Equal);
        let bad = if descending {
            ord == Ordering::Less
        } else {
            ord == Ordering::Greater
        };
        bad.then(|| format!("row {}: {:?} then {:?}", k + 1, values[k], values[k + 1]))
    })
}

/// The CSV outputs of the run, which the page must agree with.
struct Expected {
    csv: BTreeMap<&'static str, Vec<BTreeMap<String, String>>>,
    headers: BTreeMap<&'static str, Vec<String>>,
    lang: &'static str,
    worst_caption: &'static str,
}

const TABLES: [(&str, &str); 4] = [
    ("by-rule", "by_rule.csv"),
    ("by-carrier", "by_carrier.csv"),
    ("by-point", "by_point.csv"),
    ("ids", "ids_over_limit.csv"),
];

impl Expected {
    fn read(out: &Path, lang: &'static str) -> Expected {
        let mut csv = BTreeMap::new();
        let mut headers = BTreeMap::new();
        let language = simaudit::report::i18n::Lang::parse(lang).unwrap();
        for (id, file) in TABLES {
            let path = out.join(file);
            // The page shows coded values (severities, point types…) in the page's language.
            let rows = read_csv(&path)
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|(column, v)| {
                            let shown = simaudit::report::i18n::value(&column, &v, language);
                            (column, shown.into_owned())
                        })
                        .collect()
                })
                .collect();
            csv.insert(id, rows);
            let mut r = ::csv::Reader::from_path(&path).unwrap();
            headers.insert(id, r.headers().unwrap().iter().map(String::from).collect());
        }
        Expected {
            csv,
            headers,
            lang,
            worst_caption: if lang == "vi" {
                "20 điểm đăng ký xấu nhất"
            } else {
                "Worst 20 points"
            },
        }
    }

    fn rows(&self, table: &str) -> usize {
        self.csv[table].len().min(MAX_ROWS)
    }

    /// Rows of `table` shown in the page with a cell containing `query` (case-insensitive).
    fn matching(&self, table: &str, query: &str) -> usize {
        let q = query.to_lowercase();
        self.csv[table]
            .iter()
            .take(MAX_ROWS)
            .filter(|r| r.values().any(|v| v.to_lowercase().contains(&q)))
            .count()
    }
}

/// Filter queries: a carrier, a district typed in capitals (Vietnamese case folding), a point type and
/// a severity (as each language shows them), and one that matches nothing.
const FILTERS: [(&str, &str); 8] = [
    ("by-point", "vinaphone"),
    ("by-point", "PHÙ CỪ"),
    ("by-point", "no such point"),
    ("by-point", "đại lý"),
    ("by-rule", "warning"),
    ("by-rule", "cảnh báo"),
    ("by-carrier", "viettel"),
    ("ids", "cccd"),
];

fn text(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// Every way the page in the browser differs from what it must be, each prefixed by its kind.
fn problems(r: &Value, console: &[String], want: &Expected) -> Vec<String> {
    let mut p = Vec::new();
    if let Some(e) = r.get("harness_error") {
        p.push(format!("harness: the DOM checks threw: {}", text(e)));
    }
    for e in r["errors"].as_array().into_iter().flatten() {
        p.push(format!("error: {}", text(e)));
    }
    for line in console {
        p.push(format!("console: {line}"));
    }
    for e in r["csp"].as_array().into_iter().flatten() {
        p.push(format!("offline: blocked a fetch: {}", text(e)));
    }
    for e in r["resources"].as_array().into_iter().flatten() {
        p.push(format!("offline: fetched {}", text(e)));
    }
    for e in r["external"].as_array().into_iter().flatten() {
        p.push(format!("offline: external reference {}", text(e)));
    }

    // The page itself.
    if r["lang"] != want.lang {
        p.push(format!("page: lang {} instead of {}", r["lang"], want.lang));
    }
    if r["h1"].as_array().map_or(0, Vec::len) != 1 || r["title"].as_str().unwrap_or("").is_empty() {
        p.push(format!("page: title {} / h1 {}", r["title"], r["h1"]));
    }
    let totals = r["totals"].as_array().cloned().unwrap_or_default();
    // Rows read, rejected, skipped (titles, footers…), flagged, findings, IDs over the limit.
    if totals.len() != 6
        || totals
            .iter()
            .any(|t| !text(t).chars().any(|c| c.is_ascii_digit()))
    {
        p.push(format!("page: totals {totals:?}"));
    }

    // Tables: the ones of the CSV files, same columns, same number of rows, rendered.
    let tables = r["tables"].as_object().cloned().unwrap_or_default();
    for (id, _) in TABLES {
        let Some(t) = tables.get(id) else {
            p.push(format!("table: no table #{id}"));
            continue;
        };
        let rows = t["rows"].as_u64().unwrap_or(0) as usize;
        if rows != want.rows(id) {
            p.push(format!(
                "table: #{id} has {rows} rows, its CSV {}",
                want.rows(id)
            ));
        }
        let columns: Vec<String> = t["columns"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        if columns != want.headers[id] {
            p.push(format!(
                "table: #{id} columns {columns:?}, its CSV {:?}",
                want.headers[id]
            ));
        }
        if t["sortable"] != true {
            p.push(format!("table: #{id} is not sortable"));
        }
        if !(num(&t["width"]) > 100.0 && num(&t["height"]) > 20.0) {
            p.push(format!(
                "table: #{id} is not rendered ({}x{})",
                t["width"], t["height"]
            ));
        }
    }

    // Charts: the worst points (up to 20 with flagged subscriptions) and the carrier share.
    let charts = r["charts"].as_array().cloned().unwrap_or_default();
    let flagged_points = want.csv["by-point"]
        .iter()
        .filter(|row| row["flagged"].parse::<u64>().unwrap_or(0) > 0)
        .count();
    let carriers = want.csv["by-carrier"].len();
    if charts.len() != 2 {
        p.push(format!("chart: {} charts instead of 2", charts.len()));
    }
    for (k, (c, bars)) in charts
        .iter()
        .zip([flagged_points.min(20), carriers])
        .enumerate()
    {
        let caption = c["caption"].as_str().unwrap_or("");
        if k == 0 && !caption.starts_with(want.worst_caption) {
            p.push(format!(
                "chart: caption {caption:?}, expected {:?}…",
                want.worst_caption
            ));
        }
        if c["svg"] != true || !(num(&c["width"]) > 300.0 && num(&c["height"]) > 40.0) {
            p.push(format!(
                "chart: {caption:?} has no rendered SVG ({}x{})",
                c["width"], c["height"]
            ));
            continue;
        }
        if c["bars"].as_u64() != Some(bars as u64)
            || c["hot"].as_u64() != Some(bars as u64)
            || c["labels"].as_array().map_or(0, Vec::len) != bars
        {
            p.push(format!(
                "chart: {caption:?} has {} bars, {} red parts, {} labels; expected {bars}",
                c["bars"],
                c["hot"],
                c["labels"].as_array().map_or(0, Vec::len)
            ));
        }
        for b in c["bad_bars"].as_array().into_iter().flatten() {
            p.push(format!("chart: {caption:?} bar {}", text(b)));
        }
        for t in c["outside"].as_array().into_iter().flatten() {
            p.push(format!(
                "chart: {caption:?} text outside the SVG: {}",
                text(t)
            ));
        }
    }
    if let Some(labels) = charts.first().and_then(|c| c["labels"].as_array()) {
        let want_labels: Vec<String> = want.csv["by-point"]
            .iter()
            .filter(|row| row["flagged"].parse::<u64>().unwrap_or(0) > 0)
            .take(20)
            .map(|row| format!("{} {}", row["carrier"], row["point_id"]))
            .collect();
        let got: Vec<String> = labels.iter().map(text).collect();
        if got != want_labels {
            p.push(format!(
                "chart: worst points {got:?}, by_point.csv {want_labels:?}"
            ));
        }
    }

    // Sorting: every column of every table, ascending on the first click, descending on the next.
    let sorts = r["sorts"].as_array().cloned().unwrap_or_default();
    let columns: usize = want.headers.values().map(Vec::len).sum();
    if sorts.len() != columns {
        p.push(format!(
            "sort: {} columns clicked, the tables have {columns}",
            sorts.len()
        ));
    }
    for s in &sorts {
        let at = format!("#{} {}", text(&s["table"]), text(&s["column"]));
        for (click, dir, descending) in [("first", "asc", false), ("second", "desc", true)] {
            let c = &s[click];
            if c["dir"] != dir {
                p.push(format!(
                    "sort: {at}: direction {} after the {click} click, expected {dir}",
                    c["dir"]
                ));
            }
            let values = c["values"].as_array().cloned().unwrap_or_default();
            if let Some(e) = out_of_order(&values, descending) {
                p.push(format!(
                    "sort: {at}: not sorted {dir} after the {click} click: {e}"
                ));
            }
        }
        if s["other_marked"] != 0 {
            p.push(format!("sort: {at}: other headers keep a direction"));
        }
    }
    for (id, intact) in r["rows_intact"].as_object().into_iter().flatten() {
        if intact != true {
            p.push(format!("sort: #{id}: rows changed by sorting"));
        }
    }

    // Filters.
    let boxes: Vec<String> = r["filter_boxes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(text)
        .collect();
    if boxes != TABLES.map(|t| t.0) {
        p.push(format!("filter: boxes for {boxes:?}"));
    }
    for f in r["filters"].as_array().into_iter().flatten() {
        let (table, query) = (text(&f["table"]), text(&f["query"]));
        let expected = want.matching(&table, &query);
        if f["visible"].as_u64() != Some(expected as u64) || f["not_matching"] != 0 {
            p.push(format!(
                "filter: #{table} {query:?} shows {} rows ({} not matching), expected {expected}",
                f["visible"], f["not_matching"]
            ));
        }
        if f["visible_after_clearing"].as_u64() != Some(want.rows(&table) as u64) {
            p.push(format!(
                "filter: #{table} shows {} rows after clearing {query:?}, expected all {}",
                f["visible_after_clearing"],
                want.rows(&table)
            ));
        }
    }
    p
}

/// Audit `inputs` (made in the temporary folder by `inputs`) with `extra`, break the page with
/// `sabotage`, load it; the problems found, the browser's time and the folder.
fn check_page(
    chromium: &Path,
    inputs: impl Fn(&Path) -> Vec<String>,
    extra: &[&str],
    lang: &'static str,
    sabotage: impl Fn(String) -> String,
) -> (Vec<String>, f64, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    audit(&out, &inputs(&dir.path().join("in")), extra);
    let want = Expected::read(&out, lang);
    for (id, _) in TABLES {
        assert!(
            !want.csv[id].is_empty(),
            "the sample's {id} is empty: nothing to check"
        );
    }
    let html = sabotage(std::fs::read_to_string(out.join("report.html")).unwrap());
    let page = out.join("harness.html");
    std::fs::write(&page, harness(&html, &FILTERS)).unwrap();
    let work = dir.path().join("browser");
    std::fs::create_dir_all(&work).unwrap();
    let (result, console, seconds) = load(chromium, &work, &page);
    (problems(&result, &console, &want), seconds, dir)
}

// ---------------------------------------------------------------------------------------------

#[test]
fn report_html_works_in_headless_chromium() {
    let Some(chromium) = browser() else { return };
    let (problems, seconds, dir) = check_page(&chromium, |_| sample_extracts(), &[], "vi", |h| h);
    assert!(
        problems.is_empty(),
        "report.html in {}:\n{}",
        chromium.display(),
        problems.join("\n")
    );
    eprintln!("report.html (vi) checked in Chromium in {seconds:.1}s");

    // A screenshot of the page as a person sees it (kept in the temporary folder only).
    let work = dir.path().join("browser");
    let png = dir.path().join("report.png");
    let shot = headless(
        &chromium,
        &work,
        &format!("--screenshot={}", png.display()),
        &dir.path().join("out/report.html"),
    );
    let bytes = std::fs::read(&png).expect("no screenshot written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 20_000);
    let (w, h) = (
        u32::from_be_bytes(bytes[16..20].try_into().unwrap()),
        u32::from_be_bytes(bytes[20..24].try_into().unwrap()),
    );
    assert_eq!((w, h), (1280, 1600), "screenshot size");
    eprintln!("screenshot {} bytes in {:.1}s", bytes.len(), shot.seconds);
}

#[test]
fn english_masked_report_works_in_headless_chromium() {
    let Some(chromium) = browser() else { return };
    let (problems, seconds, _dir) = check_page(
        &chromium,
        |_| sample_extracts(),
        &["--lang", "en", "--mask"],
        "en",
        |h| h,
    );
    assert!(
        problems.is_empty(),
        "report.html (--lang en --mask) in {}:\n{}",
        chromium.display(),
        problems.join("\n")
    );
    eprintln!("report.html (en, masked) checked in Chromium in {seconds:.1}s");
}

/// The negative control: a page that throws, logs an error, fetches from the network, does not
/// sort and does not filter must fail each of the checks above.
#[test]
fn browser_checks_catch_a_broken_page() {
    let Some(chromium) = browser() else { return };
    let sabotage = |html: String| {
        for needed in [
            "addEventListener('click'",
            "addEventListener('input'",
            "<body>",
        ] {
            assert!(
                html.contains(needed),
                "the negative control cannot break the page: no {needed} in report.html"
            );
        }
        html.replace("addEventListener('click'", "addEventListener('dblclick'")
            .replace("addEventListener('input'", "addEventListener('change'")
            .replace(
                "<body>",
                "<body><img src=\"https://example.invalid/pixel.png\" alt=\"\">\
                 <script>console.error('negative control');notDefinedAnywhere();</script>",
            )
    };
    let (problems, seconds, _dir) =
        check_page(&chromium, |_| sample_extracts(), &[], "vi", sabotage);
    let found = |kind: &str, needle: &str| {
        problems
            .iter()
            .any(|p| p.starts_with(kind) && p.contains(needle))
    };
    for (kind, needle) in [
        ("error: ", "console.error: negative control"),
        ("error: ", "notDefinedAnywhere"),
        ("console: ", "negative control"),
        ("console: ", "Uncaught ReferenceError: notDefinedAnywhere"),
        ("offline: ", "https://example.invalid/pixel.png"),
        ("sort: ", "#by-point flagged: direction null"),
        ("sort: ", "#by-point flagged: not sorted"),
        ("filter: ", "#by-point \"vinaphone\" shows"),
    ] {
        assert!(
            found(kind, needle),
            "the negative control was not caught ({kind}…{needle}); problems found:\n{}",
            problems.join("\n")
        );
    }
    eprintln!(
        "negative control: {} problems caught in {seconds:.1}s",
        problems.len()
    );
}

/// A column of numbers and text (numbered and lettered point codes) sorts too: numbers first.
#[test]
fn column_of_numbers_and_text_sorts_in_headless_chromium() {
    let Some(chromium) = browser() else { return };
    let (problems, seconds, dir) =
        check_page(&chromium, sample_with_numbered_points, &[], "vi", |h| h);
    let points = read_csv(&dir.path().join("out/by_point.csv"));
    let numbered = points
        .iter()
        .filter(|r| r["point_id"].parse::<u64>().is_ok())
        .count();
    assert!(
        numbered > 0 && numbered < points.len(),
        "point_id should mix numbers and text ({numbered} of {} numbered)",
        points.len()
    );
    assert!(
        problems.is_empty(),
        "report.html with numbered points in {}:\n{}",
        chromium.display(),
        problems.join("\n")
    );
    eprintln!("report.html (numbered points) checked in Chromium in {seconds:.1}s");
}

#[test]
fn compare_html_works_in_headless_chromium() {
    let Some(chromium) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (old, new, out) = (
        dir.path().join("old"),
        dir.path().join("new"),
        dir.path().join("compare"),
    );
    // The earlier audit of every carrier, the later of one: findings resolved, persisting and new.
    let all = sample_extracts();
    let viettel: Vec<String> = all
        .iter()
        .filter(|f| f.ends_with("viettel.csv"))
        .cloned()
        .collect();
    run_ok_with(&audit_args(&all, &old, &[]), &[]);
    run_ok_with(&audit_args(&viettel, &new, &[]), &[]);
    run_ok(&[
        "compare",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let tables = [
        ("by-carrier-changes", "by_carrier_changes.csv"),
        ("by-point-changes", "by_point_changes.csv"),
    ];
    let csv: BTreeMap<&str, Vec<BTreeMap<String, String>>> = tables
        .iter()
        .map(|(id, file)| (*id, read_csv(&out.join(file))))
        .collect();
    let html = std::fs::read_to_string(out.join("compare.html")).unwrap();
    let filters = [
        ("by-point-changes", "viettel"),
        ("by-carrier-changes", "mobifone"),
    ];
    let page = out.join("harness.html");
    std::fs::write(&page, harness(&html, &filters)).unwrap();
    let work = dir.path().join("browser");
    std::fs::create_dir_all(&work).unwrap();
    let (r, console, _) = load(&chromium, &work, &page);

    let mut p: Vec<String> = Vec::new();
    for kind in ["errors", "csp", "resources", "external"] {
        for e in r[kind].as_array().into_iter().flatten() {
            p.push(format!("{kind}: {}", text(e)));
        }
    }
    p.extend(console.iter().map(|l| format!("console: {l}")));
    if r["lang"] != "vi" || r["h1"][0] != "Theo dõi khắc phục" {
        p.push(format!("page: lang {} h1 {}", r["lang"], r["h1"]));
    }
    for (id, rows) in &csv {
        let t = &r["tables"][*id];
        let header: Vec<String> = rows
            .first()
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default();
        let mut shown: Vec<String> = t["columns"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        shown.sort();
        if t["rows"].as_u64() != Some(rows.len() as u64) || shown != header || t["sortable"] != true
        {
            p.push(format!(
                "#{id}: {t} against {} rows of {header:?}",
                rows.len()
            ));
        }
    }
    for s in r["sorts"].as_array().into_iter().flatten() {
        for (click, dir, descending) in [("first", "asc", false), ("second", "desc", true)] {
            let values = s[click]["values"].as_array().cloned().unwrap_or_default();
            if s[click]["dir"] != dir || out_of_order(&values, descending).is_some() {
                p.push(format!(
                    "sort: #{} {} {click}",
                    text(&s["table"]),
                    text(&s["column"])
                ));
            }
        }
    }
    for f in r["filters"].as_array().into_iter().flatten() {
        let (table, query) = (text(&f["table"]), text(&f["query"]));
        let expected = csv[table.as_str()]
            .iter()
            .filter(|row| row.values().any(|v| v.to_lowercase().contains(&query)))
            .count();
        if f["visible"].as_u64() != Some(expected as u64) || f["not_matching"] != 0 || expected == 0
        {
            p.push(format!(
                "filter: #{table} {query:?}: {f}, expected {expected}"
            ));
        }
    }
    assert!(
        p.is_empty(),
        "compare.html in {}:\n{}",
        chromium.display(),
        p.join("\n")
    );
}
