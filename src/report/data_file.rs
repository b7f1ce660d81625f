//! data.toml: what data a sweep ran on (its summary, for people and report.html) and its
//! identity (the digests `--resume` compares, so changed data is refused, not mixed in).

use crate::data::{DataIdentity, Summary};

/// The file's name in the results directory.
pub const DATA_FILE: &str = "data.toml";

/// data.toml's text: the summary's keys, then one `[[sources]]` table per data source.
pub fn data_toml(summary: &Summary, identity: &DataIdentity) -> Result<String, toml::ser::Error> {
    Ok(format!(
        "# The data this sweep ran on. `hpsearch run --resume` refuses data whose digests differ.\n{}\n{}",
        toml::to_string(summary)?,
        toml::to_string(identity)?
    ))
}

/// The identity recorded in a data.toml's text.
pub fn read_identity(text: &str) -> Result<DataIdentity, toml::de::Error> {
    toml::from_str(text)
}
