//! `hpsearch run SPACE.toml`: the sweep pipeline, step for step: load the space → sample the
//! trials → prepare the results directory → load the data → run with observers → rank → write
//! → print the top of the ranking.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;

use hpsearch::objective::mlp::MlpObjective;
use hpsearch::objective::params::MLP_PARAMS;
use hpsearch::objective::{Objective, TrialStatus};
use hpsearch::report::{self, RankKey, Recorder, ReportError, ResultsDir};
use hpsearch::runner::{self, Observers};
use hpsearch::{data, search, space};

use super::progress::Progress;
use super::{EXIT_FAILURE, EXIT_INTERRUPTED, Failure, SpaceArg, table};

/// Arguments of `run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    space: SpaceArg,
    /// Trials run at once, one per worker thread [default: the number of cores].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Results directory [default: results/NAME, NAME from the space file].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Finish an interrupted sweep: run only the trials missing from DIR/trials.csv.
    #[arg(long)]
    resume: bool,
    /// No progress bars (the final summary is still printed).
    #[arg(short, long)]
    quiet: bool,
    /// Rows of the ranking to print.
    #[arg(long, value_name = "K", default_value_t = 10)]
    top: usize,
}

/// Runs `run`.
pub fn run(args: RunArgs) -> Result<ExitCode, Failure> {
    let space_path = &args.space.space;
    let space = space::load(space_path, MLP_PARAMS).map_err(Failure::invalid)?;
    let total = search::count(&space).map_err(Failure::invalid)?;
    // Trials are built on demand, here one at a time: a sweep never holds them all.
    let columns = search::active_params(search::iter(&space));
    super::warn_inactive(&space, &columns);
    // Data first: a data error must not leave a results directory that blocks the next run.
    let dataset = data::load(space.data(), space.base_dir(), space.seed())?;

    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(space.name()));
    let dir = ResultsDir::create(&out, args.resume)?;
    if args.resume {
        let stored = space::load(&dir.file("space.toml"), MLP_PARAMS)
            .context("cannot read the space this sweep was started with")?;
        if stored.fingerprint() != space.fingerprint() {
            return Err(ReportError::DifferentSpace { path: out }.into());
        }
    } else {
        dir.write_atomic("space.toml", |w| w.write_all(space.text().as_bytes()))?;
    }
    let (recorder, done) = Recorder::open(&dir, columns, args.resume)?;
    let done_ids: HashSet<u64> = done.iter().map(|r| r.trial).collect();
    let pending = (0..total).filter(|id| !done_ids.contains(id));
    let total = usize::try_from(total).context("too many trials for this machine")?;

    let objective = MlpObjective::new(Arc::new(dataset));

    quiet_worker_panics();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    // Fails only if a handler is already installed, which this process never does twice.
    // A second Ctrl-C quits at once, for an epoch too long to wait for.
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    });

    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    );
    eprintln!(
        "{}: {total} trial{} ({} already done), {} data, {jobs} worker{} → {}",
        space.name(),
        if total == 1 { "" } else { "s" },
        done.len(),
        describe_data(space.data()),
        if jobs == 1 { "" } else { "s" },
        out.display()
    );
    let progress = Progress::new(&objective, total, done.len(), best_of(&done), args.quiet);
    let summary = runner::run(
        &objective,
        pending,
        &|id| search::trial(&space, id),
        jobs,
        &Observers(vec![&recorder, &progress]),
        &stop,
    );
    progress.finish();
    let summary = summary.context("the sweep stopped")?;

    let ranked = report::write_reports(&dir, args.top)?;
    print_ranking(&ranked, args.top)?;
    let winner = ranked.top.first().filter(|r| r.status.is_ranked());
    if let Some(best) = winner {
        let config = (best.trial < space.trial_count())
            .then(|| search::trial(&space, best.trial))
            .context("winner not in the space")?;
        outln!(
            "\nbest: trial {} (val_loss {})",
            best.trial,
            report::number(best.val_loss)
        )?;
        for (name, value) in config.params.iter() {
            if let Some(value) = value {
                outln!("  {name} = {value}")?;
            }
        }
        let data = data::rebased(space.data(), space.base_dir());
        let text = report::best_toml(space.name(), space.seed(), &data, &config, best.val_loss)
            .context("cannot write best.toml")?;
        dir.write_atomic("best.toml", |w| w.write_all(text.as_bytes()))?;
        if let Some(score) = (!summary.interrupted)
            .then(|| objective.test(&config))
            .flatten()
        {
            let score = score.map_err(|m| anyhow::anyhow!("testing trial {}: {m}", best.trial))?;
            dir.write_atomic("test.csv", |w| report::write_test(w, best.trial, &score))?;
            outln!(
                "test ({} samples, winner only, never used for ranking): loss {:.4}, accuracy {:.4}",
                score.samples,
                score.loss,
                score.accuracy
            )?;
        }
    }
    report::html::write_file(&dir, MLP_PARAMS)?;
    print_summary(&ranked, total)?;
    let written = [
        "ranked.csv",
        "trials.csv",
        "curves.csv",
        "best.toml",
        "test.csv",
    ]
    .into_iter()
    .filter(|f| dir.file(f).is_file())
    .collect::<Vec<_>>()
    .join(", ");
    outln!("results in {}/ ({written})", out.display())?;

    if summary.interrupted {
        eprintln!(
            "interrupted: {} of {} trials are in {}\nresume with: hpsearch run {} --resume --out {}",
            ranked.trials,
            total,
            dir.file("trials.csv").display(),
            space_path.display(),
            out.display()
        );
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    if winner.is_none() {
        eprintln!(
            "error: no trial produced a score (all failed or diverged); see the message column of ranked.csv"
        );
        return Ok(ExitCode::from(EXIT_FAILURE));
    }
    Ok(ExitCode::SUCCESS)
}

