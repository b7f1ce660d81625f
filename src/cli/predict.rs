//! `hpsearch predict MODEL DATA [--out FILE]`: read the model, read and prepare the rows as
//! training did, predict, write the CSV; with labels, print accuracy and loss.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use hpsearch::data;
use hpsearch::mlp::{Predictor, Samples};
use hpsearch::model::Model;
use hpsearch::report::write_predictions;

use super::Failure;

/// Arguments of `predict`.
#[derive(clap::Args, Debug)]
pub struct PredictArgs {
    /// A model.safetensors written by `hpsearch run`, or the results directory holding it.
    #[arg(value_name = "MODEL")]
    model: PathBuf,
    /// A CSV file with the model's feature columns (by name, any order; other columns are
    /// ignored; with the label column, accuracy and loss are printed), or an IDX images file
    /// for a model trained on images.
    #[arg(value_name = "DATA")]
    data: PathBuf,
    /// Write the predictions to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs `predict`.
pub fn predict(args: PredictArgs) -> Result<ExitCode, Failure> {
    let model = Model::read(&args.model)?;
    let inputs = data::read_inputs(
        &args.data,
        &model.features,
        &model.classes,
        &model.preprocessing,
    )?;
    let mut predictor = Predictor::new(model.network);
    let predictions = predictor.predict(inputs.x.view())?;
    let score = match &inputs.y {
        Some(y) => Some(predictor.evaluate(Samples::new(inputs.x.view(), y))?),
        None => None,
    };
    match &args.out {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            let mut w = BufWriter::new(file);
            write_predictions(&mut w, &model.classes, &predictions)
                .and_then(|()| w.flush())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => write_predictions(io::stdout().lock(), &model.classes, &predictions)
            .context("cannot write the predictions to stdout")?,
    }
    if let Some(score) = score {
        errln!(
            "{} rows: accuracy {}, loss {}",
            predictions.classes.len(),
            score.accuracy,
            score.loss
        );
    }
    Ok(ExitCode::SUCCESS)
}
