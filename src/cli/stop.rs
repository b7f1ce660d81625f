//! Stopping a sweep early: Ctrl-C (SIGINT), SIGTERM (what Slurm, systemd, Docker and
//! Kubernetes send before SIGKILL) or `--time-limit`. Each sets the runner's stop flag: no trial
//! starts, the running ones stop after their current epoch, and what finished is kept. A second
//! signal quits at once, with 128 + its number.
//!
//! signal-hook, not ctrlc: ctrlc's handler cannot tell SIGINT from SIGTERM, and the exit code
//! (130 or 143) must say which arrived.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::flag;

use super::{EXIT_INTERRUPTED, EXIT_TERMINATED};

/// What `cause` holds once the time limit stopped the sweep (signals store their number).
const TIME_LIMIT: usize = usize::MAX;

/// Why a sweep stopped before every trial ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// Ctrl-C (SIGINT).
    Interrupted,
    /// SIGTERM.
    Terminated,
    /// `--time-limit` was reached.
    TimeLimit,
}

impl Cause {
    /// The exit code of a sweep stopped this way: 128 + the signal, or 0 for the time limit
    /// (a planned end).
    pub fn exit_code(self) -> u8 {
        match self {
            Cause::Interrupted => EXIT_INTERRUPTED,
            Cause::Terminated => EXIT_TERMINATED,
            Cause::TimeLimit => 0,
        }
    }
}

/// The stop flag and what set it.
pub struct Stop {
    flag: Arc<AtomicBool>,
    cause: Arc<AtomicUsize>,
}

impl Stop {
    /// Handles SIGINT and SIGTERM from now on, and starts the clock of `time_limit`.
    pub fn install(time_limit: Option<Duration>) -> io::Result<Stop> {
        let stop = Stop {
            flag: Arc::new(AtomicBool::new(false)),
            cause: Arc::new(AtomicUsize::new(0)),
        };
        // Set by signals only: Ctrl-C after the time limit is still a first Ctrl-C.
        let armed = Arc::new(AtomicBool::new(false));
        for signal in [SIGINT, SIGTERM] {
            // Actions run in this order: quit if a signal came before, else record which one
            // and arm the quit for the next.
            flag::register_conditional_shutdown(signal, 128 + signal, Arc::clone(&armed))?;
            flag::register_usize(signal, Arc::clone(&stop.cause), signal as usize)?;
            flag::register(signal, Arc::clone(&armed))?;
            flag::register(signal, Arc::clone(&stop.flag))?;
        }
        if let Some(limit) = time_limit {
            let (flag, cause) = (Arc::clone(&stop.flag), Arc::clone(&stop.cause));
            // Detached: a sweep that ends first simply exits under it.
            std::thread::Builder::new()
                .name("hpsearch-time-limit".to_string())
                .spawn(move || {
                    std::thread::sleep(limit);
                    let _ =
                        cause.compare_exchange(0, TIME_LIMIT, Ordering::SeqCst, Ordering::SeqCst);
                    flag.store(true, Ordering::SeqCst);
                })?;
        }
        Ok(stop)
    }

    /// The flag the runner watches.
    pub fn flag(&self) -> &AtomicBool {
        &self.flag
    }

    /// What stopped the sweep, if anything did.
    pub fn cause(&self) -> Option<Cause> {
        match self.cause.load(Ordering::SeqCst) {
            0 => None,
            TIME_LIMIT => Some(Cause::TimeLimit),
            s if s == SIGTERM as usize => Some(Cause::Terminated),
            _ => Some(Cause::Interrupted),
        }
    }
}

/// Parses `--time-limit`: a duration such as `90m`, `2h`, `1h30m` or `3600s` (humantime's
/// syntax), longer than zero.
pub fn parse_time_limit(text: &str) -> Result<Duration, String> {
    let limit = humantime::parse_duration(text)
        .map_err(|e| format!("{e}; write a duration such as 90m, 2h, 1h30m or 3600s"))?;
    if limit.is_zero() {
        return Err("the time limit must be longer than 0s".to_string());
    }
    Ok(limit)
}

/// What stopped the sweep, what was kept (`kept` of `total` trials in `out`), and the command
/// that goes on (`space`, `out` and `jobs` as given), shell-quoted so that it can be pasted.
pub fn notice(
    cause: Cause,
    kept: usize,
    total: usize,
    space: &Path,
    out: &Path,
    jobs: Option<u16>,
) -> String {
    let what = match cause {
        Cause::Interrupted => "interrupted",
        Cause::Terminated => "terminated (SIGTERM)",
        Cause::TimeLimit => "stopped at the time limit",
    };
    let kept = if kept == 0 {
        "no trial finished, nothing was kept".to_string()
    } else {
        format!(
            "{kept} of {total} trials are in {}",
            out.join("trials.csv").display()
        )
    };
    let mut command = vec![
        "hpsearch".to_string(),
        "run".to_string(),
        quote(space),
        "--resume".to_string(),
        "--out".to_string(),
        quote(out),
    ];
    if let Some(jobs) = jobs {
        command.extend(["-j".to_string(), jobs.to_string()]);
    }
    format!("{what}: {kept}\nresume with: {}", command.join(" "))
}

/// `path` as one shell word (shlex's POSIX quoting: `'my results'`); a path that is not UTF-8
/// is shown with replacement characters, and one holding a NUL byte, which no shell can pass,
/// as it is.
fn quote(path: &Path) -> String {
    let text = path.to_string_lossy();
    shlex::try_quote(&text).map_or_else(|_| text.to_string(), |q| q.into_owned())
}
