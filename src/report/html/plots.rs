//! The report's plot sections: optimization history, learning curves, parameter slices,
//! parallel coordinates, parameter importance and the confusion matrix.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::input::{HtmlInput, ParamScale, TrialRow};
use super::svg::{self, Frame, Marker, Scale, c, esc, num, viridis};
use super::{MIN_IMPORTANCE_TRIALS, Shown};

/// Above this many points, slices and parallel coordinates drop per-point hover text and draw
/// their points as one path each: tens of thousands of SVG elements would slow the page.
pub const HOVER_POINTS: usize = 500;

/// The most classes drawn as a confusion matrix (beyond, the page points to confusion.csv).
pub const MAX_CLASSES: usize = 60;

const LOSS: &str = "validation loss (cross-entropy, nats)";

/// Parameters (indices into `input.params`) that take more than one value among scored trials.
pub(crate) fn varying(input: &HtmlInput) -> Vec<usize> {
    (0..input.params.len())
        .filter(|&p| {
            let mut values = input
                .trials
                .iter()
                .filter(|t| t.is_scored())
                .map(|t| t.params[p].as_str())
                .filter(|v| !v.is_empty());
            values
                .next()
                .is_some_and(|first| values.any(|v| v != first))
        })
        .collect()
}

/// A log axis when the values span more than a factor of 20, else linear.
fn loss_scale(values: impl Iterator<Item = f64> + Clone) -> Scale {
    let finite = values.clone().filter(|v| v.is_finite());
    let lo = finite.clone().fold(f64::INFINITY, f64::min);
    let hi = finite.fold(f64::NEG_INFINITY, f64::max);
    Scale::numeric(values, lo > 0.0 && hi / lo > 20.0)
}

fn status_marker(status: &str) -> (Marker, &'static str) {
    match status {
        "completed" | "stopped_early" => (Marker::Circle, svg::BLUE),
        "pruned" => (Marker::Square, svg::ORANGE),
        "diverged" => (Marker::Cross, svg::VERMILLION),
        _ => (Marker::Triangle, svg::INK),
    }
}

fn legend(svg: &mut String, x: f64, y: f64, items: &[(Marker, &str, String)]) {
    for (i, (m, colour, label)) in items.iter().enumerate() {
        let yy = y + i as f64 * 16.0;
        svg::marker(svg, *m, x, yy, colour, label);
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" dy="4" font-size="11">{}</text>"#,
            c(x + 9.0),
            c(yy),
            esc(label)
        );
    }
}

