//! `hpsearch run`: the sweep pipeline. (Skeleton: issue 5.)

use std::process::ExitCode;

use super::{Failure, SpaceArg};

/// Arguments of `run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    space: SpaceArg,
}

/// Runs `run`.
pub fn run(_args: RunArgs) -> Result<ExitCode, Failure> {
    todo!("issue 5")
}
