//! `hpsearch plan SPACE.toml`: validate and list the trials. (Skeleton: issue 3.)

use std::process::ExitCode;

use super::{Failure, SpaceArg};

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
pub fn plan(_args: PlanArgs) -> Result<ExitCode, Failure> {
    todo!("issue 3")
}