/// Section 2: each trial's score by trial id, the best-so-far line, and unscored trials
/// marked by shape and colour in a band above the plot.
pub(super) fn history(page: &mut String, input: &HtmlInput, shown: &Shown) {
    page.push_str("<section id=\"history\">\n<h2>2. Optimization history</h2>\n");
    let _ = writeln!(
        page,
        "<p class=\"note\">Each trial's score (lowest validation loss) by trial id; trial ids are the order of the space (grid index or random draw), not the order in which trials finished. The black steps are the best score so far. Diverged and failed trials have no score and sit in the band at the top.</p>{}",
        shown.note(input.trials.len())
    );
    let scored: Vec<&TrialRow> = input.trials.iter().filter(|t| t.is_scored()).collect();
    let with_loss = input
        .trials
        .iter()
        .filter(|t| t.val_loss.is_some_and(f64::is_finite));
    let (w, h) = (1000.0, 380.0);
    let frame = Frame {
        left: 70.0,
        top: 40.0,
        width: w - 250.0,
        height: h - 100.0,
        x: Scale::numeric(input.trials.iter().map(|t| t.trial as f64), false),
        y: loss_scale(with_loss.map(|t| t.val_loss.unwrap_or(f64::NAN))),
    };
    let mut s = svg::open(w, h, "optimization history: validation loss by trial id");
    frame.axes(&mut s, "trial id", LOSS);
    let band = frame.top - 18.0;
    let unscored = input
        .trials
        .iter()
        .any(|t| matches!(t.status.as_str(), "diverged" | "failed") || t.val_loss.is_none());
    if unscored {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" dy="4" font-size="10" text-anchor="end">no score</text>"#,
            c(frame.left - 6.0),
            c(band)
        );
    }
    // Best so far over every scored trial, in id order: a step line.
    let mut by_id: Vec<&TrialRow> = scored.clone();
    by_id.sort_by_key(|t| t.trial);
    let mut steps = Vec::new();
    let mut best = f64::INFINITY;
    for t in &by_id {
        let v = t.val_loss.unwrap_or(f64::INFINITY);
        if v < best {
            if best.is_finite() {
                steps.push((frame.px(t.trial as f64), frame.py(best)));
            }
            best = v;
            steps.push((frame.px(t.trial as f64), frame.py(best)));
        }
    }
    if let Some(last) = input.trials.iter().map(|t| t.trial).max()
        && best.is_finite()
    {
        steps.push((frame.px(last as f64), frame.py(best)));
    }
    let mut order: Vec<&TrialRow> = shown.indices.iter().map(|&i| &input.trials[i]).collect();
    order.sort_by_key(|t| t.trial);
    for t in order {
        let (m, colour) = status_marker(&t.status);
        let x = frame.px(t.trial as f64);
        match t
            .val_loss
            .filter(|v| v.is_finite() && t.status != "diverged" && t.status != "failed")
        {
            Some(v) => svg::marker(
                &mut s,
                m,
                x,
                frame.py(v),
                colour,
                &format!(
                    "trial {} ({}): validation loss {}",
                    t.trial,
                    t.status,
                    num(v)
                ),
            ),
            None => svg::marker(
                &mut s,
                m,
                x,
                band,
                colour,
                &format!("trial {} ({})", t.trial, t.status),
            ),
        }
    }
    svg::polyline(&mut s, &steps, svg::INK, r#"stroke-width="1.5""#);
    let mut items = vec![(
        Marker::Circle,
        svg::BLUE,
        "scored (completed, stopped early)".to_string(),
    )];
    let present = |s: &str| input.trials.iter().any(|t| t.status == s);
    if present("pruned") {
        items.push((
            Marker::Square,
            svg::ORANGE,
            "pruned (score at its last rung)".to_string(),
        ));
    }
    if present("diverged") {
        items.push((Marker::Cross, svg::VERMILLION, "diverged".to_string()));
    }
    if input.trials.iter().any(|t| {
        !matches!(
            t.status.as_str(),
            "completed" | "stopped_early" | "pruned" | "diverged"
        )
    }) {
        items.push((Marker::Triangle, svg::INK, "failed or other".to_string()));
    }
    let lx = frame.left + frame.width + 24.0;
    let _ = write!(
        s,
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5"/><text x="{}" y="{}" dy="4" font-size="11">best so far</text>"#,
        c(lx - 4.0),
        c(frame.top),
        c(lx + 4.0),
        c(frame.top),
        svg::INK,
        c(lx + 9.0),
        c(frame.top)
    );
    legend(&mut s, lx, frame.top + 16.0, &items);
    s.push_str("</svg>\n");
    page.push_str(&s);
    page.push_str("</section>\n");
}

