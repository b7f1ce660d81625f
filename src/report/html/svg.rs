//! A small SVG writer for the report's plots: scales (linear, log, categories), tick choice,
//! number formatting, axes, and the two colour maps.
//!
//! Hand-written rather than `plotters`: the plots need per-point `<title>` hover text, which
//! plotters' SVG backend cannot attach; they must be byte-identical on every rebuild (we fix
//! every coordinate to one decimal); and the whole module is smaller than the glue plotters
//! would need. Output has no `xmlns` (inline SVG in HTML needs none) and no external reference.

use std::fmt::Write as _;

/// Okabe & Ito (2008) colours, distinguishable with every common colour-vision deficiency.
pub const BLUE: &str = "#0072B2";
/// Okabe–Ito orange.
pub const ORANGE: &str = "#E69F00";
/// Okabe–Ito vermillion.
pub const VERMILLION: &str = "#D55E00";
/// Axis and text colour.
pub const INK: &str = "#222";

/// Viridis (van der Walt & Smith, matplotlib) sampled at 9 points: perceptually uniform,
/// monotone in lightness (so it reads in grey) and safe for colour-blind readers.
const VIRIDIS: [[u8; 3]; 9] = [
    [68, 1, 84],
    [71, 45, 123],
    [59, 82, 139],
    [44, 114, 142],
    [33, 145, 140],
    [40, 174, 128],
    [94, 201, 98],
    [170, 220, 50],
    [253, 231, 37],
];

/// The viridis colour at `t` in [0, 1] (0 dark purple, 1 yellow), as `#rrggbb`.
pub fn viridis(t: f64) -> String {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let c = |k: usize| {
        let (a, b) = (f64::from(VIRIDIS[i][k]), f64::from(VIRIDIS[i + 1][k]));
        (a + (b - a) * f).round() as u8
    };
    format!("#{:02x}{:02x}{:02x}", c(0), c(1), c(2))
}

/// Whether text on viridis at `t` should be white (the colour is dark).
pub fn dark(t: f64) -> bool {
    t < 0.55
}

/// A number for people: at most 4 significant digits, no trailing zeros, exponent form
/// (`1e-4`) below 0.001 and from 1,000,000; `–` for a missing or non-finite value.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let e = x.abs().log10().floor();
    if !(-3.0..6.0).contains(&e) {
        let s = format!("{x:.3e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        return format!("{}e{exp}", trim_zeros(mantissa));
    }
    let decimals = (3.0 - e).max(0.0) as usize;
    trim_zeros(&format!("{x:.decimals$}")).to_string()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// A coordinate, fixed to one decimal so output is identical on every rebuild.
pub fn c(x: f64) -> String {
    let x = if x.is_finite() { x } else { 0.0 };
    let s = format!("{x:.1}");
    if s == "-0.0" { "0.0".to_string() } else { s }
}

/// Escapes text for HTML and XML (content and attribute values).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// How data values map to a pixel range.
#[derive(Clone, Debug)]
pub enum Scale {
    /// Linear between `lo` and `hi`.
    Linear {
        /// Lowest value.
        lo: f64,
        /// Highest value.
        hi: f64,
    },
    /// Logarithmic between `lo` and `hi` (both > 0).
    Log {
        /// Lowest value.
        lo: f64,
        /// Highest value.
        hi: f64,
    },
    /// Named categories, evenly spaced in the given order.
    Categories(Vec<String>),
}

impl Scale {
    /// A numeric scale covering `values` (non-finite ones ignored), logarithmic when `log`
    /// and every value is > 0; padded by 4% so points do not sit on the frame.
    pub fn numeric(values: impl IntoIterator<Item = f64>, log: bool) -> Scale {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.into_iter().filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            return Scale::Linear { lo: 0.0, hi: 1.0 };
        }
        if log && lo > 0.0 {
            let (a, b) = (lo.ln(), hi.ln());
            let pad = if b > a { (b - a) * 0.04 } else { 0.5 };
            return Scale::Log {
                lo: (a - pad).exp(),
                hi: (b + pad).exp(),
            };
        }
        let pad = if hi > lo {
            (hi - lo) * 0.04
        } else {
            lo.abs().max(1.0) * 0.5
        };
        Scale::Linear {
            lo: lo - pad,
            hi: hi + pad,
        }
    }

    /// Where `v` falls, as a fraction of the range (0 at `lo`, 1 at `hi`).
    pub fn fraction(&self, v: f64) -> f64 {
        match self {
            Scale::Linear { lo, hi } => (v - lo) / (hi - lo),
            Scale::Log { lo, hi } => {
                (v.max(f64::MIN_POSITIVE).ln() - lo.ln()) / (hi.ln() - lo.ln())
            }
            Scale::Categories(names) => (v + 0.5) / names.len().max(1) as f64,
        }
    }

    /// Where category `name` falls (as for [`Scale::fraction`]), if it is one.
    pub fn category(&self, name: &str) -> Option<f64> {
        match self {
            Scale::Categories(names) => names
                .iter()
                .position(|n| n == name)
                .map(|i| self.fraction(i as f64)),
            _ => None,
        }
    }

    /// Whether the scale is logarithmic.
    pub fn is_log(&self) -> bool {
        matches!(self, Scale::Log { .. })
    }

    /// Tick positions (as fractions) and their labels: about five round numbers, powers of
    /// ten (with 2× and 5× when few) on a log scale, every category.
    pub fn ticks(&self) -> Vec<(f64, String)> {
        match self {
            Scale::Linear { lo, hi } => linear_ticks(*lo, *hi)
                .into_iter()
                .map(|v| (self.fraction(v), num(v)))
                .collect(),
            Scale::Log { lo, hi } => {
                let mut ticks = log_ticks(*lo, *hi, &[1.0]);
                if ticks.len() > 7 {
                    // Many decades: every k-th power of ten, about six in all.
                    let k = ticks.len().div_ceil(6);
                    ticks = ticks.into_iter().step_by(k).collect();
                }
                if ticks.len() < 3 {
                    ticks = log_ticks(*lo, *hi, &[1.0, 2.0, 5.0]);
                }
                if ticks.len() < 2 {
                    ticks = linear_ticks(*lo, *hi);
                }
                ticks
                    .into_iter()
                    .map(|v| (self.fraction(v), num(v)))
                    .collect()
            }
            Scale::Categories(names) => names
                .iter()
                .enumerate()
                .map(|(i, n)| (self.fraction(i as f64), n.clone()))
                .collect(),
        }
    }
}

