//! best.toml: the winner as a search space of fixed values, runnable as it is.

use crate::data::DataSpec;
use crate::search::TrialConfig;
use crate::space::Scoring;

/// A space file that retrains `winner` exactly: the same data (paths made absolute by the
/// caller; folds included), the same sweep seed (same split), the same `scoring` (metric,
/// repeats, refit) and `trial_seed` pinned to the winner's seed.
pub fn best_toml(
    name: &str,
    seed: u64,
    data: &DataSpec,
    scoring: Scoring,
    winner: &TrialConfig,
    val_loss: f64,
) -> Result<String, toml::ser::Error> {
    let mut params = toml::Table::new();
    for (key, value) in winner.params.iter() {
        if let Some(value) = value {
            params.insert(key.to_string(), value.to_toml());
        }
    }
    let mut search = toml::Table::new();
    search.insert("strategy".into(), "grid".into());
    // TOML integers are i64; seeds above i64::MAX keep their bits.
    search.insert(
        "trial_seed".into(),
        toml::Value::Integer(winner.seed as i64),
    );
    let default = Scoring::default();
    if scoring.metric != default.metric {
        search.insert("metric".into(), scoring.metric.name().into());
    }
    if scoring.repeats != default.repeats {
        search.insert(
            "repeats".into(),
            toml::Value::Integer(scoring.repeats as i64),
        );
    }
    let runs = scoring.repeats > 1 || data.folds.is_some();
    if runs && scoring.refit != default.refit {
        search.insert("refit".into(), scoring.refit.into());
    }
    let mut top = toml::Table::new();
    top.insert("name".into(), format!("{name}-best").into());
    top.insert("seed".into(), toml::Value::Integer(seed as i64));
    top.insert("data".into(), toml::Value::try_from(data)?);
    top.insert("search".into(), toml::Value::Table(search));
    top.insert("params".into(), toml::Value::Table(params));
    Ok(format!(
        "# The winner of sweep \"{name}\": trial {}, validation loss {val_loss}.\n\
         # `hpsearch run best.toml` retrains it exactly (same data split, same trial seed).\n\n{}",
        winner.id,
        toml::to_string(&top)?
    ))
}