/// Section 3: validation (solid) and training (dashed) loss by epoch for the top trials, and
/// the learning rate η_t on a second panel.
pub(super) fn curves(page: &mut String, input: &HtmlInput) {
    page.push_str("<section id=\"curves\">\n<h2>3. Learning curves</h2>\n");
    let curves: Vec<&(u64, Vec<super::CurvePoint>)> =
        input.curves.iter().filter(|(_, p)| !p.is_empty()).collect();
    if curves.is_empty() {
        page.push_str("<p>No learning curves: curves.csv is missing or holds none of the top trials.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        page,
        "<p class=\"note\">The best {} scored trials by rank. Top: validation loss (solid) and training loss (dashed, mean of the epoch's mini-batches, without the penalty term). Bottom: the learning rate η_t used in each epoch, where the decay schedules show. Colour runs from rank 1 (dark) to rank {} (light).</p>",
        curves.len(),
        curves.len()
    );
    let colour = |i: usize| viridis(0.85 * i as f64 / (curves.len().max(2) - 1) as f64);
    let epochs = curves
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.epoch as f64));
    let losses = curves
        .iter()
        .flat_map(|(_, p)| p.iter().flat_map(|q| [q.val_loss, q.train_loss]))
        .flatten();
    let rates = curves
        .iter()
        .flat_map(|(_, p)| p.iter().filter_map(|q| q.learning_rate));
    let (w, left, width) = (1000.0, 70.0, 750.0);
    let loss = Frame {
        left,
        top: 20.0,
        width,
        height: 300.0,
        x: Scale::numeric(epochs.clone(), false),
        y: loss_scale(losses),
    };
    let rate = Frame {
        left,
        top: 390.0,
        width,
        height: 150.0,
        x: Scale::numeric(epochs, false),
        y: loss_scale(rates),
    };
    let mut s = svg::open(w, 590.0, "learning curves of the top trials");
    loss.axes(&mut s, "epoch (0-based)", "loss (cross-entropy, nats)");
    rate.axes(&mut s, "epoch (0-based)", "learning rate η_t");
    let rank_of = |id: u64| {
        input
            .trials
            .iter()
            .find(|t| t.trial == id)
            .map_or(0, |t| t.rank)
    };
    // Worst first, so the best is drawn on top.
    for (i, (id, points)) in curves.iter().enumerate().rev() {
        let col = colour(i);
        let line = |f: fn(&super::CurvePoint) -> Option<f64>, frame: &Frame| -> Vec<(f64, f64)> {
            points
                .iter()
                .filter_map(|p| {
                    f(p).filter(|v| v.is_finite())
                        .map(|v| (frame.px(p.epoch as f64), frame.py(v)))
                })
                .collect()
        };
        let title = format!("<title>rank {}, trial {id}</title>", rank_of(*id));
        let wrap = |s: &mut String, points: &[(f64, f64)], extra: &str| {
            s.push_str("<g>");
            s.push_str(&title);
            svg::polyline(s, points, &col, extra);
            s.push_str("</g>");
        };
        wrap(
            &mut s,
            &line(|p| p.train_loss, &loss),
            r#"stroke-width="1.5" stroke-dasharray="5 3""#,
        );
        wrap(&mut s, &line(|p| p.val_loss, &loss), r#"stroke-width="2""#);
        wrap(
            &mut s,
            &line(|p| p.learning_rate, &rate),
            r#"stroke-width="1.5""#,
        );
    }
    let lx = left + width + 24.0;
    for (i, (id, points)) in curves.iter().enumerate() {
        let y = 30.0 + i as f64 * 17.0;
        let best = points
            .iter()
            .filter_map(|p| p.val_loss)
            .fold(f64::INFINITY, f64::min);
        let _ = write!(
            s,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"/><text x="{}" y="{}" dy="4" font-size="11">#{} trial {id} ({})</text>"#,
            c(lx),
            c(y),
            c(lx + 18.0),
            c(y),
            colour(i),
            c(lx + 24.0),
            c(y),
            rank_of(*id),
            num(best)
        );
    }
    let y = 40.0 + curves.len() as f64 * 17.0;
    let _ = write!(
        s,
        r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#555" stroke-width="2"/><text x="{}" y="{y}" dy="4" font-size="11">validation</text><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#555" stroke-width="1.5" stroke-dasharray="5 3"/><text x="{}" y="{}" dy="4" font-size="11">training</text>"##,
        c(lx),
        c(lx + 18.0),
        c(lx + 24.0),
        c(lx),
        c(y + 17.0),
        c(lx + 18.0),
        c(y + 17.0),
        c(lx + 24.0),
        c(y + 17.0)
    );
    s.push_str("</svg>\n</section>\n");
    page.push_str(&s);
}

/// The axis of parameter `p` over `trials` (non-empty values only).
fn param_scale(input: &HtmlInput, p: usize, trials: &[&TrialRow]) -> Scale {
    let values = trials
        .iter()
        .map(|t| t.params[p].as_str())
        .filter(|v| !v.is_empty());
    match input.scale(p) {
        ParamScale::Categories => {
            let mut names: Vec<&str> = values.collect();
            // Numbers in numeric order, then names alphabetically.
            names.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => x.total_cmp(&y),
                (Ok(_), Err(_)) => std::cmp::Ordering::Less,
                (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
                (Err(_), Err(_)) => a.cmp(b),
            });
            names.dedup();
            Scale::Categories(names.into_iter().map(String::from).collect())
        }
        scale => Scale::numeric(
            values.filter_map(|v| v.parse::<f64>().ok()),
            scale == ParamScale::Log,
        ),
    }
}

