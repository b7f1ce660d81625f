//! Samplers side by side with Optuna (issue 13): hpsearch's TPE (at batch 1 and batch 4) and
//! random search on the four test functions of `../shared/bench/samplers/` (Branin, Hartmann-6,
//! Rosenbrock-5, "nnmixed"; definitions in its README.md and optuna_functions.py), 30 seeds ×
//! 100 trials each, next to Optuna's TPE and random sampler read from that folder's jsonl.
//! Then the sampler's cost: one ask + tell at 1,000 finished trials with 10 parameters.
//!
//!     cargo bench --bench samplers
//!     cargo bench --bench samplers -- --seeds 10 --functions branin,nnmixed --skip-cost
//!     cargo bench --bench samplers -- --jsonl PATH    # Optuna's results (default: the shared file)
//!     cargo bench --bench samplers -- --first-seed 30 # seeds 30..60 (Optuna's rows stay 0..30)
//!     cargo bench --bench samplers -- --candidates 48 --gamma 0.15 --prior-weight 0.5  # variants
//!     cargo bench --bench samplers -- --out PATH      # also every study's best-after-k, as jsonl
//!
//! Each study is sequential, as Optuna's: ask one configuration, evaluate, tell (the history
//! grows). With batch B, proposals are made in rounds of B: proposals Bk..Bk+B−1 all see the
//! first Bk results only (what a sweep with `-j B` does to stay deterministic).
//!
//! Cells: median [25th, 75th percentile] over the seeds of the best value among the first k
//! trials (percentiles interpolated linearly, as numpy.percentile).

use std::path::{Path, PathBuf};
use std::time::Instant;

use hpsearch::search::random;
use hpsearch::search::tpe::{self, Observation, TpeSettings};
use hpsearch::space::schema::{Kind, ParamSpec};
use hpsearch::space::value::Params;
use hpsearch::space::{self, SearchSpace};

const CHECKPOINTS: [usize; 4] = [10, 25, 50, 100];
const TRIALS: usize = 100;

const REAL: Kind = Kind::Float {
    lo: f64::NEG_INFINITY,
    hi: f64::INFINITY,
    lo_open: true,
    hi_open: true,
};

const fn param(name: &'static str, kind: Kind) -> ParamSpec {
    ParamSpec {
        name,
        kind,
        default: None,
        depends_on: &[],
        active: None,
        help: "a test-function parameter",
    }
}

/// The parameters of all four functions (each space gives the ones it uses), plus two more for
/// the cost benchmark.
static SCHEMA: &[ParamSpec] = &[
    param("x1", REAL),
    param("x2", REAL),
    param("x3", REAL),
    param("x4", REAL),
    param("x5", REAL),
    param("x6", REAL),
    param("lr", REAL),
    param("activation", Kind::Choice(&["relu", "tanh", "sigmoid"])),
    param("layers", Kind::Int { lo: 1, hi: 100 }),
    param("width", Kind::Int { lo: 1, hi: 100_000 }),
];

struct Function {
    name: &'static str,
    params: &'static str,
    f: fn(&Params) -> f64,
}

fn x(p: &Params, name: &str) -> f64 {
    p.get(name)
        .and_then(|v| v.as_f64())
        .expect("a numeric parameter")
}

fn branin(p: &Params) -> f64 {
    let (x1, x2) = (x(p, "x1"), x(p, "x2"));
    let pi = std::f64::consts::PI;
    let (a, b, c) = (1.0, 5.1 / (4.0 * pi * pi), 5.0 / pi);
    let (r, s, t) = (6.0, 10.0, 1.0 / (8.0 * pi));
    a * (x2 - b * x1 * x1 + c * x1 - r).powi(2) + s * (1.0 - t) * x1.cos() + s
}