fn linear_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if hi <= lo || !hi.is_finite() || !lo.is_finite() {
        return vec![lo];
    }
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    // Multiply, never accumulate, so 0.1 + 0.2 never prints as 0.30000000000000004.
    (first..=last).map(|k| k as f64 * step).collect()
}

fn log_ticks(lo: f64, hi: f64, mantissas: &[f64]) -> Vec<f64> {
    let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let mut ticks = Vec::new();
    for e in a..=b {
        for m in mantissas {
            let v = m * 10f64.powi(e);
            if v >= lo && v <= hi {
                ticks.push(v);
            }
        }
    }
    ticks
}

/// A plot area inside an SVG: pixel box and the scales of its two axes.
pub struct Frame {
    /// Left edge of the plot area, px.
    pub left: f64,
    /// Top edge, px.
    pub top: f64,
    /// Width, px.
    pub width: f64,
    /// Height, px.
    pub height: f64,
    /// Horizontal scale.
    pub x: Scale,
    /// Vertical scale (fraction 0 at the bottom).
    pub y: Scale,
}

impl Frame {
    /// Pixel x of data value `v`.
    pub fn px(&self, v: f64) -> f64 {
        self.left + self.x.fraction(v) * self.width
    }
    /// Pixel y of data value `v`.
    pub fn py(&self, v: f64) -> f64 {
        self.top + (1.0 - self.y.fraction(v)) * self.height
    }
    /// Pixel x of a horizontal fraction.
    pub fn fx(&self, f: f64) -> f64 {
        self.left + f * self.width
    }
    /// Pixel y of a vertical fraction.
    pub fn fy(&self, f: f64) -> f64 {
        self.top + (1.0 - f) * self.height
    }

    /// Draws the frame, grid lines, ticks with labels, and the axis titles (which name the
    /// unit). Long category labels on x are turned 30°.
    pub fn axes(&self, svg: &mut String, x_title: &str, y_title: &str) {
        let (l, t, w, h) = (self.left, self.top, self.width, self.height);
        let b = t + h;
        let _ = write!(
            svg,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#999"/>"##,
            c(l),
            c(t),
            c(w),
            c(h)
        );
        let turn = matches!(&self.x, Scale::Categories(n) if n.iter().map(|s| s.chars().count()).sum::<usize>() * 7 > w as usize);
        for (f, label) in self.x.ticks() {
            let x = c(self.fx(f));
            let _ = write!(
                svg,
                r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#e4e4e4"/><line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#999"/>"##,
                c(t),
                c(b),
                c(b),
                c(b + 4.0)
            );
            if turn {
                let _ = write!(
                    svg,
                    r#"<text x="{x}" y="{}" font-size="11" text-anchor="end" transform="rotate(-30 {x} {})">{}</text>"#,
                    c(b + 14.0),
                    c(b + 14.0),
                    esc(&label)
                );
            } else {
                let _ = write!(
                    svg,
                    r#"<text x="{x}" y="{}" font-size="11" text-anchor="middle">{}</text>"#,
                    c(b + 16.0),
                    esc(&label)
                );
            }
        }
        for (f, label) in self.y.ticks() {
            let y = c(self.fy(f));
            let _ = write!(
                svg,
                r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#e4e4e4"/><line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#999"/><text x="{}" y="{y}" dy="4" font-size="11" text-anchor="end">{}</text>"##,
                c(l),
                c(l + w),
                c(l - 4.0),
                c(l),
                c(l - 6.0),
                esc(&label)
            );
        }
        let below = if turn { 52.0 } else { 34.0 };
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text>"#,
            c(l + w / 2.0),
            c(b + below),
            esc(x_title)
        );
        let (yx, yy) = (c(l - 48.0), c(t + h / 2.0));
        let _ = write!(
            svg,
            r#"<text x="{yx}" y="{yy}" font-size="12" text-anchor="middle" transform="rotate(-90 {yx} {yy})">{}</text>"#,
            esc(y_title)
        );
    }
}