/// Position of a trial's value on `scale` as a fraction, with a deterministic jitter of up to
/// ±30% of a column for categories so that points do not hide one another.
fn param_fraction(scale: &Scale, value: &str, trial: u64) -> Option<f64> {
    match scale {
        Scale::Categories(names) => {
            let f = scale.category(value)?;
            let hash = trial.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40;
            let jitter = (hash % 1000) as f64 / 1000.0 - 0.5;
            Some(f + jitter * 0.6 / names.len() as f64)
        }
        _ => value.parse::<f64>().ok().map(|v| scale.fraction(v)),
    }
}

fn unit(scale: &Scale) -> &'static str {
    match scale {
        Scale::Log { .. } => " (log scale)",
        Scale::Categories(_) => " (choice)",
        Scale::Linear { .. } => "",
    }
}

/// How to read the points: hover, or why there is none (`drawn` points per plot).
fn hover_note(drawn: usize) -> String {
    if drawn > HOVER_POINTS {
        format!(
            " With more than {HOVER_POINTS} trials drawn, points carry no hover text here (hover them in the history); this keeps the page fast."
        )
    } else {
        " Hover over a point or line for its trial.".to_string()
    }
}

/// Section 4: score against each parameter that varies, one small plot each.
pub(super) fn slices(page: &mut String, input: &HtmlInput, shown: &Shown) {
    page.push_str("<section id=\"slices\">\n<h2>4. Parameter slices</h2>\n");
    let varying = varying(input);
    if varying.is_empty() {
        page.push_str(
            "<p>No parameter takes more than one value among the scored trials.</p>\n</section>\n",
        );
        return;
    }
    let scored: Vec<&TrialRow> = shown
        .indices
        .iter()
        .map(|&i| &input.trials[i])
        .filter(|t| t.is_scored())
        .collect();
    let _ = writeln!(
        page,
        "<p class=\"note\">The score of each scored trial against one parameter at a time; log axes where the space samples on a log scale, one column per value for choices (points spread sideways so they do not hide one another). Trials where a parameter does not apply are left out of its plot.{}</p>{}",
        hover_note(scored.len()),
        shown.note(input.trials.len())
    );
    let all: Vec<&TrialRow> = input.trials.iter().filter(|t| t.is_scored()).collect();
    let y = loss_scale(all.iter().map(|t| t.val_loss.unwrap_or(f64::NAN)));
    page.push_str("<div class=\"grid\">\n");
    for p in varying {
        let name = &input.params[p];
        let x = param_scale(input, p, &all);
        let title = format!("{name}{}", unit(&x));
        let frame = Frame {
            left: 64.0,
            top: 12.0,
            width: 300.0,
            height: 200.0,
            x,
            y: y.clone(),
        };
        let applies = all.iter().filter(|t| !t.params[p].is_empty()).count();
        let mut s = svg::open(380.0, 280.0, &format!("validation loss against {name}"));
        frame.axes(&mut s, &title, "validation loss (nats)");
        let mut dots = Vec::new();
        for t in &scored {
            let value = &t.params[p];
            let (Some(f), Some(v)) = (param_fraction(&frame.x, value, t.trial), t.val_loss) else {
                continue;
            };
            if scored.len() > HOVER_POINTS {
                dots.push((frame.fx(f), frame.py(v)));
                continue;
            }
            svg::marker(
                &mut s,
                Marker::Circle,
                frame.fx(f),
                frame.py(v),
                svg::BLUE,
                &format!(
                    "trial {}: {name} = {value}, validation loss {}",
                    t.trial,
                    num(v)
                ),
            );
        }
        svg::dots(&mut s, &dots, svg::BLUE);
        if applies < all.len() {
            let _ = write!(
                s,
                r#"<text x="{}" y="272" font-size="10" text-anchor="end">applies to {applies} of {} scored trials</text>"#,
                c(frame.left + frame.width),
                all.len()
            );
        }
        s.push_str("</svg>\n");
        page.push_str(&s);
    }
    page.push_str("</div>\n</section>\n");
}

