//! Shards: one sweep split over machines (Slurm job-array tasks, say). Shard I of N owns the
//! trials whose id % N == I and writes only its own folder, `DIR/shards/I-of-N/` (its journals,
//! its lock); no file is written by two shards and no lock spans machines. Merging is reading
//! every shard's journal: [`read_shards`] gives the merged rows, for a shard restoring the
//! study and for `hpsearch report` alike.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::curves::{self, CURVE_HEADER, CurveJournal};
use super::journal::{self, JournalContents};
use super::rows::RowReader;
use super::{ReportError, ResultsDir};

/// The folder of a results directory that holds the shard folders.
pub const SHARDS: &str = "shards";

/// Shard `index` of `count` (0-based): the trials whose id % count == index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shard {
    /// Its index, below `count`.
    index: u32,
    /// How many shards split the sweep (at least 1).
    count: u32,
}

impl Shard {
    /// Shard `index` of `count`, or why there is none (`count` 0, `index` ≥ `count`).
    pub fn new(index: u32, count: u32) -> Result<Self, String> {
        if count == 0 {
            return Err("the number of shards must be at least 1".into());
        }
        if index >= count {
            return Err(format!(
                "shard {index} of {count} does not exist: shards are numbered 0 to {}",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// Its index.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// How many shards split the sweep.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// Whether the shard runs trial `id`.
    pub fn owns(&self, id: u64) -> bool {
        id % u64::from(self.count) == u64::from(self.index)
    }

    /// Its folder in the results directory `out`: `out/shards/I-of-N`.
    pub fn folder(&self, out: &Path) -> PathBuf {
        out.join(SHARDS)
            .join(format!("{}-of-{}", self.index, self.count))
    }
}

/// `I/N`, as `--shard` takes it.
impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Parses `I/N` (`--shard 0/4`).
impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let usage = || format!("expected I/N (shard I of N, I from 0 to N-1, e.g. 0/4), got {s:?}");
        let (i, n) = s.split_once('/').ok_or_else(usage)?;
        let i = i.trim().parse().map_err(|_| usage())?;
        let n = n.trim().parse().map_err(|_| usage())?;
        Shard::new(i, n)
    }
}

/// The shard folders under `out/shards/`, by index. Refuses folders of different shard
/// counts (the trials they own overlap) and anything else there.
pub fn shard_folders(out: &Path) -> Result<Vec<(Shard, PathBuf)>, ReportError> {
    let root = out.join(SHARDS);
    let entries = match std::fs::read_dir(&root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ReportError::io(&root)(e)),
    };
    let mut folders = Vec::new();
    for entry in entries {
        let entry = entry.map_err(ReportError::io(&root))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let shard = name
            .split_once("-of-")
            .and_then(|(i, n)| Shard::new(i.parse().ok()?, n.parse().ok()?).ok())
            .filter(|_| entry.path().is_dir())
            .ok_or_else(|| ReportError::Shards {
                path: entry.path(),
                message: "not a shard folder (I-of-N) written by `hpsearch run --shard I/N`\nhint: move it out of the shards/ folder".into(),
            })?;
        folders.push((shard, entry.path()));
    }
    folders.sort();
    if let (Some((first, a)), Some((last, b))) = (folders.first(), folders.last())
        && first.count != last.count
    {
        return Err(ReportError::Shards {
            path: root,
            message: format!(
                "it holds shards of {} ({}) and of {} ({}): one sweep is split one way\nhint: keep the folders of one split, or merge each split in its own results directory",
                first.count,
                a.display(),
                last.count,
                b.display()
            ),
        });
    }
    Ok(folders)
}

/// The merged journal of `shards`: every shard's complete rows (first of each (trial, rung)),
/// shard by shard, with one parameter header. Refuses shards whose parameter columns differ
/// and rows of trials a shard does not own. A folder without a journal adds nothing.
pub fn read_shards(shards: &[(Shard, PathBuf)]) -> Result<JournalContents, ReportError> {
    let mut merged: Option<JournalContents> = None;
    for (shard, folder) in shards {
        let path = folder.join("trials.csv");
        if !path.is_file() {
            continue;
        }
        let contents = journal::read(&path)?;
        if let Some(record) = contents.records.iter().find(|r| !shard.owns(r.trial)) {
            return Err(ReportError::Shards {
                path,
                message: format!(
                    "trial {} is not shard {shard}'s (it owns the ids whose remainder by {} is {})\nhint: the folder was renamed or copied from another split; move it aside",
                    record.trial, shard.count, shard.index
                ),
            });
        }
        match &mut merged {
            None => merged = Some(contents),
            Some(merged) if merged.params == contents.params => {
                merged.records.extend(contents.records);
            }
            Some(_) => return Err(ReportError::DifferentSpace { path }),
        }
    }
    Ok(merged.unwrap_or(JournalContents {
        params: Vec::new(),
        records: Vec::new(),
    }))
}

/// Writes into `dir` the merged journals of `shards` as one machine's: trials.csv (rows by
/// trial, then rung) and curves.journal.csv (each trial's recorded epochs, copied from its
/// shard's curve journal); returns the merged rows.
pub fn write_merged(
    dir: &ResultsDir,
    shards: &[(Shard, PathBuf)],
) -> Result<JournalContents, ReportError> {
    let mut merged = read_shards(shards)?;
    merged.records.sort_by_key(|r| (r.trial, r.rung));
    dir.write_atomic("trials.csv", |w| {
        let mut writer = csv::Writer::from_writer(w);
        writer.write_record(journal::trials_header(&merged.params))?;
        for record in &merged.records {
            writer.write_record(record.fields())?;
        }
        writer.flush()
    })?;
    let mut runs = Vec::new();
    for (shard, folder) in shards {
        let path = folder.join(CurveJournal::FILE);
        let mut recorded: HashMap<u64, usize> = HashMap::new();
        for record in merged.records.iter().filter(|r| shard.owns(r.trial)) {
            let epochs = recorded.entry(record.trial).or_default();
            *epochs = (*epochs).max(record.epochs_run);
        }
        if recorded.is_empty() {
            continue;
        }
        for (_, range) in curves::complete_runs(&path, &recorded)? {
            runs.push((path.clone(), range));
        }
    }
    dir.write_atomic(CurveJournal::FILE, |w| {
        let mut writer = csv::Writer::from_writer(&mut *w);
        writer.write_record(CURVE_HEADER)?;
        writer.flush()?;
        drop(writer);
        let mut reader: Option<(&Path, RowReader)> = None;
        for (path, range) in &runs {
            if reader.as_ref().is_none_or(|(p, _)| p != path) {
                reader = Some((path, RowReader::open(path).map_err(std::io::Error::other)?));
            }
            if let Some((_, reader)) = &mut reader {
                w.write_all(reader.bytes(range.clone())?)?;
            }
        }
        Ok(())
    })?;
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_parses_i_of_n_and_owns_every_nth_trial() {
        let shard: Shard = "1/3".parse().unwrap();
        assert_eq!(shard.to_string(), "1/3");
        let owned: Vec<u64> = (0..8).filter(|&id| shard.owns(id)).collect();
        assert_eq!(owned, [1, 4, 7]);
        assert_eq!(
            shard.folder(Path::new("out")),
            Path::new("out/shards/1-of-3")
        );
    }

    #[test]
    fn shard_out_of_range_or_malformed_is_refused() {
        assert!(
            "3/3"
                .parse::<Shard>()
                .unwrap_err()
                .contains("numbered 0 to 2")
        );
        assert!("0/0".parse::<Shard>().unwrap_err().contains("at least 1"));
        assert!("1".parse::<Shard>().unwrap_err().contains("expected I/N"));
        assert!("a/3".parse::<Shard>().unwrap_err().contains("expected I/N"));
    }
}
