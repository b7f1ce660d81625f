//! TOML → SearchSpace: parsing, validation against an objective's parameter schema.

pub mod schema;
pub mod value;

use std::path::{Path, PathBuf};

use crate::data::DataSpec;
use schema::ParamSpec;

/// A validated search space. (Skeleton: issue 3 fills it in.)
#[derive(Clone, Debug)]
pub struct SearchSpace {
    name: String,
    seed: u64,
    data: DataSpec,
    path: PathBuf,
    text: String,
}

impl SearchSpace {
    /// The sweep's name (default output folder `results/NAME/`).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The sweep seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// The `[data]` table.
    pub fn data(&self) -> &DataSpec {
        &self.data
    }
    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The folder relative data paths are resolved against.
    pub fn base_dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
    /// The file's text as read.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// A hex digest of the normalized content (comments and layout ignored).
    pub fn fingerprint(&self) -> String {
        todo!("issue 3")
    }
}

/// Reads and validates a space file against `schema`.
pub fn load(_path: &Path, _schema: &'static [ParamSpec]) -> Result<SearchSpace, SpaceError> {
    todo!("issue 3")
}

/// A mistake in a space file (skeleton).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SpaceError(pub String);
