//! `hpsearch plan SPACE.toml [--csv]`: validate the space, load its data as `run` does and
//! summarize it (samples, features, classes, split sizes), list the trials, train nothing.
//!
//! Exit codes are `run`'s: 0 valid; 2 invalid space (or usage); 1 the data cannot be used
//! (a missing or malformed file, a class too small to split, an empty test split, …), with the
//! message `run` gives.

use std::process::ExitCode;

use super::{Failure, SpaceArg, table};
use hpsearch::objective::params::MLP_PARAMS;
use hpsearch::search::{self, TrialConfig};
use hpsearch::{data, space};

/// Arguments of `plan`.
#[derive(clap::Args, Debug)]
pub struct PlanArgs {
    #[command(flatten)]
    space: SpaceArg,
    /// Print the trials as CSV instead of a table.
    #[arg(long)]
    csv: bool,
}

/// Runs `plan`.
pub fn plan(args: PlanArgs) -> Result<ExitCode, Failure> {
    // The steps and their order are run's, so that plan fails where and as run would.
    let space = space::load(&args.space.space, MLP_PARAMS).map_err(Failure::invalid)?;
    let count = search::count(&space).map_err(Failure::invalid)?;
    let trials = search::trials(&space).map_err(Failure::invalid)?;
    let columns = search::active_params(&trials);
    super::warn_inactive(&space, &columns);
    let data = data::load(space.data(), space.base_dir(), space.seed())?.summary(space.data());
    // On stderr, like the warnings: stdout keeps its format (the count, then the trials).
    errln!("data: {data}");
    let (headers, rows) = listing(&trials, &columns);
    let summary = format!(
        "{count} trial{} ({})",
        if count == 1 { "" } else { "s" },
        space.strategy().name()
    );
    if args.csv {
        errln!("{summary}");
        let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
        writer.write_record(&headers)?;
        for row in &rows {
            writer.write_record(row)?;
        }
        writer.flush()?;
    } else {
        outln!("{summary}")?;
        outln!("{}", table::render(&headers, &rows).trim_end())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The header (`trial`, then `columns`: every parameter active in at least one trial) and one
/// row per trial, with an empty cell where a parameter is inactive.
fn listing(trials: &[TrialConfig], columns: &[String]) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = std::iter::once("trial".to_string())
        .chain(columns.iter().map(|c| c.to_string()))
        .collect();
    let rows = trials
        .iter()
        .map(|t| {
            std::iter::once(t.id.to_string())
                .chain(
                    columns
                        .iter()
                        .map(|c| t.params.get(c).map(|v| v.to_string()).unwrap_or_default()),
                )
                .collect()
        })
        .collect();
    (headers, rows)
}
