//! `hpsearch plan SPACE.toml [--csv]`: validate the space and its data spec, list the trials,
//! train nothing.
//!
//! Exit codes: 0 valid; 2 invalid space (or usage); 1 the data spec cannot be used (missing
//! file, no source).

use std::process::ExitCode;

use anyhow::Context;

use super::{Failure, SpaceArg, table};
use hpsearch::objective::params::MLP_PARAMS;
use hpsearch::search::{self, TrialConfig};
use hpsearch::space;

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
    let space = space::load(&args.space.space, MLP_PARAMS).map_err(Failure::invalid)?;
    hpsearch::data::check(space.data(), space.base_dir())
        .with_context(|| format!("{}: [data]", space.path().display()))?;
    let count = search::count(&space).map_err(Failure::invalid)?;
    let trials = search::trials(&space).map_err(Failure::invalid)?;
    let columns = search::active_params(&trials);
    super::warn_inactive(&space, &columns);
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
