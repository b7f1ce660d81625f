//! `hpsearch run SPACE.toml`: the sweep pipeline, step for step: load the space → sample the
//! trials → load the data → prepare (and lock) the results directory → run with observers →
//! rank → write every file → print the top of the ranking.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use hpsearch::model::{self, Model};
use hpsearch::objective::mlp::{MlpObjective, ModelSource};
use hpsearch::objective::params::MLP_PARAMS;
use hpsearch::report::{self, RankKey, Record, Recorder, ReportError, ResultsDir, Shard};
use hpsearch::runner::{self, Observers};
use hpsearch::search::Study;
use hpsearch::space::SearchSpace;
use hpsearch::{data, search, space};

use super::progress::Progress;
use super::stop::{self, Stop};
use super::summary::{Winner, print_results};
use super::{EXIT_FAILURE, Failure, SpaceArg};

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
    /// Finish an interrupted sweep: run only the trials missing from DIR/trials.csv (a folder
    /// that does not exist yet or is empty starts the sweep).
    #[arg(long)]
    resume: bool,
    /// Stop after DURATION (e.g. 90m, 2h, 1h30m, 3600s) as Ctrl-C does, write the reports and
    /// exit 0; --resume goes on.
    #[arg(long, value_name = "DURATION", value_parser = stop::parse_time_limit)]
    time_limit: Option<Duration>,
    /// No progress bars (the final summary is still printed).
    #[arg(short, long)]
    quiet: bool,
    /// Rows of the ranking to print.
    #[arg(long, value_name = "K", default_value_t = 10)]
    top: usize,
    /// Run shard I of N (0-based): the trials whose id % N == I, written to
    /// DIR/shards/I-of-N/ only. The shard reads the other shards' journals; when a rung needs
    /// their results it stops (exit 0): rerun it after them. `hpsearch report DIR` merges.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
}

