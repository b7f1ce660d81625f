//! report.html: one self-contained page (inline SVG and CSS, a few lines of inline
//! JavaScript for table sorting, no external reference) built only from the files of a
//! results directory, so `run` and `hpsearch report` write the same bytes.
//!
//! [`read()`] gathers the input into an [`HtmlInput`]; [`write()`] renders it, deterministically
//! (no clock, no hash-map order, coordinates fixed to one decimal). The markup is well-formed
//! XML as well as HTML, so tests parse it with an XML parser.

mod input;
mod plots;
mod svg;

use std::fmt::Write as _;
use std::io;
use std::path::PathBuf;

pub use input::{
    Confusion, CurvePoint, DataInfo, HtmlInput, InputError, ParamScale, SpaceSummary, TestRow,
    TrialRow, read,
};
use svg::{esc, num};

use super::ResultsDir;
use crate::space::schema::ParamSpec;

/// The most trials drawn in one scatter plot or parallel-coordinates plot: beyond it the best
/// [`KEEP_BEST`] and an even spread of the rest are drawn (the page says so).
pub const MAX_POINTS: usize = 2000;
/// Trials always drawn when thinning.
pub const KEEP_BEST: usize = 500;
/// Rows of the ranked table.
pub const TABLE_ROWS: usize = 50;
/// Importance is not shown for fewer scored trials.
pub const MIN_IMPORTANCE_TRIALS: usize = 10;

/// The file name in the results directory.
pub const FILE: &str = "report.html";

/// Reads the results directory `dir` and writes its report.html atomically; returns its path.
/// `schema`: the objective's parameters (names the parameter columns, validates space.toml).
pub fn write_file(dir: &ResultsDir, schema: &'static [ParamSpec]) -> Result<PathBuf, InputError> {
    let input = read(dir.path(), schema)?;
    Ok(dir.write_atomic(FILE, |w| write(&input, w))?)
}

/// Renders the page for `input` into `out`.
pub fn write(input: &HtmlInput, out: &mut dyn io::Write) -> io::Result<()> {
    let shown = Shown::of(input);
    let mut page = String::new();
    head(&mut page, input);
    summary(&mut page, input);
    plots::history(&mut page, input, &shown);
    plots::curves(&mut page, input);
    plots::slices(&mut page, input, &shown);
    plots::parallel(&mut page, input, &shown);
    plots::importance_section(&mut page, input);
    if input.has_rungs {
        rungs(&mut page, input);
    }
    plots::confusion(&mut page, input);
    ranking(&mut page, input);
    page.push_str(SCRIPT);
    page.push_str("</body>\n</html>\n");
    out.write_all(page.as_bytes())
}

/// The trials drawn in plots: all of them, or the best [`KEEP_BEST`] and an even spread of the
/// rest when there are more than [`MAX_POINTS`].
pub(crate) struct Shown {
    /// Indices into `input.trials`, in rank order.
    pub indices: Vec<usize>,
    /// Whether some were left out.
    pub thinned: bool,
}

impl Shown {
    fn of(input: &HtmlInput) -> Shown {
        let n = input.trials.len();
        if n <= MAX_POINTS {
            return Shown {
                indices: (0..n).collect(),
                thinned: false,
            };
        }
        let rest = n - KEEP_BEST;
        let take = MAX_POINTS - KEEP_BEST;
        let mut indices: Vec<usize> = (0..KEEP_BEST).collect();
        // Even spread by rank, the last trial included: integer arithmetic, so deterministic.
        indices.extend((0..take).map(|k| KEEP_BEST + k * (rest - 1) / (take - 1)));
        indices.dedup();
        Shown {
            indices,
            thinned: true,
        }
    }

    /// A sentence for the page when trials were left out.
    pub fn note(&self, total: usize) -> String {
        if self.thinned {
            format!(
                r#"<p class="note">Thinned for size and speed: {} of {} trials are drawn, the best {KEEP_BEST} by rank and an even spread of the rest; the best-so-far line and the importance use every trial.</p>"#,
                self.indices.len(),
                group(total as u64)
            )
        } else {
            String::new()
        }
    }
}

