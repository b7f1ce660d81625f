//! `hpsearch slurm SPACE.toml --tasks N [--submit]`: writes the Slurm batch scripts that run a
//! sweep as job arrays on a cluster (shard I of N per array task, all writing one results
//! directory on the shared file system), and submits them if asked.
//!
//! ```text
//! DIR/slurm/shard.sbatch   a job array of N tasks: `hpsearch run SPACE --shard $SLURM_ARRAY_TASK_ID/N --resume`
//! DIR/slurm/report.sbatch  `hpsearch report DIR`, after the last array (afterok)
//! DIR/slurm/submit.sh      submits shard.sbatch once per batch (grid, random: once; halving,
//!                          Hyperband: once per rung, each array after the previous), then the report
//! DIR/slurm/logs/          the jobs' output
//! ```
//!
//! Slurm places and restarts the tasks; hpsearch schedules nothing itself. A task stopped by
//! SIGTERM (scancel, the time limit via `--signal`, preemption) keeps what finished; `--requeue`
//! lets Slurm restart it after a node failure, and `--resume` makes every task a resumption.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::Context;

use hpsearch::objective::params::MLP_PARAMS;
use hpsearch::report;
use hpsearch::search::Study;
use hpsearch::{data, space};

use super::{Failure, SpaceArg};

/// Arguments of `slurm`.
#[derive(clap::Args, Debug)]
pub struct SlurmArgs {
    #[command(flatten)]
    space: SpaceArg,
    /// Array tasks (shards) per job array: task I runs the trials whose id % N == I.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    tasks: u32,
    /// CPUs per task: the trials a task runs at once (`-j`).
    #[arg(long, value_name = "C", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    cpus_per_task: u32,
    /// Time limit of each task, as sbatch takes it (e.g. 2:00:00); the task gets SIGTERM two
    /// minutes before it and keeps what finished.
    #[arg(long, value_name = "T")]
    time: Option<String>,
    /// Memory per task, as sbatch takes it (e.g. 4G).
    #[arg(long, value_name = "M")]
    mem: Option<String>,
    /// Slurm partition.
    #[arg(long, value_name = "P")]
    partition: Option<String>,
    /// Slurm account.
    #[arg(long, value_name = "A")]
    account: Option<String>,
    /// Results directory, on a file system every node sees [default: results/NAME].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Submit the scripts with sbatch and print the job ids.
    #[arg(long)]
    submit: bool,
}

/// Runs `slurm`.
pub fn slurm(args: SlurmArgs) -> Result<ExitCode, Failure> {
    let space_path = std::path::absolute(&args.space.space)
        .with_context(|| format!("cannot resolve {}", args.space.space.display()))?;
    let space = space::load(&space_path, MLP_PARAMS).map_err(Failure::invalid)?;
    super::shards::check_splittable(&space, "slurm")?;
    let study = Study::new(&space);
    super::check_runs_something(&space, &study)?;
    // One job array per batch the study asks: every trial at once, or one per rung.
    let batches: Vec<String> = if study.brackets().is_empty() {
        vec!["every trial".into()]
    } else {
        study
            .brackets()
            .iter()
            .enumerate()
            .flat_map(|(b, bracket)| {
                (0..bracket.rungs.len()).map(move |r| format!("bracket {b} rung {r}"))
            })
            .collect()
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(space.name()));
    let out =
        std::path::absolute(&out).with_context(|| format!("cannot resolve {}", out.display()))?;
    for path in [&out, &space_path] {
        if path.to_string_lossy().chars().any(char::is_whitespace) {
            return Err(Failure::invalid(anyhow::anyhow!(
                "{}: #SBATCH lines cannot hold a path with spaces\nhint: use a path without spaces for the space file and --out",
                path.display()
            )));
        }
    }
    // A results directory already holding shards is resumed: same split, space and data.
    let folders = report::shard_folders(&out)?;
    if let Some((shard, folder)) = folders.iter().find(|(s, _)| s.count() != args.tasks) {
        return Err(anyhow::anyhow!(
            "{}: this sweep is split in {} shards (shard {shard} is there), not {}\nhint: pass --tasks {} to go on with it, or use a new --out",
            folder.display(),
            shard.count(),
            args.tasks,
            shard.count()
        )
        .into());
    }
    let identity = data::identity(space.data(), space.base_dir())?;
    let what = format!("{}", space_path.display());
    for record in super::shards::records(&folders)? {
        super::shards::check_same(&record, &space.fingerprint(), Some(&identity), &what)?;
    }
    let slurm = out.join("slurm");
    let logs = slurm.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let exe = std::env::current_exe().context("cannot find the hpsearch executable")?;

    let shard_script = slurm.join("shard.sbatch");
    let report_script = slurm.join("report.sbatch");
    let submit_script = slurm.join("submit.sh");
    write(
        &shard_script,
        &shard_sbatch(
            &args,
            space.name(),
            &exe,
            &space_path,
            &out,
            &logs,
            batches.len(),
        ),
    )?;
    write(
        &report_script,
        &report_sbatch(&args, space.name(), &exe, &space_path, &out, &logs),
    )?;
    write(&submit_script, &submit_sh(&slurm, &batches, args.tasks))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&submit_script, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot make {} executable", submit_script.display()))?;
    }
    errln!(
        "{}: {} job array{} of {} task{} ({}), then the report; scripts in {}",
        space.name(),
        batches.len(),
        if batches.len() == 1 { "" } else { "s" },
        args.tasks,
        if args.tasks == 1 { "" } else { "s" },
        if batches.len() == 1 {
            "every trial at once".to_string()
        } else {
            "one per rung, each after the previous".to_string()
        },
        slurm.display()
    );
    if !args.submit {
        outln!("submit with: sh {}", submit_script.display())?;
        return Ok(ExitCode::SUCCESS);
    }

    let mut ids: Vec<String> = Vec::new();
    for (k, batch) in batches.iter().enumerate() {
        let id = sbatch(&shard_script, ids.last(), &ids)?;
        outln!("array {id} ({batch}, {} of {})", k + 1, batches.len())?;
        ids.push(id);
    }
    let id = sbatch(&report_script, ids.last(), &ids)?;
    outln!("report {id}")?;
    ids.push(id);
    let all = ids.join(",");
    outln!("follow: squeue -j {all}")?;
    outln!("        sacct -j {all} --format=JobID,JobName%30,State,ExitCode,Elapsed")?;
    outln!("logs:   {}", logs.display())?;
    Ok(ExitCode::SUCCESS)
}