/// Runs `run`.
pub fn run(args: RunArgs) -> Result<ExitCode, Failure> {
    let stop = Stop::install(args.time_limit).context("cannot handle signals")?;
    let space_path = &args.space.space;
    let space = space::load(space_path, MLP_PARAMS).map_err(Failure::invalid)?;
    let mut study = Study::new(&space);
    super::check_runs_something(&space, &study)?;
    if args.shard.is_some() {
        super::shards::check_splittable(&space, "--shard")?;
    }
    let total = study.configurations();
    // Grid and random trials are built on demand, here one at a time: never all at once.
    let columns = search::columns(&space);
    super::warn_inactive(&space, &columns);
    // Data first: a data error must not leave a results directory that blocks the next run.
    let dataset = data::load(space.data(), space.base_dir(), space.seed())?;
    let identity = data::identity(space.data(), space.base_dir())?;

    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(space.name()));
    let folder = args.shard.map_or_else(|| out.clone(), |s| s.folder(&out));
    let dir = ResultsDir::create(&folder, args.resume)?;
    // However the run ends, if it recorded no trial it leaves nothing behind.
    let _discard = DiscardIfEmpty(&dir);
    if dir.resumes() {
        check_resume(&dir, &space, &identity)?;
    }
    let others = match args.shard {
        Some(shard) => other_shards(&out, shard, &space, &identity)?,
        None => Vec::new(),
    };
    dir.write_atomic("space.toml", |w| w.write_all(space.text().as_bytes()))?;
    let data_toml = report::data_toml(&dataset.summary(space.data()), &identity)
        .context("cannot describe the data")?;
    dir.write_atomic(report::DATA_FILE, |w| w.write_all(data_toml.as_bytes()))?;
    let trials_csv = dir.file("trials.csv");
    let (recorder, done) = Recorder::open(&dir, columns, dir.resumes(), |job| {
        study.restore(job.told()).map_err(|e| ReportError::Corrupt {
            path: trials_csv.clone(),
            line: job.line,
            message: format!("{e}; these results are another search's: use a new --out"),
        })
    })?;
    let mut done: Vec<RankKey> = done.iter().map(|d| d.key).collect();
    done.extend(restore_shards(&out, &others, &mut study)?);
    let jobs_total = usize::try_from(study.jobs_total()).context("too many trials")?;
    let total = usize::try_from(total).context("too many trials for this machine")?;

    let objective = MlpObjective::new(Arc::new(dataset)).with_scoring(space.scoring());

    quiet_worker_panics();
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    );
    let progress_so_far = match study.brackets().len() {
        0 => format!("{} already done", done.len()),
        b => format!(
            "in {b} bracket{}: {} of {jobs_total} rung runs already done",
            if b == 1 { "" } else { "s" },
            done.len()
        ),
    };
    errln!(
        "{}: {total} trial{} ({progress_so_far}), {} data, {jobs} worker{} → {}",
        space.name(),
        if total == 1 { "" } else { "s" },
        describe_data(space.data()),
        if jobs == 1 { "" } else { "s" },
        dir.path().display()
    );
    let progress = Progress::new(
        &objective,
        jobs_total,
        done.len(),
        best_of(&done),
        args.quiet,
    );
    let owns = |id| args.shard.is_none_or(|s| s.owns(id));
    let summary = runner::run_study_share(
        &objective,
        &mut study,
        jobs,
        &Observers(vec![&recorder, &progress]),
        stop.flag(),
        &owns,
    );
    progress.finish();
    let (summary, waiting) = summary.context("the sweep stopped")?;
    let stopped = stop.cause().filter(|_| summary.interrupted);
    if let Some(cause) = stopped
        && dir.discard_if_empty()
    {
        errln!(
            "{}",
            stop::notice(cause, 0, total, space_path, &out, args.jobs)
        );
        return Ok(ExitCode::from(cause.exit_code()));
    }
    if let Some(shard) = args.shard {
        let rerun = format!(
            "hpsearch run {} --shard {shard} --resume --out {}",
            space_path.display(),
            out.display()
        );
        if let Some(cause) = stopped {
            errln!("shard {shard}: stopped; it keeps what finished: `{rerun}` goes on");
            return Ok(ExitCode::from(cause.exit_code()));
        }
        match waiting {
            Some(job) => errln!(
                "shard {shard}: done with its jobs of {}; waiting for the other shards: rerun after them (`{rerun}`), then `hpsearch report {}` merges",
                job.rung.map_or_else(
                    || "the sweep".to_string(),
                    |r| format!("bracket {} rung {}", r.bracket, r.index)
                ),
                out.display()
            ),
            None => errln!(
                "shard {shard}: the sweep is complete; `hpsearch report {}` merges the shards",
                out.display()
            ),
        }
        return Ok(ExitCode::SUCCESS);
    }

    // Every file is written before anything goes to stdout: a reader that closes it early
    // (`| head`) loses nothing.
    let ranked = report::write_reports(&dir, args.top)?;
    let winner = ranked.top.first().filter(|r| r.status.is_ranked());
    let best = winner
        .map(|w| {
            write_winner(
                &dir,
                &space,
                &objective,
                w,
                &ranked.params,
                !summary.interrupted,
            )
        })
        .transpose()?;
    report::html::write_file(&dir, MLP_PARAMS)?;

    // The files are complete: the exit code no longer depends on stdout.
    if let Err(e) = print_results(&ranked, best, total, dir.path(), args.top)
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        errln!("warning: cannot print the results to stdout: {e}");
    }
    if let Some(cause) = stopped {
        let kept = ranked.trials;
        errln!(
            "{}",
            stop::notice(cause, kept, total, space_path, &out, args.jobs)
        );
        return Ok(ExitCode::from(cause.exit_code()));
    }
    if winner.is_none() {
        errln!(
            "error: no trial produced a score (all failed or diverged); see the message column of ranked.csv"
        );
        return Ok(ExitCode::from(EXIT_FAILURE));
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses to resume into `dir` a sweep of another space (unless `space` only raises a random
/// or TPE search's `trials`) or of other data (naming the file that changed).
fn check_resume(
    dir: &ResultsDir,
    space: &SearchSpace,
    identity: &data::DataIdentity,
) -> Result<(), Failure> {
    let stored = space::load(&dir.file("space.toml"), MLP_PARAMS)
        .context("cannot read the space this sweep was started with")?;
    // Raising a random or TPE search's `trials` keeps its first trials: run only the new ones.
    if stored.fingerprint() != space.fingerprint() && !space.extends(&stored) {
        return Err(ReportError::DifferentSpace {
            path: dir.path().to_path_buf(),
        }
        .into());
    }
    let path = dir.file(report::DATA_FILE);
    // Results directories from before data.toml existed have nothing to compare with.
    if path.is_file() {
        let text = std::fs::read_to_string(&path).map_err(ReportError::io(&path))?;
        let recorded = report::read_identity(&text)
            .map_err(|e| anyhow::anyhow!("{}: cannot read it: {}", path.display(), e.message()))?;
        if let Some(change) = identity.change_from(&recorded) {
            return Err(anyhow::anyhow!(
                "{}: cannot resume: {change}\nhint: restore the data the sweep started with, or run the changed data into a new --out",
                dir.path().display()
            )
            .into());
        }
    }
    Ok(())
}

/// The other shard folders of `out`, checked to have run the same space and data as `shard`.
fn other_shards(
    out: &Path,
    shard: Shard,
    space: &SearchSpace,
    identity: &data::DataIdentity,
) -> Result<Vec<(Shard, PathBuf)>, Failure> {
    let others: Vec<_> = report::shard_folders(out)?
        .into_iter()
        .filter(|(s, _)| *s != shard)
        .collect();
    let fingerprint = space.fingerprint();
    let what = format!("shard {shard}");
    for record in super::shards::records(&others)? {
        super::shards::check_same(&record, &fingerprint, Some(identity), &what)?;
    }
    Ok(others)
}

/// Restores into `study` the jobs the `others` shards of `out` recorded (their journals,
/// read only); returns their keys.
fn restore_shards(
    out: &Path,
    others: &[(Shard, PathBuf)],
    study: &mut Study,
) -> Result<Vec<RankKey>, Failure> {
    let merged = report::read_shards(others)?;
    let mut keys = Vec::with_capacity(merged.records.len());
    for record in &merged.records {
        study.restore(record.told()).map_err(|e| {
            anyhow::anyhow!(
                "{}: {e}; these results are another search's: use a new --out",
                out.join(report::SHARDS).display()
            )
        })?;
        keys.push(RankKey::of(record));
    }
    Ok(keys)
}

/// Removes the results directory when dropped if the run recorded no trial
/// ([`ResultsDir::discard_if_empty`]), so that a failed start never blocks the rerun.
struct DiscardIfEmpty<'a>(&'a ResultsDir);

impl Drop for DiscardIfEmpty<'_> {
    fn drop(&mut self) {
        self.0.discard_if_empty();
    }
}

