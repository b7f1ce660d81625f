//! [`DataIdentity`]: what the data of a sweep is, as digests, computed without loading it, so
//! that `--resume` can refuse data that changed since the sweep started and name what changed.
//!
//! A file is identified by the SHA-256 of its bytes as stored (a gzipped IDX file by its
//! compressed bytes); a compiled-in data set by the SHA-256 of its embedded text; a generator
//! by its settings (name, samples, classes, dimensions, noise), whose output depends on nothing
//! else but the sweep seed, which the space file holds.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::DataSpec;
use super::builtin::Builtin;
use super::error::DataError;
use super::spec::{self, Source};

/// The digests of every source of a sweep's data, in a fixed order (`path`, `test_path`;
/// `images`, `labels`, `test_images`, `test_labels`; or `builtin`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataIdentity {
    /// One entry per file or built-in source.
    pub sources: Vec<SourceDigest>,
}

/// The identity of one data source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDigest {
    /// The `[data]` key that names the source: `path`, `labels`, `builtin`, ….
    pub key: String,
    /// The file as resolved against the space file's folder, or the built-in with its
    /// settings (`builtin "blobs" (samples = 1000, classes = 3, dimensions = 2, noise = 1)`).
    pub name: String,
    /// Lower-case hex SHA-256 of the file's bytes, of the embedded text, or of the generator
    /// settings.
    pub sha256: String,
}

/// How the data differs from the data a sweep was started with: a source whose digest
/// changed, or one that was added or removed. `Display` names the key and the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataChange {
    /// The `[data]` key of the source.
    pub key: String,
    /// The file or built-in (as now, or as recorded when it is gone).
    pub name: String,
    /// Its digest when the sweep started; `None` if it was not a source then.
    pub recorded: Option<String>,
    /// Its digest now; `None` if it is no longer a source.
    pub current: Option<String>,
}

/// Computes the identity of the data `spec` describes, reading every file it names (relative
/// paths resolved against `base_dir`) but parsing none.
///
/// # Errors
/// Every problem of [`super::check`] (a bad `[data]` table, a missing file), and a file that
/// cannot be read.
pub fn identity(spec: &DataSpec, base_dir: &Path) -> Result<DataIdentity, DataError> {
    let plan = spec::plan(spec, base_dir)?;
    let sources = match &plan.source {
        Source::Builtin(builtin, params) => {
            let name = match builtin {
                Builtin::Generated(g) => format!(
                    "builtin \"{}\" (samples = {}, classes = {}, dimensions = {}, noise = {})",
                    g.name(),
                    params.samples,
                    params.classes,
                    params.dimensions,
                    params.noise
                ),
                _ => format!(
                    "builtin \"{}\"",
                    spec.builtin.as_deref().unwrap_or_default()
                ),
            };
            let sha256 = match builtin.embedded() {
                Some(text) => hex(&Sha256::digest(text.as_bytes())),
                None => hex(&Sha256::digest(name.as_bytes())),
            };
            vec![SourceDigest {
                key: "builtin".into(),
                name,
                sha256,
            }]
        }
        Source::Csv {
            path, test_path, ..
        } => {
            let mut files = vec![file_digest("path", path)?];
            if let Some(p) = test_path {
                files.push(file_digest("test_path", p)?);
            }
            files
        }
        Source::Idx {
            images,
            labels,
            test,
        } => {
            let mut files = vec![
                file_digest("images", images)?,
                file_digest("labels", labels)?,
            ];
            if let Some((i, l)) = test {
                files.push(file_digest("test_images", i)?);
                files.push(file_digest("test_labels", l)?);
            }
            files
        }
    };
    Ok(DataIdentity { sources })
}

impl DataIdentity {
    /// The first source (in this identity's order, then `recorded`'s) that differs from
    /// `recorded`, the identity the sweep started with; `None` when the data is the same.
    /// Sources are matched by key, so the same files reached by another path compare equal.
    pub fn change_from(&self, recorded: &DataIdentity) -> Option<DataChange> {
        let find = |list: &[SourceDigest], key: &str| {
            list.iter().find(|s| s.key == key).map(|s| s.sha256.clone())
        };
        for now in &self.sources {
            let then = find(&recorded.sources, &now.key);
            if then.as_deref() != Some(now.sha256.as_str()) {
                return Some(DataChange {
                    key: now.key.clone(),
                    name: now.name.clone(),
                    recorded: then,
                    current: Some(now.sha256.clone()),
                });
            }
        }
        recorded
            .sources
            .iter()
            .find(|then| find(&self.sources, &then.key).is_none())
            .map(|then| DataChange {
                key: then.key.clone(),
                name: then.name.clone(),
                recorded: Some(then.sha256.clone()),
                current: None,
            })
    }
}

