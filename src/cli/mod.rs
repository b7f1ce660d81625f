//! The command line: parses arguments, dispatches to one file per subcommand, and maps errors
//! to exit codes. The only code that prints.

/// `println!` that returns an `io::Result` instead of panicking when stdout is closed
/// (`hpsearch plan s.toml | head`); `main` ends such a run quietly.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `eprintln!` that never panics: a failed write to stderr (`2>/dev/full`, a closed pipe) is
/// ignored, so it cannot change how a run ends or its exit code.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod plan;
mod predict;
mod progress;
mod report;
mod run;
mod shards;
mod slurm;
mod stop;
mod summary;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code: the command could not run (data, I/O, every trial failed).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: invalid search space or usage.
pub const EXIT_INVALID: u8 = 2;
/// Exit code: interrupted by Ctrl-C (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;
/// Exit code: stopped by SIGTERM (128 + SIGTERM).
pub const EXIT_TERMINATED: u8 = 143;

#[derive(Parser, Debug)]
#[command(
    name = "hpsearch",
    version,
    about = "Hyper-parameter search for neural networks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a sweep: train every trial of SPACE and write ranked reports.
    Run(run::RunArgs),
    /// Validate SPACE and list its trials without training anything.
    Plan(plan::PlanArgs),
    /// Rebuild ranked.csv, curves.csv and report.html from a results directory and print the ranking.
    Report(report::ReportArgs),
    /// Write (and with --submit, submit) Slurm job arrays that run SPACE's shards on a cluster.
    Slurm(slurm::SlurmArgs),
    /// Predict the class of each row of DATA with a saved model; score it when DATA has labels.
    Predict(predict::PredictArgs),
}

/// An error with the exit code it should end the process with.
#[derive(Debug)]
pub struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl Failure {
    /// The space or the usage is invalid (exit 2).
    pub fn invalid(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: EXIT_INVALID,
            error: error.into(),
        }
    }
}

/// Anything else is "could not run" (exit 1).
impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure {
            code: EXIT_FAILURE,
            error: error.into(),
        }
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Plan(args) => plan::plan(args),
        Command::Report(args) => report::report(args),
        Command::Slurm(args) => slurm::slurm(args),
        Command::Predict(args) => predict::predict(args),
    };
    match result {
        Ok(code) => code,
        Err(Failure { error, .. }) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(Failure { code, error }) => {
            errln!("error: {error:#}");
            ExitCode::from(code)
        }
    }
}

/// Warns about parameters the file gives that apply to no trial, e.g. `alpha` without a
/// `regularization`: probably a mistake, and silently ignored otherwise.
/// `active`: the parameters active in some trial ([`hpsearch::search::active_params`]).
fn warn_inactive(space: &hpsearch::space::SearchSpace, active: &[String]) {
    for param in space.params() {
        if param.is_given() && !active.iter().any(|a| a == param.name()) {
            errln!(
                "warning: {}: params.{} is given but applies to no trial ({})",
                space.path().display(),
                param.name(),
                param.spec().help
            );
        }
    }
}

/// Refuses (exit 2) a space whose strategy would run nothing: a Hyperband `budget` below the
/// cost of its first bracket.
fn check_runs_something(
    space: &hpsearch::space::SearchSpace,
    study: &hpsearch::search::Study<'_>,
) -> Result<(), Failure> {
    if study.configurations() > 0 {
        return Ok(());
    }
    let first = hpsearch::space::Strategy::rungs(space.strategy())
        .map(|r| hpsearch::search::brackets::hyperband(r, None))
        .and_then(|pass| {
            pass.first()
                .map(hpsearch::search::brackets::BracketPlan::cost)
        });
    let need = first.map_or_else(String::new, |c| format!(" ({c} epochs)"));
    Err(Failure::invalid(anyhow::anyhow!(
        "{}: search.budget is smaller than Hyperband's first bracket{need}: nothing would run\nhint: raise search.budget to at least the first bracket's cost (`hpsearch plan` without budget lists each bracket's epochs), or remove it for one pass over the brackets",
        space.path().display()
    )))
}

/// Whether `error` comes from stdout being closed by its reader, which is no failure.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The path argument shared by subcommands that read a space file.
#[derive(clap::Args, Debug)]
pub struct SpaceArg {
    /// The search-space file (TOML).
    #[arg(value_name = "SPACE.toml")]
    pub space: PathBuf,
}