const H6_ALPHA: [f64; 4] = [1.0, 1.2, 3.0, 3.2];
const H6_A: [[f64; 6]; 4] = [
    [10.0, 3.0, 17.0, 3.50, 1.7, 8.0],
    [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
    [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
    [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
];
const H6_P: [[f64; 6]; 4] = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];

fn hartmann6(p: &Params) -> f64 {
    let xs: Vec<f64> = (1..=6).map(|j| x(p, &format!("x{j}"))).collect();
    let mut total = 0.0;
    for i in 0..4 {
        let mut inner = 0.0;
        for j in 0..6 {
            inner += H6_A[i][j] * (xs[j] - H6_P[i][j]).powi(2);
        }
        total += H6_ALPHA[i] * (-inner).exp();
    }
    -total
}

fn rosenbrock5(p: &Params) -> f64 {
    let xs: Vec<f64> = (1..=5).map(|j| x(p, &format!("x{j}"))).collect();
    (0..4)
        .map(|i| 100.0 * (xs[i + 1] - xs[i] * xs[i]).powi(2) + (1.0 - xs[i]).powi(2))
        .sum()
}

fn nnmixed(p: &Params) -> f64 {
    let u = x(p, "lr").log10();
    let layers = x(p, "layers");
    let activation = p.get("activation").and_then(|v| v.as_str());
    let (c, b) = match activation {
        Some("relu") => (-2.5, 0.10),
        Some("tanh") => (-2.0, 0.15),
        Some("sigmoid") => (-1.5, 0.30),
        other => panic!("unknown activation {other:?}"),
    };
    let u_star = c - 0.25 * (layers - 1.0);
    if u - u_star > 1.25 {
        return std::f64::consts::LN_10;
    }
    b + 0.03 * (layers - 2.0).powi(2) + 0.4 * (u - u_star).powi(2)
}

const FUNCTIONS: &[Function] = &[
    Function {
        name: "branin",
        params: "x1 = { uniform = [-5.0, 10.0] }\nx2 = { uniform = [0.0, 15.0] }\n",
        f: branin,
    },
    Function {
        name: "hartmann6",
        params: "x1 = { uniform = [0.0, 1.0] }\nx2 = { uniform = [0.0, 1.0] }\n\
                 x3 = { uniform = [0.0, 1.0] }\nx4 = { uniform = [0.0, 1.0] }\n\
                 x5 = { uniform = [0.0, 1.0] }\nx6 = { uniform = [0.0, 1.0] }\n",
        f: hartmann6,
    },
    Function {
        name: "rosenbrock5",
        params: "x1 = { uniform = [-2.048, 2.048] }\nx2 = { uniform = [-2.048, 2.048] }\n\
                 x3 = { uniform = [-2.048, 2.048] }\nx4 = { uniform = [-2.048, 2.048] }\n\
                 x5 = { uniform = [-2.048, 2.048] }\n",
        f: rosenbrock5,
    },
    Function {
        name: "nnmixed",
        params: "lr = { log_uniform = [1e-4, 1.0] }\n\
                 activation = [\"relu\", \"tanh\", \"sigmoid\"]\n\
                 layers = { int = [1, 3] }\n",
        f: nnmixed,
    },
];

fn space(name: &str, seed: u64, params: &str) -> SearchSpace {
    let text = format!(
        "name = \"{name}\"\nseed = {seed}\n\n[data]\nbuiltin = \"iris\"\n\n\
         [search]\nstrategy = \"random\"\ntrials = {TRIALS}\n\n[params]\n{params}"
    );
    space::parse(&text, Path::new("bench.toml"), SCHEMA).unwrap_or_else(|e| panic!("{e}"))
}

#[derive(Clone, Copy)]
enum Sampler {
    Tpe { batch: usize },
    Random,
}

/// One study: the values of its trials in order, and the seconds spent proposing.
fn study(
    space: &SearchSpace,
    f: fn(&Params) -> f64,
    sampler: Sampler,
    settings: &TpeSettings,
) -> (Vec<f64>, f64) {
    let mut params: Vec<Params> = Vec::with_capacity(TRIALS);
    let mut values: Vec<f64> = Vec::with_capacity(TRIALS);
    let mut seconds = 0.0;
    for i in 0..TRIALS {
        let start = Instant::now();
        let p = match sampler {
            Sampler::Random => random::assignment(space, i as u64),
            Sampler::Tpe { batch } => {
                let seen = i / batch * batch;
                let history: Vec<Observation<'_>> = params[..seen]
                    .iter()
                    .zip(&values)
                    .map(|(params, &v)| Observation {
                        params,
                        score: Some(v),
                    })
                    .collect();
                tpe::propose(space, settings, i as u64, &history)
            }
        };
        seconds += start.elapsed().as_secs_f64();
        values.push(f(&p));
        params.push(p);
    }
    (values, seconds)
}

/// `numpy.percentile(xs, q)` with linear interpolation.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q / 100.0 * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// (median, 25th, 75th percentile) of the best value after each checkpoint.
type Quartiles = [(f64, f64, f64); 4];

/// One table row: sampler label, quartiles, sampler ms per trial (ours only).
type Row = (String, Quartiles, Option<f64>);

/// (median, q25, q75) of the best value after each checkpoint, over studies.
fn summary(bests: &[[f64; 4]]) -> Quartiles {
    std::array::from_fn(|c| {
        let mut xs: Vec<f64> = bests.iter().map(|b| b[c]).collect();
        xs.sort_by(f64::total_cmp);
        (
            percentile(&xs, 50.0),
            percentile(&xs, 25.0),
            percentile(&xs, 75.0),
        )
    })
}

fn best_after(values: &[f64]) -> [f64; 4] {
    std::array::from_fn(|c| {
        values[..CHECKPOINTS[c]]
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min)
    })
}

fn fmt(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.4}")
    }
}