/// `data.labels: /d/train-labels.gz has changed since the sweep started (sha256 1a2b3c4d…
/// then, 5e6f7a8b… now)`.
impl fmt::Display for DataChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = |d: &str| d.chars().take(12).collect::<String>();
        match (&self.recorded, &self.current) {
            (Some(then), Some(now)) => write!(
                f,
                "data.{}: {} has changed since the sweep started (sha256 {}… then, {}… now)",
                self.key,
                self.name,
                short(then),
                short(now)
            ),
            (None, _) => write!(
                f,
                "data.{}: {} was not part of the data when the sweep started",
                self.key, self.name
            ),
            (Some(_), None) => write!(
                f,
                "data.{}: {} was part of the data when the sweep started, and is no longer",
                self.key, self.name
            ),
        }
    }
}

fn file_digest(key: &'static str, path: &Path) -> Result<SourceDigest, DataError> {
    let unreadable = |error: io::Error| DataError::opening(key, path, error);
    let mut file = File::open(path).map_err(unreadable)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(unreadable(e)),
        }
    }
    Ok(SourceDigest {
        key: key.into(),
        name: path.display().to_string(),
        sha256: hex(&hasher.finalize()),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_spec(dir: &Path) -> DataSpec {
        std::fs::write(dir.join("a.csv"), "x,label\n1,a\n2,b\n3,a\n4,b\n").unwrap_or(());
        std::fs::write(dir.join("t.csv"), "x,label\n1,a\n2,b\n").unwrap_or(());
        DataSpec {
            path: Some("a.csv".into()),
            test_path: Some("t.csv".into()),
            ..DataSpec::default()
        }
    }

    #[test]
    fn a_changed_label_changes_the_digest_and_names_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spec = csv_spec(dir.path());
        let before = identity(&spec, dir.path()).expect("identity");
        assert_eq!(before, identity(&spec, dir.path()).expect("identity"));
        assert_eq!(before.change_from(&before), None);

        std::fs::write(dir.path().join("t.csv"), "x,label\n1,a\n2,a\n").expect("write");
        let after = identity(&spec, dir.path()).expect("identity");
        let change = after.change_from(&before).expect("a change");
        assert_eq!(change.key, "test_path");
        assert!(change.name.ends_with("t.csv"), "{}", change.name);
        let message = change.to_string();
        assert!(
            message.starts_with("data.test_path: ") && message.contains("t.csv has changed"),
            "{message}"
        );
        assert_eq!(before.sources[0], after.sources[0], "a.csv is unchanged");
    }

    #[test]
    fn a_removed_source_is_a_change() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spec = csv_spec(dir.path());
        let with_test = identity(&spec, dir.path()).expect("identity");
        let without = DataSpec {
            test_path: None,
            ..spec
        };
        let change = identity(&without, dir.path())
            .expect("identity")
            .change_from(&with_test)
            .expect("a change");
        assert_eq!((change.key.as_str(), change.current), ("test_path", None));
    }

    #[test]
    fn generator_settings_are_the_identity_of_generated_data() {
        let blobs = |samples| DataSpec {
            builtin: Some("blobs".into()),
            samples,
            ..DataSpec::default()
        };
        let here = Path::new(".");
        let a = identity(&blobs(None), here).expect("identity");
        let b = identity(&blobs(Some(1000)), here).expect("identity");
        let c = identity(&blobs(Some(500)), here).expect("identity");
        assert_eq!(a, b, "the default is 1000 samples");
        let change = c.change_from(&a).expect("a change");
        assert_eq!(change.key, "builtin");
        assert!(change.name.contains("samples = 500"), "{}", change.name);
        let iris = DataSpec {
            builtin: Some("iris".into()),
            ..DataSpec::default()
        };
        let iris = identity(&iris, here).expect("identity");
        assert_eq!(iris.sources[0].name, "builtin \"iris\"");
        assert_ne!(iris.sources[0].sha256, a.sources[0].sha256);
    }

    #[test]
    fn a_missing_file_is_reported_as_loading_would() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spec = DataSpec {
            path: Some("gone.csv".into()),
            ..DataSpec::default()
        };
        let err = identity(&spec, dir.path()).expect_err("no file");
        assert!(
            err.to_string().contains("gone.csv: file not found"),
            "{err}"
        );
    }
}
