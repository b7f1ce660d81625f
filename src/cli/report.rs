//! `hpsearch report RESULTS_DIR [--top K] [--json]`: rebuild ranked.csv, curves.csv and
//! report.html from the results directory, then print the ranking (a table, or JSON).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use hpsearch::objective::params::MLP_PARAMS;
use std::sync::Arc;

use hpsearch::objective::mlp::MlpObjective;
use hpsearch::report::{self, ReportError, ResultsDir, html};
use hpsearch::search::Study;
use hpsearch::{data, space};

use super::Failure;
use super::summary::{print_ranking, print_results, print_summary};

/// Arguments of `report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// A results directory written by `hpsearch run`.
    #[arg(value_name = "RESULTS_DIR")]
    dir: PathBuf,
    /// Rows of the ranking to print.
    #[arg(long, value_name = "K", default_value_t = 10)]
    top: usize,
    /// Print the whole ranking as JSON on stdout (one object per trial, typed values) instead
    /// of the table; the files are rebuilt all the same.
    #[arg(long)]
    json: bool,
    /// A sharded sweep (DIR/shards/): the space file the shards ran, whose folder its data
    /// paths are relative to, for scoring the winner on the test split [default:
    /// DIR/space.toml, enough for built-in data and absolute paths].
    #[arg(long, value_name = "SPACE.toml")]
    space: Option<PathBuf>,
}

/// Runs `report`.
pub fn report(args: ReportArgs) -> Result<ExitCode, Failure> {
    if args.dir.join(report::SHARDS).is_dir() {
        return merge(&args);
    }
    let dir = ResultsDir::open(&args.dir)?;
    let ranked = report::write_reports(&dir, args.top)?;
    let page = html::write_file(&dir, MLP_PARAMS)?;
    warn_if_unfinished(&dir)?;
    if args.json {
        return print_json(&dir, &page);
    }
    print_ranking(&ranked, args.top)?;
    print_summary(&ranked, ranked.trials)?;
    outln!(
        "wrote {} and {}",
        dir.file("ranked.csv").display(),
        page.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Warns when the journal does not hold the whole sweep (it was interrupted): the ranking is
/// of what ran, and under halving or Hyperband a trial shown `pruned` may still be promoted.
fn warn_if_unfinished(dir: &ResultsDir) -> Result<(), Failure> {
    let space = hpsearch::space::load(&dir.file("space.toml"), MLP_PARAMS)
        .context("cannot read the space this sweep was started with")?;
    let journal = report::read_journal(&dir.file("trials.csv"))?;
    let mut study = Study::new(&space);
    for record in &journal.records {
        study
            .restore(record.told())
            .map_err(|e| anyhow::anyhow!("{}: {e}", dir.file("trials.csv").display()))?;
    }
    if study.ask().is_some() {
        let pruned = match study.brackets().is_empty() {
            true => "",
            false => "; trials shown as pruned may still be promoted",
        };
        errln!(
            "warning: the sweep has not finished ({} of its {} runs are recorded){pruned}: finish it with hpsearch run SPACE --resume --out {}",
            journal.records.len(),
            study.jobs_total(),
            dir.path().display()
        );
    }
    Ok(())
}

/// `report` of a sharded sweep: checks that the shards ran one space on one data, merges their
/// journals into DIR as one machine's (trials.csv, curves.journal.csv, space.toml, data.toml),
/// then writes every report `run` writes — test.csv too, once every job is recorded.
fn merge(args: &ReportArgs) -> Result<ExitCode, Failure> {
    let folders = report::shard_folders(&args.dir)?;
    let shards = super::shards::records(&folders)?;
    let Some(first) = shards.first() else {
        return Err(ReportError::NotResults {
            path: args.dir.join(report::SHARDS),
        }
        .into());
    };
    let what = format!("shard {} ({})", first.shard, first.folder.display());
    for shard in &shards[1..] {
        super::shards::check_same(
            shard,
            &first.space.fingerprint(),
            first.identity.as_ref(),
            &what,
        )?;
    }
    let dir = ResultsDir::of_shards(&args.dir)?;
    dir.write_atomic("space.toml", |w| w.write_all(first.space.text().as_bytes()))?;
    let data_file = first.folder.join(report::DATA_FILE);
    if data_file.is_file() {
        let text = std::fs::read(&data_file)
            .with_context(|| format!("cannot read {}", data_file.display()))?;
        dir.write_atomic(report::DATA_FILE, |w| w.write_all(&text))?;
    }
    let merged = report::write_merged(&dir, &folders)?;

    let space_path = args.space.clone().unwrap_or_else(|| dir.file("space.toml"));
    let space = space::load(&space_path, MLP_PARAMS).map_err(Failure::invalid)?;
    if space.fingerprint() != first.space.fingerprint() {
        return Err(anyhow::anyhow!(
            "{}: the shards in {} ran another space\nhint: give --space the file the shards ran",
            space_path.display(),
            args.dir.display()
        )
        .into());
    }
    // The sweep is complete when the study, told every merged row, has nothing left to ask.
    let mut study = Study::new(&space);
    for record in &merged.records {
        study
            .restore(record.told())
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.dir.display()))?;
    }
    let jobs_total = study.jobs_total();
    let complete = study.ask().is_none();
    let total = usize::try_from(study.configurations()).context("too many trials")?;

    let ranked = report::write_reports(&dir, args.top)?;
    let winner = ranked.top.first().filter(|r| r.status.is_ranked());
    let best = match winner {
        Some(w) => {
            let dataset = data::load(space.data(), space.base_dir(), space.seed()).context(
                "cannot load the data to score the winner on its test split (hint: pass --space with the space file the shards ran, so that its data paths resolve)",
            )?;
            let objective = MlpObjective::new(Arc::new(dataset)).with_scoring(space.scoring());
            Some(super::run::write_winner(
                &dir,
                &space,
                &objective,
                w,
                &ranked.params,
                complete,
            )?)
        }
        None => None,
    };
    let page = html::write_file(&dir, MLP_PARAMS)?;
    if !complete {
        errln!(
            "warning: the shards have not finished the sweep ({} of its {} jobs are recorded): rerun the missing shards with --resume, then report again; test.csv waits for the complete sweep",
            merged.records.len(),
            jobs_total
        );
    }
    if args.json {
        return print_json(&dir, &page);
    }
    print_results(&ranked, best, total, dir.path(), args.top)?;
    outln!(
        "wrote {} and {}",
        dir.file("ranked.csv").display(),
        page.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `--json`: the ranking as JSON on stdout; the files written go to stderr.
fn print_json(dir: &ResultsDir, page: &std::path::Path) -> Result<ExitCode, Failure> {
    let path = dir.file("ranked.csv");
    let file =
        std::fs::File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    report::write_json(std::io::BufReader::new(file), &mut out)?;
    std::io::Write::flush(&mut out)?;
    errln!("wrote {} and {}", path.display(), page.display());
    Ok(ExitCode::SUCCESS)
}
