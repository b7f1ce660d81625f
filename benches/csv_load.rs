//! CSV loading speed (issue 16): `hpsearch::data::load` of one CSV file, on a rayon pool of 1
//! and of 2 threads, median of `--reps` runs (default 5) after one warm-up.
//!
//!     cargo bench --bench csv_load -- FILE.csv [--reps N]
//!
//! The spec is `path = FILE`, `standardize = false`, default label (a column named `label`,
//! else the last) and the default 20% validation split, so the time is reading, parsing and
//! splitting. `benches/csv_load.py` runs it alternately with `pandas.read_csv` (C engine) on
//! the same file; `benches/mnist_csv.py` writes MNIST's training images as such a file.
//!
//! Output: a table and one `RESULT {json}` line per pool size.

use std::path::{Path, PathBuf};
use std::time::Instant;

use hpsearch::data::{self, DataSpec};

fn main() {
    let mut file = None;
    let mut reps = 5usize;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--reps" => {
                reps = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n >= 1)
                    .expect("--reps takes an integer ≥ 1");
            }
            _ if a.starts_with('-') => {}
            _ => file = Some(PathBuf::from(a)),
        }
    }
    let Some(file) = file else {
        println!("usage: cargo bench --bench csv_load -- FILE.csv [--reps N]");
        return;
    };
    let toml = format!(
        "path = {:?}\nstandardize = false",
        file.display().to_string()
    );
    let spec: DataSpec = toml::from_str(&toml).expect("a valid spec");
    println!("threads  median s  min s   rows");
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool");
        let mut times = Vec::new();
        let mut rows = 0;
        for rep in 0..=reps {
            let start = Instant::now();
            let d = pool
                .install(|| data::load(&spec, Path::new("."), 0))
                .unwrap_or_else(|e| panic!("{e}"));
            if rep > 0 {
                times.push(start.elapsed().as_secs_f64());
            }
            rows = d.train.y.len() + d.validation.y.len();
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        println!("{threads:>7}  {median:>8.3}  {:>5.3}  {rows}", times[0]);
        println!(
            "RESULT {{\"threads\":{threads},\"median_s\":{median:.4},\"min_s\":{:.4},\"rows\":{rows}}}",
            times[0]
        );
    }
}