/// Section 5: parallel coordinates of the scored trials, one vertical axis per varying
/// parameter and one for the score, each trial a line coloured by its score.
pub(super) fn parallel(page: &mut String, input: &HtmlInput, shown: &Shown) {
    page.push_str("<section id=\"parallel\">\n<h2>5. Parallel coordinates</h2>\n");
    let varying = varying(input);
    let all: Vec<&TrialRow> = input.trials.iter().filter(|t| t.is_scored()).collect();
    if varying.is_empty() || all.is_empty() {
        page.push_str(
            "<p>Nothing to draw: no parameter varies among the scored trials.</p>\n</section>\n",
        );
        return;
    }
    let mut drawn: Vec<&TrialRow> = shown
        .indices
        .iter()
        .map(|&i| &input.trials[i])
        .filter(|t| t.is_scored())
        .collect();
    drawn.reverse();
    let many = drawn.len() > HOVER_POINTS;
    let _ = writeln!(
        page,
        "<p class=\"note\">Each scored trial is a line through its parameter values (left) to its validation loss (right axis), coloured by that loss: dark is good, light is poor. The best are drawn on top. Where a parameter does not apply the line passes through “n/a” below its axis.{}</p>{}",
        hover_note(drawn.len()),
        shown.note(input.trials.len())
    );
    let score = loss_scale(all.iter().map(|t| t.val_loss.unwrap_or(f64::NAN)));
    let mut axes: Vec<(String, Scale)> = varying
        .iter()
        .map(|&p| (input.params[p].clone(), param_scale(input, p, &all)))
        .collect();
    axes.push(("validation loss".to_string(), score.clone()));
    let (top, height) = (30.0, 300.0);
    let gap = (800.0 / (axes.len() - 1).max(1) as f64).min(200.0);
    let left = 70.0;
    let w = left + gap * (axes.len() - 1) as f64 + 140.0;
    let na = top + height + 18.0;
    let mut s = svg::open(
        w,
        top + height + 70.0,
        "parallel coordinates of the scored trials",
    );
    let fy = |f: f64| top + (1.0 - f) * height;
    for t in drawn {
        let v = t.val_loss.unwrap_or(f64::NAN);
        let mut points = Vec::with_capacity(axes.len());
        for (k, &p) in varying.iter().enumerate() {
            let y = param_fraction(&axes[k].1, &t.params[p], t.trial).map_or(na, fy);
            points.push((left + gap * k as f64, y));
        }
        points.push((left + gap * varying.len() as f64, fy(score.fraction(v))));
        let hover = !many;
        if hover {
            let _ = write!(
                s,
                "<g><title>trial {}: validation loss {}</title>",
                t.trial,
                num(v)
            );
        }
        svg::polyline(
            &mut s,
            &points,
            &viridis(0.9 * score.fraction(v)),
            r#"stroke-width="1.2" stroke-opacity="0.6""#,
        );
        if hover {
            s.push_str("</g>");
        }
    }
    for (k, (name, scale)) in axes.iter().enumerate() {
        let x = c(left + gap * k as f64);
        let _ = write!(
            s,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#333"/><text x="{x}" y="{}" font-size="12" text-anchor="middle" font-weight="600">{}</text>"##,
            c(top),
            c(top + height),
            c(top - 12.0),
            esc(&format!(
                "{name}{}",
                if scale.is_log() { " (log)" } else { "" }
            ))
        );
        for (f, label) in scale.ticks() {
            let _ = write!(
                s,
                r##"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="#333"/><text x="{}" y="{y}" dy="4" font-size="10" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
                c(left + gap * k as f64 + 4.0),
                c(left + gap * k as f64 + 6.0),
                esc(&label),
                y = c(fy(f))
            );
        }
        if k < varying.len() && all.iter().any(|t| t.params[varying[k]].is_empty()) {
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" dy="4" font-size="10">n/a</text>"#,
                c(left + gap * k as f64 + 6.0),
                c(na)
            );
        }
    }
    // Colour bar beside the score axis.
    let bx = left + gap * varying.len() as f64 + 60.0;
    for i in 0..20 {
        let f0 = i as f64 / 20.0;
        let _ = write!(
            s,
            r#"<rect x="{}" y="{}" width="14" height="{}" fill="{}"/>"#,
            c(bx),
            c(fy(f0 + 0.05)),
            c(height / 20.0 + 0.5),
            viridis(0.9 * (f0 + 0.025))
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" font-size="11">colour</text>"#,
        c(bx - 4.0),
        c(top - 12.0)
    );
    s.push_str("</svg>\n</section>\n");
    page.push_str(&s);
}

