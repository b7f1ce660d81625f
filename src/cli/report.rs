//! `hpsearch report RESULTS_DIR [--top K]`: rebuild ranked.csv (and curves.csv) from the
//! journals and print the ranking.

use std::path::PathBuf;
use std::process::ExitCode;

use hpsearch::report::{self, ResultsDir};

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
}

/// Runs `report`.
pub fn report(args: ReportArgs) -> Result<ExitCode, Failure> {
    let dir = ResultsDir::open(&args.dir)?;
    let ranked = report::write_reports(&dir, args.top)?;
    print_ranking(&ranked, args.top)?;
    print_summary(&ranked, ranked.trials)?;
    outln!("wrote {}", dir.file("ranked.csv").display())?;
    Ok(ExitCode::SUCCESS)
}
