//! `hpsearch report RESULTS_DIR [--top K] [--json]`: rebuild ranked.csv, curves.csv and
//! report.html from the results directory, then print the ranking (a table, or JSON).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use hpsearch::objective::params::MLP_PARAMS;
use hpsearch::report::{self, ResultsDir, html};

use super::Failure;
use super::summary::{print_ranking, print_summary};

/// Arguments of `report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// A results directory written by `hpsearch run`.
    #[arg(value_name = "RESULTS_DIR")]
    dir: PathBuf,
    /// Rows of the ranking to print.
    #[arg(long, value_name = "K", default_value_t = 10)]
    top: usize,
    /// Print the whole ranking as JSON on stdout (one object per trial, typed values) instead
    /// of the table; the files are rebuilt all the same.
    #[arg(long)]
    json: bool,
}

/// Runs `report`.
pub fn report(args: ReportArgs) -> Result<ExitCode, Failure> {
    let dir = ResultsDir::open(&args.dir)?;
    let ranked = report::write_reports(&dir, args.top)?;
    let page = html::write_file(&dir, MLP_PARAMS)?;
    if args.json {
        let path = dir.file("ranked.csv");
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        report::write_json(std::io::BufReader::new(file), &mut out)?;
        std::io::Write::flush(&mut out)?;
        errln!("wrote {} and {}", path.display(), page.display());
        return Ok(ExitCode::SUCCESS);
    }
    print_ranking(&ranked, args.top)?;
    print_summary(&ranked, ranked.trials)?;
    outln!(
        "wrote {} and {}",
        dir.file("ranked.csv").display(),
        page.display()
    )?;
    Ok(ExitCode::SUCCESS)
}