/// Submits `script` (after `after`, if given) and returns its job id; on failure names the
/// jobs already submitted.
fn sbatch(script: &Path, after: Option<&String>, submitted: &[String]) -> Result<String, Failure> {
    let mut command = Command::new("sbatch");
    command.arg("--parsable");
    if let Some(after) = after {
        command.arg(format!("--dependency=afterok:{after}"));
    }
    command.arg(script);
    let earlier = if submitted.is_empty() {
        String::new()
    } else {
        format!(
            " (already submitted: {}; `scancel {}` cancels them)",
            submitted.join(" "),
            submitted.join(" ")
        )
    };
    let output = command.output().map_err(|e| {
        anyhow::anyhow!("cannot run sbatch: {e}{earlier}\nhint: run on a machine of the Slurm cluster, or submit later with sh {}", script.with_file_name("submit.sh").display())
    })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    // `--parsable` prints "id" or "id;cluster".
    let id = stdout
        .trim()
        .split(';')
        .next()
        .unwrap_or_default()
        .to_string();
    if !output.status.success() || id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(anyhow::anyhow!(
            "sbatch {} failed ({}): {}{earlier}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )
        .into());
    }
    Ok(id)
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// A word for sh: single-quoted, quotes escaped.
fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// The #SBATCH lines every job shares: resources, partition, account.
fn resources(args: &SlurmArgs) -> String {
    let mut lines = format!("#SBATCH --cpus-per-task={}\n", args.cpus_per_task);
    for (key, value) in [
        ("time", &args.time),
        ("mem", &args.mem),
        ("partition", &args.partition),
        ("account", &args.account),
    ] {
        if let Some(value) = value {
            lines.push_str(&format!("#SBATCH --{key}={value}\n"));
        }
    }
    lines
}

fn shard_sbatch(
    args: &SlurmArgs,
    name: &str,
    exe: &Path,
    space: &Path,
    out: &Path,
    logs: &Path,
    arrays: usize,
) -> String {
    let n = args.tasks;
    format!(
        "#!/bin/bash
# hpsearch sweep {name}: task I of this array runs shard I/{n} (the trials whose id % {n} == I)
# into {out}/shards/I-of-{n}/. Written by `hpsearch slurm`; submit.sh submits it {arrays} time(s),
# once per batch (halving, Hyperband: per rung), each array after the previous one (afterok).
# A rerun resumes: what a task finished is never run again.
#SBATCH --job-name=hpsearch-{name}
#SBATCH --array=0-{last}
{resources}#SBATCH --output={logs}/%x-%A_%a.out
#SBATCH --open-mode=append
# Requeued after a node failure or preemption, the task resumes.
#SBATCH --requeue
# SIGTERM (scancel, preemption, and here 120 s before the time limit) stops hpsearch
# gracefully: it keeps every finished trial and exits 143.
#SBATCH --signal=B:TERM@120
#SBATCH --kill-on-invalid-dep=yes
exec {exe} run {space} --shard \"$SLURM_ARRAY_TASK_ID/{n}\" -j \"${{SLURM_CPUS_PER_TASK:-1}}\" --resume -q --out {out_q}
",
        last = n - 1,
        resources = resources(args),
        logs = logs.display(),
        out = out.display(),
        exe = quote(exe),
        space = quote(space),
        out_q = quote(out),
    )
}

fn report_sbatch(
    args: &SlurmArgs,
    name: &str,
    exe: &Path,
    space: &Path,
    out: &Path,
    logs: &Path,
) -> String {
    format!(
        "#!/bin/bash
# hpsearch sweep {name}: merges the shards' journals into {out} (ranked.csv, curves.csv,
# best.toml, test.csv, report.html), as one machine would have written them.
#SBATCH --job-name=hpsearch-{name}-report
{resources}#SBATCH --output={logs}/%x-%j.out
#SBATCH --kill-on-invalid-dep=yes
exec {exe} report {out_q} --space {space}
",
        resources = resources(args),
        logs = logs.display(),
        out = out.display(),
        exe = quote(exe),
        space = quote(space),
        out_q = quote(out),
    )
}

fn submit_sh(slurm: &Path, batches: &[String], tasks: u32) -> String {
    let dir = quote(slurm);
    let mut text = format!(
        "#!/bin/sh
# Submits the sweep: {count} job array(s) of {tasks} task(s), each after the previous one
# (afterok), then the report. Rerun it to resume a partly failed sweep: finished work is kept.
set -eu
dir={dir}
after=
submit() {{
  id=$(sbatch --parsable ${{after:+--dependency=afterok:$after}} \"$dir/$1\")
  id=${{id%%;*}}
  echo \"$2 $id\"
  after=$id
}}
",
        count = batches.len(),
    );
    for batch in batches {
        text.push_str(&format!("submit shard.sbatch 'array ({batch}):'\n"));
    }
    text.push_str("submit report.sbatch 'report:'\n");
    text
}