/// The fraction of the variance of the score explained by each varying parameter's main
/// effect (ε², η² corrected for the number of groups): scored trials grouped by the parameter's value (a choice: one group per value;
/// a range: up to 10 quantile bins; one group where it does not apply). Sorted, largest first.
pub(crate) fn importance(input: &HtmlInput, varying: &[usize]) -> Vec<(String, f64)> {
    let scored: Vec<&TrialRow> = input.trials.iter().filter(|t| t.is_scored()).collect();
    let y: Vec<f64> = scored.iter().map(|t| t.val_loss.unwrap_or(0.0)).collect();
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let total: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    let mut out: Vec<(String, f64)> = varying
        .iter()
        .map(|&p| {
            let groups = groups(input, p, &scored);
            let mut sums: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
            for (g, v) in groups.iter().zip(&y) {
                let e = sums.entry(*g).or_default();
                e.0 += v;
                e.1 += 1.0;
            }
            let between: f64 = sums.values().map(|(s, k)| k * (s / k - mean).powi(2)).sum();
            // ε² (Kelley 1935): η² less its expected value under no effect, so that many
            // small groups do not make a parameter look important by chance.
            let k = sums.len() as f64;
            let within = (total - between).max(0.0);
            let share = if total > 0.0 && n > k {
                ((between - (k - 1.0) * within / (n - k)) / total).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (input.params[p].clone(), share)
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The group of each trial for parameter `p`: 0 where it does not apply, else 1 + the value's
/// category (choices, or ranges with at most 10 distinct values) or its quantile bin.
fn groups(input: &HtmlInput, p: usize, trials: &[&TrialRow]) -> Vec<usize> {
    const BINS: usize = 10;
    let values: Vec<&str> = trials.iter().map(|t| t.params[p].as_str()).collect();
    let mut distinct: Vec<&str> = values.iter().copied().filter(|v| !v.is_empty()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let numeric = input.scale(p) != ParamScale::Categories;
    if !numeric || distinct.len() <= BINS {
        return values
            .iter()
            .map(|v| distinct.binary_search(v).map_or(0, |i| i + 1))
            .collect();
    }
    // Quantile bins of the active values, by rank (ties share a bin).
    let mut active: Vec<f64> = values
        .iter()
        .filter_map(|v| v.parse::<f64>().ok())
        .collect();
    active.sort_by(f64::total_cmp);
    values
        .iter()
        .map(|v| match v.parse::<f64>() {
            Err(_) => 0,
            Ok(x) => {
                let below = active.partition_point(|a| *a < x);
                1 + below * BINS / active.len()
            }
        })
        .collect()
}

/// Section 6: parameter importance as a bar chart, with its method stated.
pub(super) fn importance_section(page: &mut String, input: &HtmlInput) {
    page.push_str("<section id=\"importance\">\n<h2>6. Parameter importance</h2>\n");
    page.push_str("<p class=\"note\">Method: the share of the variance of the validation loss that each parameter explains on its own (its main effect), as in a one-way analysis of variance. Scored trials are grouped by the parameter's value: one group per choice, up to ten quantile bins for a range, and one group where the parameter does not apply. The share is ε² (Kelley, 1935): the between-group variance, less what that many groups would explain by chance, divided by the total variance (0 when nothing is explained beyond chance). Effects can overlap and interactions are not counted, so the shares need not add up to 100%. With few trials per group read it as an ordering, not a measurement.</p>\n");
    let varying = varying(input);
    let scored = input.trials.iter().filter(|t| t.is_scored()).count();
    if scored < MIN_IMPORTANCE_TRIALS {
        let _ = writeln!(
            page,
            "<p>Not shown: it needs at least {MIN_IMPORTANCE_TRIALS} scored trials, and this sweep has {scored}.</p>\n</section>"
        );
        return;
    }
    if varying.is_empty() {
        page.push_str(
            "<p>Not shown: no parameter varies among the scored trials.</p>\n</section>\n",
        );
        return;
    }
    let shares = importance(input, &varying);
    let (left, bar_w, row) = (160.0, 600.0, 24.0);
    let h = 40.0 + row * shares.len() as f64;
    let mut s = svg::open(left + bar_w + 80.0, h, "parameter importance");
    for (i, (name, share)) in shares.iter().enumerate() {
        let y = 10.0 + i as f64 * row;
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text><rect x="{}" y="{}" width="{}" height="{}" fill="{}"/><text x="{}" y="{}" font-size="11">{}%</text>"##,
            c(left - 8.0),
            c(y + 15.0),
            esc(name),
            c(left),
            c(y + 3.0),
            c(bar_w * share),
            c(row - 6.0),
            svg::BLUE,
            c(left + bar_w * share + 6.0),
            c(y + 15.0),
            num((share * 1000.0).round() / 10.0)
        );
    }
    let base = 10.0 + row * shares.len() as f64;
    for k in 0..=4 {
        let x = c(left + bar_w * k as f64 / 4.0);
        let _ = write!(
            s,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#999"/><text x="{x}" y="{}" font-size="10" text-anchor="middle">{}%</text>"##,
            c(base),
            c(base + 4.0),
            c(base + 16.0),
            k * 25
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>"##,
        c(left),
        c(base),
        c(left + bar_w),
        c(base)
    );
    s.push_str("</svg>\n</section>\n");
    page.push_str(&s);
}

/// Section 8 (7 without rungs): the confusion matrix of the winner as a heat map, coloured by
/// the share of each actual class (row).
pub(super) fn confusion(page: &mut String, input: &HtmlInput) {
    let number = if input.has_rungs { 8 } else { 7 };
    let _ = writeln!(
        page,
        "<section id=\"heldout\">\n<h2>{number}. The winner on held-out data</h2>"
    );
    let Some(m) = &input.confusion else {
        page.push_str("<p>The confusion matrix is not available: this results directory has no confusion.csv.</p>\n</section>\n");
        return;
    };
    let split = if input.test.is_some() {
        "test"
    } else {
        "validation"
    };
    let total: u64 = m.counts.iter().flatten().sum();
    let right: u64 = m
        .actual
        .iter()
        .enumerate()
        .filter_map(|(i, a)| Some(m.counts[i][m.predicted.iter().position(|p| p == a)?]))
        .sum();
    let _ = writeln!(
        page,
        "<p class=\"note\">Counts of the winner's predictions on the {split} split ({total} samples, accuracy {}): rows are the actual class, columns the predicted class; the diagonal is right. Colour is the share of the row (dark 0%, light 100%), so a class's recall reads along its row.</p>",
        num(if total > 0 {
            right as f64 / total as f64
        } else {
            f64::NAN
        })
    );
    let n = m.predicted.len().max(m.actual.len()).max(1);
    if n > MAX_CLASSES {
        let _ = writeln!(
            page,
            "<p>{n} classes are too many to draw as a matrix here (at most {MAX_CLASSES}); confusion.csv has every count.</p>\n</section>"
        );
        return;
    }
    let cell = (520.0 / n as f64).clamp(6.0, 48.0);
    let label_w = 8.0
        * m.actual
            .iter()
            .chain(&m.predicted)
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(1)
            .min(24) as f64
        + 16.0;
    // Column names are turned 60°: they rise about 0.87 of their length.
    let (left, top) = (label_w + 30.0, 0.87 * label_w + 28.0);
    let w = left + cell * m.predicted.len() as f64 + 20.0;
    let h = top + cell * m.actual.len() as f64 + 20.0;
    let mut s = svg::open(w, h, &format!("confusion matrix on the {split} split"));
    let text_in_cells = cell >= 22.0;
    for (i, row) in m.counts.iter().enumerate() {
        let sum: u64 = row.iter().sum();
        for (j, &count) in row.iter().enumerate() {
            let share = if sum > 0 {
                count as f64 / sum as f64
            } else {
                0.0
            };
            let (x, y) = (left + cell * j as f64, top + cell * i as f64);
            let _ = write!(
                s,
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff"><title>actual {}, predicted {}: {count} ({}% of the row)</title></rect>"##,
                c(x),
                c(y),
                c(cell),
                c(cell),
                viridis(share),
                esc(&m.actual[i]),
                esc(&m.predicted[j]),
                num((share * 1000.0).round() / 10.0)
            );
            if text_in_cells {
                let _ = write!(
                    s,
                    r##"<text x="{}" y="{}" dy="4" font-size="11" text-anchor="middle" fill="{}">{count}</text>"##,
                    c(x + cell / 2.0),
                    c(y + cell / 2.0),
                    if svg::dark(share) { "#fff" } else { "#000" }
                );
            }
        }
    }
    for (i, name) in m.actual.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" dy="4" font-size="11" text-anchor="end">{}</text>"#,
            c(left - 6.0),
            c(top + cell * (i as f64 + 0.5)),
            esc(name)
        );
    }
    for (j, name) in m.predicted.iter().enumerate() {
        let (x, y) = (c(left + cell * (j as f64 + 0.5)), c(top - 6.0));
        let _ = write!(
            s,
            r#"<text x="{x}" y="{y}" dy="4" font-size="11" transform="rotate(-60 {x} {y})">{}</text>"#,
            esc(name)
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="14" font-size="12" text-anchor="middle">predicted class</text>"#,
        c(left + cell * m.predicted.len() as f64 / 2.0)
    );
    let (yx, yy) = (c(14.0), c(top + cell * m.actual.len() as f64 / 2.0));
    let _ = write!(
        s,
        r#"<text x="{yx}" y="{yy}" font-size="12" text-anchor="middle" transform="rotate(-90 {yx} {yy})">actual class</text>"#
    );
    s.push_str("</svg>\n</section>\n");
    page.push_str(&s);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::html::input::{HtmlInput, TrialRow};

    fn trial(id: u64, loss: f64, params: [&str; 3]) -> TrialRow {
        TrialRow {
            score: Some(loss),
            rank: id + 1,
            trial: id,
            status: "completed".to_string(),
            val_loss: Some(loss),
            val_loss_std: None,
            best_epoch: None,
            val_accuracy: None,
            train_loss: None,
            epochs_run: None,
            seconds: None,
            params: params.map(String::from).to_vec(),
            message: String::new(),
            bracket: None,
            rung: None,
        }
    }

    /// The score is 1 for `a = x` and 3 for `a = y`; `b` alternates independently of `a`;
    /// `c` applies to some trials only, with one value.
    fn input() -> HtmlInput {
        let trials = (0..12)
            .map(|i| {
                let a = if i < 6 { "x" } else { "y" };
                let b = if i % 2 == 0 { "p" } else { "q" };
                let c = if i % 3 == 0 { "" } else { "0.5" };
                trial(i, if a == "x" { 1.0 } else { 3.0 }, [a, b, c])
            })
            .collect();
        HtmlInput {
            name: "t".to_string(),
            space_text: None,
            space: Err("none".to_string()),
            scales: Default::default(),
            data: None,
            params: vec!["a".into(), "b".into(), "c".into()],
            trials,
            has_rungs: false,
            curves: Vec::new(),
            test: None,
            confusion: None,
        }
    }

    #[test]
    fn importance_is_the_share_of_variance_of_each_main_effect() {
        let input = input();
        let shares = importance(&input, &varying(&input));
        assert_eq!(shares[0], ("a".to_string(), 1.0));
        // b splits each a-group evenly: its group means equal the overall mean.
        assert_eq!(shares[1], ("b".to_string(), 0.0));
    }

    #[test]
    fn a_group_per_trial_explains_nothing_beyond_chance() {
        let mut input = input();
        for t in &mut input.trials {
            t.params[2] = format!("v{}", t.trial);
        }
        // η² would be 1: every trial is its own group.
        let shares = importance(&input, &[2]);
        assert_eq!(shares, [("c".to_string(), 0.0)]);
    }

    #[test]
    fn a_parameter_varies_only_with_two_applied_values() {
        let input = input();
        // c is "" or 0.5: applying to some trials only is not variation.
        assert_eq!(varying(&input), [0, 1]);
    }
}
