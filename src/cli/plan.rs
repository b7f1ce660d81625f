//! `hpsearch plan SPACE.toml [--csv]`: validate the space, load its data as `run` does and
//! summarize it (samples, features, classes, split sizes), list the trials, train nothing.
//! Halving and Hyperband also list their rungs and the epochs they cost; TPE lists the random
//! draws it starts with (the rest is decided while running).
//!
//! Exit codes are `run`'s: 0 valid; 2 invalid space (or usage); 1 the data cannot be used
//! (a missing or malformed file, a class too small to split, an empty test split, …), with the
//! message `run` gives.
//!
//! Trials are built one at a time, twice for the table (to measure, then to print), so listing
//! a million trials holds one trial at a time.

use std::process::ExitCode;

use super::{Failure, SpaceArg, table};
use hpsearch::objective::params::MLP_PARAMS;
use hpsearch::report::Shard;
use hpsearch::search::{self, Study, TrialConfig};
use hpsearch::space::{SamplerChoice, SearchSpace, Strategy};
use hpsearch::{data, space};

/// Arguments of `plan`.
#[derive(clap::Args, Debug)]
pub struct PlanArgs {
    #[command(flatten)]
    space: SpaceArg,
    /// Print the trials as CSV instead of a table.
    #[arg(long)]
    csv: bool,
    /// List only shard I of N's trials (those whose id % N == I), as `run --shard I/N` runs them.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
}

/// Runs `plan`.
pub fn plan(args: PlanArgs) -> Result<ExitCode, Failure> {
    // The steps and their order are run's, so that plan fails where and as run would.
    let space = space::load(&args.space.space, MLP_PARAMS).map_err(Failure::invalid)?;
    if args.shard.is_some() {
        super::shards::check_splittable(&space, "--shard")?;
    }
    let count = search::count(&space).map_err(Failure::invalid)?;
    super::check_runs_something(&space, &Study::new(&space))?;
    let columns = search::columns(&space);
    super::warn_inactive(&space, &columns);
    let data = data::load(space.data(), space.base_dir(), space.seed())?.summary(space.data());
    // On stderr, like the warnings: stdout keeps its format (the count, then the trials).
    errln!("data: {data}");
    if let Some(line) = scoring(&space, data.folds) {
        errln!("{line}");
    }
    let listed = known_in_advance(&space, count);
    let mut summary = format!(
        "{count} trial{} ({})",
        if count == 1 { "" } else { "s" },
        space.strategy().name()
    );
    if listed < count {
        summary.push_str(&format!(
            "; the first {listed} are random draws, listed below; TPE proposes the rest while running"
        ));
    }
    if let Some(shard) = args.shard {
        let owned = (0..listed).filter(|&id| shard.owns(id)).count();
        summary.push_str(&format!(
            "; shard {shard} runs {owned} of them (ids whose remainder by {} is {})",
            shard.count(),
            shard.index()
        ));
    }
    let owns = |id: &u64| args.shard.is_none_or(|s| s.owns(*id));
    let trials = || (0..listed).filter(owns).map(|id| search::trial(&space, id));
    let headers: Vec<String> = std::iter::once("trial".to_string())
        .chain(columns.iter().cloned())
        .collect();
    if args.csv {
        errln!("{summary}");
        for line in rungs(&space) {
            errln!("{line}");
        }
        let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
        writer.write_record(&headers)?;
        for trial in trials() {
            writer.write_record(row(&trial, &columns))?;
        }
        writer.flush()?;
    } else {
        outln!("{summary}")?;
        for line in rungs(&space) {
            outln!("{line}")?;
        }
        let widths = trials().fold(table::widths(&headers, []), |w, t| {
            let row = row(&t, &columns);
            let one = table::widths(&headers, [row.as_slice()]);
            one.into_iter().zip(w).map(|(a, b)| a.max(b)).collect()
        });
        outln!("{}", table::line(&headers, &widths))?;
        for trial in trials() {
            outln!("{}", table::line(&row(&trial, &columns), &widths))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How many of the space's configurations are known before running: all of them, except
/// under TPE, whose proposals after its random start depend on results.
fn known_in_advance(space: &SearchSpace, count: u64) -> u64 {
    match space.strategy() {
        Strategy::Tpe { tpe, .. }
        | Strategy::Halving {
            sampler: SamplerChoice::Tpe(tpe),
            ..
        }
        | Strategy::Hyperband {
            sampler: SamplerChoice::Tpe(tpe),
            ..
        } => count.min(tpe.startup),
        _ => count,
    }
}

/// One listing row: the trial id, then each column's value (empty where inactive).
fn row(trial: &TrialConfig, columns: &[String]) -> Vec<String> {
    std::iter::once(trial.id.to_string())
        .chain(columns.iter().map(|c| {
            trial
                .params
                .get(c)
                .map(|v| v.to_string())
                .unwrap_or_default()
        }))
        .collect()
}

/// Halving and Hyperband: each bracket's rungs (trials × epochs), the total epochs, and what
/// random search over as many configurations at R epochs would cost.
fn rungs(space: &SearchSpace) -> Vec<String> {
    let Some(r) = space.strategy().rungs() else {
        return Vec::new();
    };
    let study = Study::new(space);
    let mut lines = Vec::new();
    let mut epochs = 0;
    for (k, bracket) in study.brackets().iter().enumerate() {
        let rungs: Vec<String> = bracket
            .rungs
            .iter()
            .map(|r| format!("{} × {} epochs", r.trials, r.epochs))
            .collect();
        epochs += bracket.cost();
        lines.push(format!(
            "bracket {k} (s = {}): {}; {} epochs",
            bracket.s,
            rungs.join(" → "),
            bracket.cost()
        ));
    }
    let configurations = study.configurations();
    lines.push(format!(
        "total: {epochs} epochs over {configurations} configurations; random search with {configurations} configurations at R = {} epochs would train {} epochs",
        r.max_epochs,
        configurations * r.max_epochs
    ));
    lines
}

/// How trials are scored, when it is not one training ranked by validation loss.
fn scoring(space: &space::SearchSpace, folds: usize) -> Option<String> {
    let scoring = space.scoring();
    let runs = folds.max(1) * scoring.repeats;
    let metric = scoring.metric.name();
    let by = format!("ranked by {metric} at each trial's best epoch");
    match runs {
        1 if metric == "val_loss" => None,
        1 => Some(format!("scoring: {by}")),
        _ => Some(
            format!(
                "scoring: {runs} trainings per trial ({} fold{} × {} repeat{}), {by} of their mean curve; {}",
                folds.max(1),
                if folds > 1 { "s" } else { "" },
                scoring.repeats,
                if scoring.repeats > 1 { "s" } else { "" },
                match scoring.refit {
                    true => "the winner is refit for its best epoch count",
                    false => "refit = false: no model is saved",
                }
            ) + &format!("; epoch counts below are per training (× {runs} in all)"),
        ),
    }
}