/// Opens an `<svg>` of `width` × `height` px with an accessible label.
pub fn open(width: f64, height: f64, label: &str) -> String {
    format!(
        r#"<svg width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}" font-family="sans-serif" fill="{INK}">"#,
        c(width),
        c(height),
        c(width),
        c(height),
        esc(label)
    )
}

/// A marker shape, so status reads without colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// Filled circle.
    Circle,
    /// Hollow square.
    Square,
    /// Cross (×).
    Cross,
    /// Filled triangle.
    Triangle,
}

/// Draws `marker` at (x, y) in `colour`, with hover text `title`.
pub fn marker(svg: &mut String, marker: Marker, x: f64, y: f64, colour: &str, title: &str) {
    let (cx, cy) = (c(x), c(y));
    let title = esc(title);
    let _ = match marker {
        Marker::Circle => write!(
            svg,
            r#"<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}" fill-opacity="0.75"><title>{title}</title></circle>"#
        ),
        Marker::Square => write!(
            svg,
            r#"<rect x="{}" y="{}" width="6" height="6" fill="none" stroke="{colour}" stroke-width="1.5"><title>{title}</title></rect>"#,
            c(x - 3.0),
            c(y - 3.0)
        ),
        Marker::Cross => write!(
            svg,
            r#"<path d="M{} {}l7 7m0 -7l-7 7" stroke="{colour}" stroke-width="1.8"><title>{title}</title></path>"#,
            c(x - 3.5),
            c(y - 3.5)
        ),
        Marker::Triangle => write!(
            svg,
            r#"<path d="M{cx} {}l4 7h-8z" fill="{colour}"><title>{title}</title></path>"#,
            c(y - 4.0)
        ),
    };
}

/// Dots of 6 px at `points` (pixels), drawn as one path (zero-length round-capped segments): one
/// SVG element however many points, for large sweeps.
pub fn dots(svg: &mut String, points: &[(f64, f64)], colour: &str) {
    if points.is_empty() {
        return;
    }
    svg.push_str("<path d=\"");
    for (x, y) in points {
        let _ = write!(svg, "M{} {}h0", c(*x), c(*y));
    }
    let _ = write!(
        svg,
        r#"" stroke="{colour}" stroke-width="6" stroke-linecap="round" stroke-opacity="0.6" fill="none"/>"#
    );
}

/// A polyline through `points` (pixels).
pub fn polyline(svg: &mut String, points: &[(f64, f64)], colour: &str, extra: &str) {
    if points.is_empty() {
        return;
    }
    svg.push_str("<polyline points=\"");
    for (i, (x, y)) in points.iter().enumerate() {
        if i > 0 {
            svg.push(' ');
        }
        let _ = write!(svg, "{},{}", c(*x), c(*y));
    }
    let _ = write!(svg, r#"" fill="none" stroke="{colour}" {extra}/>"#);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(num(0.08657777800570324), "0.08658");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(0.3), "0.3");
        assert_eq!(num(1e-4), "1e-4");
        assert_eq!(num(2.5e-5), "2.5e-5");
        assert_eq!(num(1234567.0), "1.235e6");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(f64::NAN), "–");
    }

    #[test]
    fn linear_ticks_are_round_and_exact() {
        let s = Scale::Linear { lo: 0.0, hi: 1.0 };
        let labels: Vec<String> = s.ticks().into_iter().map(|(_, l)| l).collect();
        assert_eq!(labels, ["0", "0.2", "0.4", "0.6", "0.8", "1"]);
    }

    #[test]
    fn log_ticks_are_powers_of_ten_then_2_and_5() {
        let wide = Scale::Log { lo: 1e-6, hi: 1e-2 };
        let labels: Vec<String> = wide.ticks().into_iter().map(|(_, l)| l).collect();
        assert_eq!(labels, ["1e-6", "1e-5", "1e-4", "0.001", "0.01"]);
        let narrow = Scale::Log {
            lo: 0.009,
            hi: 0.33,
        };
        let labels: Vec<String> = narrow.ticks().into_iter().map(|(_, l)| l).collect();
        assert_eq!(labels, ["0.01", "0.02", "0.05", "0.1", "0.2"]);
        let deep = Scale::Log { lo: 1e-12, hi: 0.5 };
        let labels: Vec<String> = deep.ticks().into_iter().map(|(_, l)| l).collect();
        assert_eq!(labels, ["1e-12", "1e-10", "1e-8", "1e-6", "1e-4", "0.01"]);
    }

    #[test]
    fn viridis_runs_dark_to_light() {
        assert_eq!(viridis(0.0), "#440154");
        assert_eq!(viridis(1.0), "#fde725");
        assert_eq!(viridis(f64::NAN), "#440154");
    }

    #[test]
    fn coordinates_never_print_negative_zero() {
        assert_eq!(c(-0.01), "0.0");
        assert_eq!(c(12.345), "12.3");
    }
}