const STYLE: &str = r#"
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px 48px;color:#222;line-height:1.4}
h1{font-size:1.6em;margin:20px 0 4px}
h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:32px}
nav a{margin-right:12px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:right;white-space:nowrap}
th{background:#f2f2f2}
td.t,th.t{text-align:left}
table.sortable th{cursor:pointer}
th[aria-sort=ascending]::after{content:" \25B2"}
th[aria-sort=descending]::after{content:" \25BC"}
pre{background:#f6f6f6;padding:10px;overflow:auto;font-size:12px}
.note{color:#555;font-size:0.92em}
.grid{display:flex;flex-wrap:wrap;gap:8px}
.swatch{display:inline-block;width:22px;height:0;border-top:3px solid;vertical-align:middle;margin-right:4px}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:8px 0}
dt{font-weight:600}
dd{margin:0}
svg{overflow:visible}
.scroll{overflow-x:auto}
"#;

/// Sorts a `table.sortable` by the clicked column (numbers by `data-v`, else text), and marks
/// the document once it ran, so a headless browser test can tell it ran without error. It
/// holds no `<` and no `&`, so the page stays well-formed XML.
const SCRIPT: &str = r#"<script>
/*<![CDATA[*/
(function () {
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("th");
    heads.forEach(function (th, col) {
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var up = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        function key(row) {
          var cell = row.cells[col];
          var v = cell.getAttribute("data-v");
          return v === null ? cell.textContent : Number(v);
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var d = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
          return up ? d : -d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  document.documentElement.setAttribute("data-script", "ran");
})();
/*]]>*/
</script>
"#;

fn head(page: &mut String, input: &HtmlInput) {
    let _ = write!(
        page,
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>hpsearch report: {name}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>hpsearch report: {name}</h1>
<nav><a href="#summary">Summary</a><a href="#history">History</a><a href="#curves">Learning curves</a><a href="#slices">Slices</a><a href="#parallel">Parallel coordinates</a><a href="#importance">Importance</a>{rungs}<a href="#heldout">Held-out data</a><a href="#ranking">Ranking</a></nav>
"##,
        name = esc(&input.name),
        rungs = if input.has_rungs {
            r##"<a href="#rungs">Rungs</a>"##
        } else {
            ""
        }
    );
}

/// `1234567` → `1,234,567`.
pub(crate) fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Seconds as `42.1 s`, `3 min 12 s` or `2 h 05 min`.
fn duration(seconds: f64) -> String {
    if seconds < 60.0 {
        return format!("{} s", num(seconds));
    }
    let s = seconds.round() as u64;
    if s < 3600 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{} h {:02} min", s / 3600, (s % 3600) / 60)
    }
}

/// Status names in display order: the known ones first, then any other alphabetically.
pub(crate) fn statuses(input: &HtmlInput) -> Vec<(String, usize)> {
    let known = ["completed", "stopped_early", "pruned", "diverged", "failed"];
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for t in &input.trials {
        *counts.entry(t.status.as_str()).or_default() += 1;
    }
    let mut out: Vec<(String, usize)> = known
        .iter()
        .filter_map(|k| counts.get(k).map(|&n| (k.to_string(), n)))
        .collect();
    out.extend(
        counts
            .iter()
            .filter(|(k, _)| !known.contains(k))
            .map(|(k, &n)| (k.to_string(), n)),
    );
    out
}

fn summary(page: &mut String, input: &HtmlInput) {
    page.push_str("<section id=\"summary\">\n<h2>1. Summary</h2>\n<dl>\n");
    let mut item = |term: &str, html: String| {
        let _ = writeln!(page, "<dt>{}</dt><dd>{html}</dd>", esc(term));
    };
    if let Some(data) = &input.data {
        let mut parts = Vec::new();
        if let Some(source) = &data.source {
            parts.push(esc(source));
        }
        match (data.samples, data.features) {
            (Some(s), Some(f)) => {
                parts.push(format!("{} samples × {} features", group(s), group(f)))
            }
            (Some(s), None) => parts.push(format!("{} samples", group(s))),
            (None, Some(f)) => parts.push(format!("{} features", group(f))),
            (None, None) => {}
        }
        if let Some(classes) = &data.classes {
            let names: Vec<&str> = classes.iter().map(String::as_str).take(20).collect();
            let more = if classes.len() > 20 { ", …" } else { "" };
            parts.push(format!(
                "{} classes ({}{more})",
                classes.len(),
                esc(&names.join(", "))
            ));
        }
        let split: Vec<String> = [
            ("train", data.train),
            ("validation", data.validation),
            ("test", data.test),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k} {}", group(v))))
        .collect();
        if !split.is_empty() {
            parts.push(format!("split: {}", split.join(" / ")));
        }
        item("data", parts.join("; "));
    }
    match &input.space {
        Ok(space) => {
            item(
                "search",
                format!(
                    "{} search, {} trials in the space",
                    esc(&space.strategy),
                    group(space.trials)
                ),
            );
            if !space.domains.is_empty() {
                let list: Vec<String> = space
                    .domains
                    .iter()
                    .map(|(n, d)| format!("<code>{}</code>: {}", esc(n), esc(d)))
                    .collect();
                item("parameters given", list.join("; "));
            }
        }
        Err(why) => item(
            "search",
            format!(
                "unknown: space.toml does not validate here ({}); axes follow the file's forms",
                esc(why)
            ),
        ),
    }
    let counts: Vec<String> = statuses(input)
        .iter()
        .map(|(s, n)| format!("{} {}", group(*n as u64), esc(s)))
        .collect();
    item(
        "trials",
        format!(
            "{} finished: {}",
            group(input.trials.len() as u64),
            counts.join(", ")
        ),
    );
    let seconds: f64 = input.trials.iter().filter_map(|t| t.seconds).sum();
    item(
        "training time",
        format!(
            "{}, summed over trials (the sweep's wall time is shorter when trials ran in parallel)",
            duration(seconds)
        ),
    );
    match input.trials.iter().find(|t| t.is_scored()) {
        None => item("winner", "none: no trial produced a score".to_string()),
        Some(best) => {
            let mut scores = format!(
                "trial {}: validation loss {} (epoch {}), validation accuracy {}",
                best.trial,
                num(best.val_loss.unwrap_or(f64::NAN)),
                best.best_epoch.map_or("–".to_string(), |e| e.to_string()),
                num(best.val_accuracy.unwrap_or(f64::NAN))
            );
            if let Some(test) = input.test.as_ref().filter(|t| t.trial == best.trial) {
                let _ = write!(
                    scores,
                    "; test loss {}, test accuracy {}{}",
                    num(test.test_loss.unwrap_or(f64::NAN)),
                    num(test.test_accuracy.unwrap_or(f64::NAN)),
                    test.samples
                        .map(|s| format!(" ({} samples, winner only)", group(s)))
                        .unwrap_or_default()
                );
            }
            item("winner", scores);
            let params: Vec<String> = input
                .params
                .iter()
                .zip(&best.params)
                .filter(|(_, v)| !v.is_empty())
                .map(|(n, v)| format!("<code>{} = {}</code>", esc(n), esc(v)))
                .collect();
            item("winner's parameters", params.join(", "));
        }
    }
    page.push_str("</dl>\n");
    if let Some(text) = &input.space_text {
        let _ = writeln!(
            page,
            "<details><summary>space.toml as run</summary><pre>{}</pre></details>",
            esc(text)
        );
    }
    page.push_str("</section>\n");
}

fn rungs(page: &mut String, input: &HtmlInput) {
    page.push_str("<section id=\"rungs\">\n<h2>7. Rungs</h2>\n");
    page.push_str("<p class=\"note\">Successive halving trains every trial of a bracket for a small budget, then promotes the best fraction to the next rung with a larger budget. A trial is counted at each rung up to the highest it reached; <em>promoted</em> lists those that went on to the next rung.</p>\n");
    let mut brackets: std::collections::BTreeMap<u64, Vec<&TrialRow>> = Default::default();
    for t in &input.trials {
        brackets.entry(t.bracket.unwrap_or(0)).or_default().push(t);
    }
    page.push_str("<table>\n<thead><tr><th>bracket</th><th>rung</th><th>trials</th><th>epochs (most run)</th><th>best validation loss ending here</th><th>promoted</th><th class=\"t\">trials promoted (by id)</th></tr></thead>\n<tbody>\n");
    for (bracket, trials) in &brackets {
        let top = trials.iter().filter_map(|t| t.rung).max().unwrap_or(0);
        for rung in 0..=top {
            let reached = trials
                .iter()
                .filter(|t| t.rung.unwrap_or(0) >= rung)
                .count();
            let mut promoted: Vec<u64> = trials
                .iter()
                .filter(|t| t.rung.unwrap_or(0) > rung)
                .map(|t| t.trial)
                .collect();
            promoted.sort_unstable();
            let ending: Vec<&&TrialRow> = trials
                .iter()
                .filter(|t| t.rung.unwrap_or(0) == rung)
                .collect();
            let epochs = ending.iter().filter_map(|t| t.epochs_run).max();
            let best = ending
                .iter()
                .filter_map(|t| t.val_loss.filter(|v| v.is_finite()))
                .min_by(f64::total_cmp);
            let ids: Vec<String> = promoted.iter().take(30).map(u64::to_string).collect();
            let more = if promoted.len() > 30 {
                format!(", … ({} more)", promoted.len() - 30)
            } else {
                String::new()
            };
            let _ = writeln!(
                page,
                "<tr><td>{bracket}</td><td>{rung}</td><td>{reached}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"t\">{}{more}</td></tr>",
                epochs.map_or("–".to_string(), |e| e.to_string()),
                num(best.unwrap_or(f64::NAN)),
                promoted.len(),
                if rung == top {
                    "–".to_string()
                } else {
                    ids.join(", ")
                }
            );
        }
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}

fn ranking(page: &mut String, input: &HtmlInput) {
    let rows: Vec<&TrialRow> = input.trials.iter().take(TABLE_ROWS).collect();
    let varying: Vec<usize> = plots::varying(input);
    // Once per column: each call reads every trial.
    let numeric: Vec<bool> = varying
        .iter()
        .map(|&p| input.scale(p) != ParamScale::Categories)
        .collect();
    let with_message = rows.iter().any(|t| !t.message.is_empty());
    // Another metric than the validation loss ranks: show its score.
    let with_score = rows.iter().any(|t| {
        t.score
            .is_some_and(|s| s.is_finite() && Some(s) != t.val_loss)
    });
    let _ = writeln!(
        page,
        "<section id=\"ranking\">\n<h2>{}. Ranking</h2>\n<p class=\"note\">The best {} of {} trials by {} (ranked.csv has them all). Click a column to sort.</p>",
        if input.has_rungs { 9 } else { 8 },
        rows.len(),
        group(input.trials.len() as u64),
        if with_score {
            "score (the ranking metric as a loss: 1 − accuracy or 1 − macro F1)"
        } else {
            "validation loss"
        }
    );
    let with_std = rows.iter().any(|t| t.val_loss_std.is_some());
    page.push_str("<div class=\"scroll\"><table class=\"sortable\">\n<thead><tr><th>rank</th><th>trial</th><th class=\"t\">status</th>");
    if with_score {
        page.push_str("<th>score</th>");
    }
    page.push_str("<th>val_loss</th>");
    if with_std {
        page.push_str("<th>val_loss_std</th>");
    }
    page.push_str("<th>val_accuracy</th><th>best_epoch</th><th>epochs_run</th><th>train_loss</th><th>seconds</th>");
    if input.has_rungs {
        page.push_str("<th>bracket</th><th>rung</th>");
    }
    for &p in &varying {
        let _ = write!(page, "<th class=\"t\">{}</th>", esc(&input.params[p]));
    }
    if with_message {
        page.push_str("<th class=\"t\">message</th>");
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    let real = |v: Option<f64>| {
        let v = v.filter(|v| v.is_finite());
        format!(
            "<td data-v=\"{}\">{}</td>",
            v.map_or("1e308".to_string(), |v| v.to_string()),
            v.map_or("–".to_string(), num)
        )
    };
    let whole = |v: Option<u64>| {
        format!(
            "<td data-v=\"{}\">{}</td>",
            v.map_or("1e308".to_string(), |v| v.to_string()),
            v.map_or("–".to_string(), |v| v.to_string())
        )
    };
    for t in rows {
        let mut row = format!(
            "<tr><td data-v=\"{r}\">{r}</td><td data-v=\"{id}\">{id}</td><td class=\"t\">{}</td>",
            esc(&t.status),
            r = t.rank,
            id = t.trial
        );
        if with_score {
            row.push_str(&real(t.score));
        }
        row.push_str(&real(t.val_loss));
        if with_std {
            row.push_str(&real(t.val_loss_std));
        }
        row.push_str(&real(t.val_accuracy));
        row.push_str(&whole(t.best_epoch));
        row.push_str(&whole(t.epochs_run));
        row.push_str(&real(t.train_loss));
        row.push_str(&real(t.seconds));
        if input.has_rungs {
            row.push_str(&whole(t.bracket));
            row.push_str(&whole(t.rung));
        }
        for (&p, &numeric) in varying.iter().zip(&numeric) {
            let v = &t.params[p];
            match v.parse::<f64>() {
                Ok(x) if numeric => {
                    let _ = write!(
                        row,
                        "<td data-v=\"{x}\" title=\"{}\">{}</td>",
                        esc(v),
                        num(x)
                    );
                }
                _ => {
                    let _ = write!(row, "<td class=\"t\">{}</td>", esc(v));
                }
            }
        }
        if with_message {
            let _ = write!(row, "<td class=\"t\">{}</td>", esc(&t.message));
        }
        row.push_str("</tr>\n");
        page.push_str(&row);
    }
    page.push_str("</tbody>\n</table></div>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(1234567), "1,234,567");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0.16), "0.16 s");
        assert_eq!(duration(192.0), "3 min 12 s");
        assert_eq!(duration(7500.0), "2 h 05 min");
    }

    #[test]
    fn the_script_keeps_the_page_well_formed_xml() {
        let body = SCRIPT.replace("<script>", "").replace("</script>", "");
        let body = body.replace("<![CDATA[", "").replace("]]>", "");
        assert!(!body.contains('<') && !body.contains('&'), "{body}");
    }
}