/// A panicking trial is caught and recorded as failed with its message (runner), so the
/// default hook's report would only garble the progress bars; other threads keep it.
fn quiet_worker_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let worker = std::thread::current()
            .name()
            .is_some_and(|n| n.starts_with(runner::WORKER_PREFIX));
        if !worker {
            default(info);
        }
    }));
}

/// The best (val_loss, trial) among finished trials.
fn best_of(done: &[RankKey]) -> Option<(f64, u64)> {
    done.iter()
        .min_by(|a, b| a.order(b))
        .filter(|k| k.status.is_ranked())
        .map(|k| (k.val_loss, k.trial))
}

fn describe_data(spec: &data::DataSpec) -> String {
    let source = spec.builtin.as_deref().map(|b| format!("builtin {b}"));
    let source = source.or_else(|| spec.path.as_ref().map(|p| p.display().to_string()));
    source
        .or_else(|| spec.images.as_ref().map(|p| p.display().to_string()))
        .unwrap_or_default()
}

/// Prints the top `k` of the ranking as a table.
pub fn print_ranking(ranked: &report::Ranking, k: usize) -> std::io::Result<()> {
    // Parameters that are the same in every trial say nothing about the ranking.
    let varying: Vec<usize> = (0..ranked.params.len())
        .filter(|&i| ranked.varying[i])
        .collect();
    let mut headers: Vec<String> = [
        "rank",
        "trial",
        "status",
        "val_loss",
        "val_acc",
        "best_epoch",
        "epochs_run",
    ]
    .map(String::from)
    .to_vec();
    headers.extend(varying.iter().map(|&i| ranked.params[i].clone()));
    let rows: Vec<Vec<String>> = ranked
        .top
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![
                (i + 1).to_string(),
                r.trial.to_string(),
                r.status.name().to_string(),
                fixed(r.val_loss),
                fixed(r.val_accuracy),
                r.best_epoch.map(|e| e.to_string()).unwrap_or_default(),
                r.epochs_run.to_string(),
            ];
            row.extend(varying.iter().map(|&i| table::short(&r.params[i])));
            row
        })
        .collect();
    outln!(
        "top {} of {} trials by validation loss:",
        rows.len(),
        ranked.trials
    )?;
    outln!("{}", table::render(&headers, &rows).trim_end())
}

fn fixed(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.4}")
    } else {
        "-".to_string()
    }
}

/// Prints how many trials ended each way.
pub fn print_summary(ranked: &report::Ranking, total: usize) -> std::io::Result<()> {
    outln!(
        "{} of {total} trials finished: {} completed, {} stopped early, {} diverged, {} failed",
        ranked.trials,
        ranked.count(TrialStatus::Completed),
        ranked.count(TrialStatus::StoppedEarly),
        ranked.count(TrialStatus::Diverged),
        ranked.count(TrialStatus::Failed)
    )
}