/// Writes best.toml for `winner` and, when the sweep is `complete`, its best-epoch weights as
/// model.safetensors and (with a test split) their score on it as test.csv; returns the winner,
/// its configuration and its test score.
pub(super) fn write_winner<'r>(
    dir: &ResultsDir,
    space: &SearchSpace,
    objective: &MlpObjective,
    winner: &'r Record,
    columns: &[String],
    complete: bool,
) -> Result<Winner<'r>, Failure> {
    // The winner as the journal recorded it: its seed and its parameters.
    let config = winner
        .trial(columns, MLP_PARAMS)
        .map_err(|m| anyhow::anyhow!("{}: {m}", dir.file("trials.csv").display()))?;
    let data = data::rebased(space.data(), space.base_dir());
    let text = report::best_toml(
        space.name(),
        space.seed(),
        &data,
        space.scoring(),
        &config,
        winner.val_loss,
    )
    .context("cannot write best.toml")?;
    dir.write_atomic("best.toml", |w| w.write_all(text.as_bytes()))?;
    // An interrupted sweep's winner may have to be retrained: that waits for a complete run.
    let mut score = None;
    let model = match complete {
        true => match objective.winner(&config, winner.best_epoch) {
            Ok(None) => {
                errln!(
                    "note: refit = false: no model is saved and the test split is not scored; the ranking is the result"
                );
                None
            }
            Ok(model) => model,
            // The sweep's results stand; only the winner's model could not be made.
            Err(m) => {
                errln!(
                    "warning: trial {}: {m}; no model is saved and the test split is not scored (the ranking stands)\nhint: `hpsearch run best.toml` trains the winner alone; a lower learning_rate there may train it stably",
                    winner.trial
                );
                None
            }
        },
        false => None,
    };
    if let Some(model) = model {
        match model.source {
            ModelSource::Kept => {}
            ModelSource::Retrained => errln!(
                "note: trial {} ran before --resume: retrained it from its seed for its best-epoch weights",
                winner.trial
            ),
            ModelSource::Refit { epochs, samples } => errln!(
                "refit: trained trial {} again for its best epoch count ({epochs} epoch{}) on {samples} rows; that model is saved and tested",
                winner.trial,
                if epochs == 1 { "" } else { "s" }
            ),
        }
        score = objective
            .test_score(&model.network)
            .transpose()
            .map_err(|m| anyhow::anyhow!("testing trial {}: {m}", winner.trial))?;
        let confusion = objective
            .confusion(&model.network)
            .map_err(|m| anyhow::anyhow!("trial {}: {m}", winner.trial))?;
        if let Some((matrix, _)) = confusion {
            dir.write_atomic("confusion.csv", |w| {
                report::write_confusion(w, &objective.data().classes, &matrix)
            })?;
        }
        let data = objective.data();
        let file = Model {
            network: model.network,
            features: data.features.clone(),
            classes: data.classes.clone(),
            preprocessing: data.preprocessing.clone(),
            trial: winner.trial,
            space_digest: space.fingerprint(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        };
        dir.write_atomic(model::FILE, |w| w.write_all(&file.to_bytes()))?;
    }
    if let Some(score) = &score {
        dir.write_atomic("test.csv", |w| report::write_test(w, winner.trial, score))?;
    }
    Ok(Winner {
        record: winner,
        config,
        test: score,
    })
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

/// The best (score, trial) among finished trials.
fn best_of(done: &[RankKey]) -> Option<(f64, u64)> {
    done.iter()
        .min_by(|a, b| a.order(b))
        .filter(|k| k.status.is_ranked())
        .map(|k| (k.score, k.trial))
}

fn describe_data(spec: &data::DataSpec) -> String {
    let source = spec.builtin.as_deref().map(|b| format!("builtin {b}"));
    let source = source.or_else(|| spec.path.as_ref().map(|p| p.display().to_string()));
    source
        .or_else(|| spec.images.as_ref().map(|p| p.display().to_string()))
        .unwrap_or_default()
}
