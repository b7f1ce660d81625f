//! Using trained weights: class probabilities, predicted classes, and the loss and accuracy on
//! labelled samples, by the same forward pass and cross-entropy training uses.

use ndarray::{Array2, ArrayView2, s};

use super::metric::ClassCounts;
use super::network::{Mode, Workspace};
use super::train::CHUNK_ROWS;
use super::{Evaluation, Float, InputError, Network, Samples, loss};

/// A network and the buffers to run it on batches of up to 256 rows.
///
/// Always the same chunks, whatever the caller: the figures of a saved model reproduce exactly
/// wherever it is scored (the winner's test score, `hpsearch predict`).
pub struct Predictor {
    network: Network,
    ws: Workspace,
}

/// The predictions for some rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Predictions {
    /// The predicted class of each row (largest probability, the first on ties).
    pub classes: Vec<usize>,
    /// The softmax probabilities.
    ///
    /// # Shapes
    /// (rows, classes).
    pub probabilities: Array2<f64>,
}

impl Predictor {
    /// A predictor for `network`.
    pub fn new(network: Network) -> Self {
        let ws = Workspace::new(&network, CHUNK_ROWS);
        Predictor { network, ws }
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The network, giving up the buffers.
    pub fn into_network(self) -> Network {
        self.network
    }

    fn inputs(&self) -> usize {
        self.network.layers()[0].fan_in()
    }

    fn classes(&self) -> usize {
        self.network.layers()[self.network.layers().len() - 1].fan_out()
    }

    fn check(&self, x: ArrayView2<'_, Float>) -> Result<(), InputError> {
        let split = "prediction";
        if x.nrows() == 0 {
            return Err(InputError::Empty { split });
        }
        if x.ncols() != self.inputs() {
            return Err(InputError::Features {
                split,
                expected: self.inputs(),
                found: x.ncols(),
            });
        }
        Ok(())
    }

    /// Class probabilities and predicted classes for every row of `x`.
    ///
    /// # Shapes
    /// `x`: (rows, inputs).
    pub fn predict(&mut self, x: ArrayView2<'_, Float>) -> Result<Predictions, InputError> {
        self.check(x)?;
        let (n, k) = (x.nrows(), self.classes());
        let mut probabilities = Array2::zeros((n, k));
        let mut classes = Vec::with_capacity(n);
        for start in (0..n).step_by(CHUNK_ROWS) {
            let end = (start + CHUNK_ROWS).min(n);
            self.network
                .forward(x.slice(s![start..end, ..]), &mut self.ws, Mode::Eval);
            let bias = self.network.layers()[self.network.layers().len() - 1].b_flat();
            let logits = &self.ws.logits[..(end - start) * k];
            for (i, row) in logits.chunks_exact(k).enumerate() {
                let (mut max, mut arg) = (Float::NEG_INFINITY, 0);
                for (c, (&z, &b)) in row.iter().zip(bias).enumerate() {
                    if z + b > max {
                        (max, arg) = (z + b, c);
                    }
                }
                let mut p = probabilities.row_mut(start + i);
                for ((p, &z), &b) in p.iter_mut().zip(row).zip(bias) {
                    *p = f64::from(z + b - max).exp();
                }
                let total = p.sum();
                p.mapv_inplace(|v| v / total);
                classes.push(arg);
            }
        }
        Ok(Predictions {
            classes,
            probabilities,
        })
    }

    /// Mean cross-entropy, accuracy and macro F1 on labelled samples, computed as training evaluates
    /// its validation split.
    pub fn evaluate(&mut self, data: Samples<'_>) -> Result<Evaluation, InputError> {
        self.check(data.x)?;
        let (n, k) = (data.len(), self.classes());
        if data.y.len() != n {
            return Err(InputError::Labels {
                split: "prediction",
                rows: n,
                labels: data.y.len(),
            });
        }
        if let Some((row, &label)) = data.y.iter().enumerate().find(|(_, c)| **c >= k) {
            return Err(InputError::Label {
                split: "prediction",
                row,
                label,
                classes: k,
            });
        }
        let (mut sum, mut counts) = (0.0, ClassCounts::new(k));
        for start in (0..n).step_by(CHUNK_ROWS) {
            let end = (start + CHUNK_ROWS).min(n);
            self.network
                .forward(data.x.slice(s![start..end, ..]), &mut self.ws, Mode::Eval);
            let bias = self.network.layers()[self.network.layers().len() - 1].b_flat();
            let logits = &mut self.ws.logits[..(end - start) * k];
            sum += loss::cross_entropy_and_counts(logits, bias, &data.y[start..end], &mut counts);
        }
        Ok(Evaluation::of(sum, n, &counts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mlp::{MlpParams, Trainer};
    use ndarray::Array2;
    use std::ops::ControlFlow;

    #[test]
    fn scores_as_the_trainer_and_predicts_its_argmax() {
        let x = Array2::from_shape_fn((300, 3), |(i, j)| ((i * 7 + j) % 5) as f32 - 2.0);
        let y: Vec<usize> = (0..300).map(|i| (i * 7 % 5) % 3).collect();
        let config = MlpParams {
            hidden: vec![6],
            epochs: 3,
            ..MlpParams::default()
        }
        .validate()
        .unwrap();
        let mut trainer = Trainer::new(&config, 3, 3, 4).unwrap();
        let data = Samples::new(x.view(), &y);
        trainer
            .train(data, data, 3, &mut |_| ControlFlow::Continue(()))
            .unwrap();
        let expected = trainer.evaluate(data).unwrap();
        let mut predictor = Predictor::new(trainer.network().clone());
        // 300 rows: the trainer's chunk and the predictor's are both 256 rows.
        assert_eq!(predictor.evaluate(data).unwrap(), expected);
        let p = predictor.predict(x.view()).unwrap();
        let hits = p.classes.iter().zip(&y).filter(|(a, b)| a == b).count();
        assert_eq!(hits as f64 / 300.0, expected.accuracy);
        let loss: f64 = y
            .iter()
            .enumerate()
            .map(|(i, &c)| -p.probabilities[[i, c]].ln())
            .sum::<f64>()
            / 300.0;
        assert!(
            (loss - expected.loss).abs() < 1e-5,
            "{loss} vs {}",
            expected.loss
        );
        for row in p.probabilities.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-12);
        }
        let e = predictor.predict(x.slice(s![.., ..2])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the prediction split has 2 feature columns, the network has 3 inputs"
        );
    }
}
