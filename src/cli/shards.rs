//! Checks shared by `run --shard`, `report` and `slurm`: which strategies can be split into
//! shards, and whether shard folders come from one sweep (same space, same data).

use std::path::{Path, PathBuf};

use anyhow::Context;

use hpsearch::data::DataIdentity;
use hpsearch::objective::params::MLP_PARAMS;
use hpsearch::report::{self, Shard};
use hpsearch::space::{self, SamplerChoice, SearchSpace, Strategy};

use super::Failure;

/// Refuses a TPE search: each of its proposals is fitted on every earlier result, so shards
/// would wait on each other after every few trials (exit 2).
pub fn check_splittable(space: &SearchSpace, how: &str) -> Result<(), Failure> {
    let tpe = matches!(
        space.strategy(),
        Strategy::Tpe { .. }
            | Strategy::Halving {
                sampler: SamplerChoice::Tpe(_),
                ..
            }
            | Strategy::Hyperband {
                sampler: SamplerChoice::Tpe(_),
                ..
            }
    );
    if tpe {
        return Err(Failure::invalid(anyhow::anyhow!(
            "{}: {how}: a TPE search cannot be split into shards (each proposal is fitted on every earlier result)\nhint: run it on one machine (`hpsearch run` without --shard), or use strategy \"random\", \"grid\", \"halving\" or \"hyperband\" with the random sampler",
            space.path().display()
        )));
    }
    Ok(())
}

/// What a shard folder says it ran: its space (as stored) and its data's identity.
pub struct ShardRecord {
    /// The shard.
    pub shard: Shard,
    /// Its folder.
    pub folder: PathBuf,
    /// Its space.toml, loaded.
    pub space: SearchSpace,
    /// Its data.toml's identity, when present.
    pub identity: Option<DataIdentity>,
}

/// Reads what each shard folder that holds a journal ran (folders without one are skipped).
pub fn records(folders: &[(Shard, PathBuf)]) -> Result<Vec<ShardRecord>, Failure> {
    let mut records = Vec::new();
    for (shard, folder) in folders {
        if !folder.join("trials.csv").is_file() {
            continue;
        }
        let space = space::load(&folder.join("space.toml"), MLP_PARAMS)
            .with_context(|| format!("cannot read the space shard {shard} ran"))?;
        records.push(ShardRecord {
            shard: *shard,
            folder: folder.clone(),
            space,
            identity: identity(folder)?,
        });
    }
    Ok(records)
}

/// The identity in `folder`/data.toml, if the file is there.
fn identity(folder: &Path) -> Result<Option<DataIdentity>, Failure> {
    let path = folder.join(report::DATA_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let identity = report::read_identity(&text)
        .map_err(|e| anyhow::anyhow!("{}: cannot read it: {}", path.display(), e.message()))?;
    Ok(Some(identity))
}

/// Refuses a shard that ran another space or other data than `fingerprint` and `identity`
/// (those of `what`, e.g. "shard 0/3 (DIR/shards/0-of-3)"), naming both.
pub fn check_same(
    shard: &ShardRecord,
    fingerprint: &str,
    identity: Option<&DataIdentity>,
    what: &str,
) -> Result<(), Failure> {
    if shard.space.fingerprint() != fingerprint {
        return Err(anyhow::anyhow!(
            "{}: shard {} ran another search space than {what}\nhint: every shard of a results directory must run the same space file; move the odd folder out, or use a new --out",
            shard.folder.display(),
            shard.shard
        )
        .into());
    }
    if let (Some(theirs), Some(ours)) = (&shard.identity, identity)
        && let Some(change) = ours.change_from(theirs)
    {
        return Err(anyhow::anyhow!(
            "{}: shard {} ran on other data than {what}: {change}\nhint: every shard must read the same data; move the odd folder out, or use a new --out",
            shard.folder.display(),
            shard.shard
        )
        .into());
    }
    Ok(())
}
