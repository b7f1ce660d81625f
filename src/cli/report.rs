//! `hpsearch report`: rebuild the ranking from a journal. (Skeleton: issue 5.)

use std::process::ExitCode;

use super::Failure;

/// Arguments of `report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {}

/// Runs `report`.
pub fn report(_args: ReportArgs) -> Result<ExitCode, Failure> {
    todo!("issue 5")
}