fn cell((m, q25, q75): (f64, f64, f64)) -> String {
    format!("{} [{}, {}]", fmt(m), fmt(q25), fmt(q75))
}

/// Optuna's best-after-k per (function, sampler), one entry per study, from the jsonl.
fn optuna(path: &Path, function: &str, sampler: &str) -> Vec<[f64; 4]> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read Optuna's results {}: {e}", path.display()));
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|v| v["kind"] == "study" && v["function"] == function && v["sampler"] == sampler)
        .map(|v| {
            std::array::from_fn(|c| {
                v["best"][CHECKPOINTS[c].to_string()]
                    .as_f64()
                    .expect("best after k is a number")
            })
        })
        .collect()
}

struct Args {
    settings: TpeSettings,
    first_seed: u64,
    seeds: u64,
    functions: Vec<String>,
    jsonl: PathBuf,
    out: Option<PathBuf>,
    skip_cost: bool,
}

fn args() -> Args {
    let mut args = Args {
        settings: TpeSettings::default(),
        first_seed: 0,
        seeds: 30,
        functions: FUNCTIONS.iter().map(|f| f.name.to_string()).collect(),
        jsonl: Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/bench/samplers/results-2026-12-02.jsonl"),
        out: None,
        skip_cost: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seeds" => args.seeds = it.next().and_then(|s| s.parse().ok()).expect("--seeds N"),
            "--first-seed" => {
                args.first_seed = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--first-seed S")
            }
            "--functions" => {
                args.functions = it
                    .next()
                    .expect("--functions a,b")
                    .split(',')
                    .map(str::to_string)
                    .collect()
            }
            "--jsonl" => args.jsonl = it.next().expect("--jsonl PATH").into(),
            "--out" => args.out = Some(it.next().expect("--out PATH").into()),
            "--skip-cost" => args.skip_cost = true,
            "--candidates" => {
                args.settings.candidates = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--candidates N")
            }
            "--gamma" => {
                args.settings.gamma =
                    Some(it.next().and_then(|s| s.parse().ok()).expect("--gamma G"))
            }
            "--prior-weight" => {
                args.settings.prior_weight = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--prior-weight W")
            }
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

fn main() {
    let args = args();
    println!(
        "## Samplers: best value after k trials, median [25th, 75th percentile] over {} seeds\n",
        args.seeds
    );
    println!(
        "| function | sampler | best after 10 | best after 25 | best after 50 | best after 100 | sampler ms/trial |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let mut verdicts = Vec::new();
    let mut out = args.out.as_ref().map(|path| {
        std::fs::File::create(path)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()))
    });
    for function in FUNCTIONS
        .iter()
        .filter(|f| args.functions.iter().any(|n| n == f.name))
    {
        let ours = [
            ("hpsearch tpe, batch 1", Sampler::Tpe { batch: 1 }),
            ("hpsearch tpe, batch 4", Sampler::Tpe { batch: 4 }),
            ("hpsearch random", Sampler::Random),
        ];
        let mut rows: Vec<Row> = Vec::new();
        for (label, name) in [("optuna tpe", "tpe"), ("optuna random", "random")] {
            let bests = optuna(&args.jsonl, function.name, name);
            if !bests.is_empty() {
                rows.push((label.to_string(), summary(&bests), None));
            }
        }
        for (label, sampler) in ours {
            let mut bests = Vec::new();
            let mut seconds = 0.0;
            for seed in args.first_seed..args.first_seed + args.seeds {
                let space = space(function.name, seed, function.params);
                let (values, s) = study(&space, function.f, sampler, &args.settings);
                seconds += s;
                let best = best_after(&values);
                if let Some(file) = out.as_mut() {
                    let line = serde_json::json!({
                        "kind": "study",
                        "function": function.name,
                        "sampler": label,
                        "seed": seed,
                        "best": CHECKPOINTS.iter().zip(best).map(|(k, b)| (k.to_string(), serde_json::Value::from(b)))
                            .collect::<serde_json::Map<_, _>>(),
                    });
                    use std::io::Write;
                    writeln!(file, "{line}").expect("write --out");
                }
                bests.push(best);
            }
            let ms = seconds * 1e3 / (args.seeds as f64 * TRIALS as f64);
            rows.push((label.to_string(), summary(&bests), Some(ms)));
        }
        for (label, cells, ms) in &rows {
            println!(
                "| {} | {label} | {} | {} | {} | {} | {} |",
                function.name,
                cell(cells[0]),
                cell(cells[1]),
                cell(cells[2]),
                cell(cells[3]),
                ms.map(|m| format!("{m:.3}")).unwrap_or_else(|| "–".into())
            );
        }
        let median = |label: &str, c: usize| {
            rows.iter()
                .find(|r| r.0 == label)
                .map(|r| r.1[c].0)
                .unwrap_or(f64::NAN)
        };
        for c in [2, 3] {
            let ours = median("hpsearch tpe, batch 1", c);
            let theirs = median("optuna tpe", c);
            let random = median("hpsearch random", c);
            verdicts.push(format!(
                "- {} after {}: hpsearch tpe {:.7} vs optuna tpe {:.7} ({}), vs hpsearch random {} ({})",
                function.name,
                CHECKPOINTS[c],
                ours,
                theirs,
                if ours <= theirs {
                    "as good or better"
                } else {
                    "WORSE"
                },
                fmt(random),
                if ours < random {
                    "better"
                } else {
                    "NOT BETTER"
                },
            ));
        }
    }
    println!("\nTargets (medians, batch 1):\n");
    for v in verdicts {
        println!("{v}");
    }
    if !args.skip_cost {
        cost(&args.settings);
    }
}

/// ask + tell at 1,000 finished trials with 10 parameters of every form.
fn cost(settings: &TpeSettings) {
    const PARAMS: &str = "x1 = { uniform = [0.0, 1.0] }\nx2 = { uniform = [-5.0, 5.0] }\n\
        x3 = { uniform = [0.0, 1.0], num = 11 }\nx4 = { log_uniform = [1e-3, 10.0] }\n\
        x5 = { log_uniform = [1e-6, 1e-2], num = 5 }\nx6 = { uniform = [0.0, 2.0] }\n\
        lr = { log_uniform = [1e-4, 1.0] }\nactivation = [\"relu\", \"tanh\", \"sigmoid\"]\n\
        layers = { int = [1, 8] }\nwidth = { int = [8, 1024], log = true }\n";
    const FINISHED: usize = 1000;
    const ASKS: usize = 100;
    let space = space("cost", 1, PARAMS);
    let score = |p: &Params| -> f64 {
        ["x1", "x2", "x3", "x4", "x5", "x6", "lr", "layers", "width"]
            .iter()
            .map(|n| x(p, n).abs().ln_1p())
            .sum()
    };
    let mut params: Vec<Params> = (0..FINISHED as u64)
        .map(|i| random::assignment(&space, i))
        .collect();
    let mut scores: Vec<Option<f64>> = params.iter().map(|p| Some(score(p))).collect();
    let mut wall = Vec::with_capacity(ASKS);
    let first_cpu = thread_cpu_ns();
    for k in 0..ASKS {
        let start = Instant::now();
        let history: Vec<Observation<'_>> = params
            .iter()
            .zip(&scores)
            .map(|(params, &score)| Observation { params, score })
            .collect();
        let p = tpe::propose(&space, settings, (FINISHED + k) as u64, &history);
        drop(history);
        let s = score(&p);
        // tell: the history grows by the finished trial.
        params.push(p);
        scores.push(Some(s));
        wall.push(start.elapsed().as_secs_f64() * 1e3);
        params.truncate(FINISHED);
        scores.truncate(FINISHED);
    }
    println!(
        "\n## Sampler cost: ask + tell at {FINISHED} finished trials, 10 parameters, {ASKS} asks\n"
    );
    let cpu = first_cpu
        .zip(thread_cpu_ns())
        .map(|(a, b)| (b - a) as f64 / 1e6 / ASKS as f64);
    wall.sort_by(f64::total_cmp);
    println!(
        "- wall time per ask: median {:.3} ms [25th {:.3}, 75th {:.3}], min {:.3} ms, max {:.3} ms (target < 5 ms)",
        percentile(&wall, 50.0),
        percentile(&wall, 25.0),
        percentile(&wall, 75.0),
        wall[0],
        wall[ASKS - 1]
    );
    if let Some(cpu) = cpu {
        println!("- CPU time per ask (mean over the {ASKS} asks): {cpu:.3} ms");
    }
}

/// CPU time of this thread in ns (Linux: /proc/thread-self/schedstat), less inflated than
/// wall time when other work shares the cores.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
