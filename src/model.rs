//! The model file, `model.safetensors`: a trained network with everything needed to use it on
//! new rows, in the [safetensors](https://github.com/huggingface/safetensors) format (a JSON
//! header, then the raw little-endian tensors), readable from Python with the `safetensors`
//! package and numpy.
//!
//! Its own module, apart from `mlp/` and `data/`, because it joins both with the sweep: the
//! trainer knows nothing of feature names, standardization or trials, and the data module
//! nothing of networks. Every detail of the format is here and nowhere else.
//!
//! Tensors: `layers.{l}.weight` (fan_in × fan_out, f32) and `layers.{l}.bias` (fan_out, f32),
//! l = 0 on the input side; layer l computes a·W + b, hidden layers then apply the activation,
//! the last layer's output is the logits of a softmax. Metadata (all strings; lists as JSON):
//! `format` ([`FORMAT`]), `layer_sizes`, `activation`, `features`, `classes`, `label` (the
//! label column), `pixels` (`"true"`: inputs are IDX bytes, divided by 255 first), `mean` and
//! `std` (x' = (x − mean) / std per feature), `trial`, `space_digest`, `hpsearch_version`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::de::DeserializeOwned;

use crate::data::Preprocessing;
use crate::mlp::{Activation, Network};

/// The model file's name in a results directory.
pub const FILE: &str = "model.safetensors";

/// The value of the `format` metadata key: the layout this module writes and reads.
pub const FORMAT: &str = "hpsearch-mlp-1";

/// A trained network and what using it needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The weights (of the winner's best epoch).
    pub network: Network,
    /// Input column names, in input order.
    pub features: Vec<String>,
    /// Class names, in output order.
    pub classes: Vec<String>,
    /// How raw rows become inputs.
    pub preprocessing: Preprocessing,
    /// The trial the weights come from.
    pub trial: u64,
    /// The digest of the space that was searched.
    pub space_digest: String,
    /// The hpsearch version that wrote it.
    pub version: String,
}

/// Why a file is not a usable model.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}\nhint: give a model.safetensors written by `hpsearch run`, or the results directory that holds it", path.display())]
pub struct ModelError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub problem: String,
}

impl Model {
    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let layers = self.network.layers();
        let sizes: Vec<usize> = std::iter::once(layers[0].weights().nrows())
            .chain(layers.iter().map(|l| l.weights().ncols()))
            .collect();
        let meta: HashMap<String, String> = [
            ("format", FORMAT.to_string()),
            ("layer_sizes", json(&sizes)),
            ("activation", self.network.activation().name().to_string()),
            ("features", json(&self.features)),
            ("classes", json(&self.classes)),
            ("label", self.preprocessing.label.clone()),
            ("pixels", self.preprocessing.pixels.to_string()),
            ("mean", json(&self.preprocessing.mean)),
            ("std", json(&self.preprocessing.std)),
            ("trial", self.trial.to_string()),
            ("space_digest", self.space_digest.clone()),
            ("hpsearch_version", self.version.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let bytes = |v: &mut dyn Iterator<Item = &f32>| -> Vec<u8> {
            v.flat_map(|x| x.to_le_bytes()).collect()
        };
        let data: Vec<(String, Vec<usize>, Vec<u8>)> = layers
            .iter()
            .enumerate()
            .flat_map(|(l, layer)| {
                let w = layer.weights();
                let b = layer.biases();
                [
                    (
                        format!("layers.{l}.weight"),
                        vec![w.nrows(), w.ncols()],
                        bytes(&mut w.iter()),
                    ),
                    (
                        format!("layers.{l}.bias"),
                        vec![b.len()],
                        bytes(&mut b.iter()),
                    ),
                ]
            })
            .collect();
        let views = data.iter().map(|(name, shape, bytes)| {
            let view = TensorView::new(Dtype::F32, shape.clone(), bytes)
                .expect("the shape matches the bytes");
            (name.clone(), view)
        });
        safetensors::serialize(views, Some(meta))
            .expect("f32 tensors and string metadata serialize")
    }

    /// Reads a model from `path`: a model file, or a results directory holding [`FILE`].
    pub fn read(path: &Path) -> Result<Model, ModelError> {
        let path = if path.is_dir() {
            path.join(FILE)
        } else {
            path.to_path_buf()
        };
        let bytes = std::fs::read(&path).map_err(|e| ModelError {
            path: path.clone(),
            problem: format!("cannot read it: {e}"),
        })?;
        Model::from_bytes(&bytes).map_err(|problem| ModelError { path, problem })
    }

    /// Parses a model file's bytes; the error says what is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, String> {
        let file =
            SafeTensors::deserialize(bytes).map_err(|e| format!("not a safetensors file ({e})"))?;
        let (_, header) = SafeTensors::read_metadata(bytes).map_err(|e| e.to_string())?;
        let meta = header.metadata().clone().unwrap_or_default();
        let get = |key: &str| -> Result<&String, String> {
            meta.get(key).ok_or_else(|| {
                format!("a safetensors file, but not an hpsearch model: no {key:?} in its metadata")
            })
        };
        let format = get("format")?;
        if format != FORMAT {
            return Err(format!(
                "model format {format:?}, this hpsearch reads {FORMAT:?}"
            ));
        }
        fn parse<T: DeserializeOwned>(key: &str, text: &str) -> Result<T, String> {
            serde_json::from_str(text).map_err(|e| format!("metadata {key}: {e}"))
        }
        let field = |key: &str| -> Result<String, String> { get(key).cloned() };
        let sizes: Vec<usize> = parse("layer_sizes", get("layer_sizes")?)?;
        let activation = Activation::from_name(get("activation")?)
            .ok_or_else(|| format!("unknown activation {:?}", get("activation").unwrap()))?;
        let features: Vec<String> = parse("features", get("features")?)?;
        let classes: Vec<String> = parse("classes", get("classes")?)?;
        let preprocessing = Preprocessing {
            label: field("label")?,
            pixels: parse("pixels", get("pixels")?)?,
            mean: parse("mean", get("mean")?)?,
            std: parse("std", get("std")?)?,
        };
        if sizes.len() < 2
            || sizes[0] != features.len()
            || sizes[sizes.len() - 1] != classes.len()
            || preprocessing.mean.len() != features.len()
            || preprocessing.std.len() != features.len()
        {
            return Err(format!(
                "inconsistent metadata: layer sizes {sizes:?} for {} features, {} classes",
                features.len(),
                classes.len()
            ));
        }
        let tensor = |name: String, shape: &[usize]| -> Result<Vec<f32>, String> {
            let t = file
                .tensor(&name)
                .map_err(|_| format!("no tensor {name:?}"))?;
            if t.dtype() != Dtype::F32 || t.shape() != shape {
                return Err(format!(
                    "tensor {name:?} is {:?} {:?}, expected F32 {shape:?}",
                    t.dtype(),
                    t.shape()
                ));
            }
            Ok(t.data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect())
        };
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(l, w)| {
                let weight = tensor(format!("layers.{l}.weight"), w)?;
                let bias = tensor(format!("layers.{l}.bias"), &w[1..])?;
                let weight = Array2::from_shape_vec((w[0], w[1]), weight).expect("checked shape");
                Ok((weight, Array1::from(bias)))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let network = Network::from_parts(layers, activation)
            .ok_or_else(|| "the layers' shapes do not chain".to_string())?;
        Ok(Model {
            network,
            features,
            classes,
            preprocessing,
            trial: parse("trial", get("trial")?)?,
            space_digest: field("space_digest")?,
            version: field("hpsearch_version")?,
        })
    }
}

/// JSON text of a metadata value.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain lists serialize")
}
