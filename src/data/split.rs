//! Stratified hold-out: each class is shuffled with the seed and cut into test, validation and
//! training parts in the data set's proportions.
//!
//! The sizes are set per class by the largest-remainder method: the validation split gets
//! round(validation · n) samples in all, and class c gets its quota
//! round(validation · n) · n_c / n rounded down or up, so it is within one sample of the whole
//! set's proportion. A class whose quota rounds to 0 still gets one validation sample (taken from
//! the class that gained most by rounding), and every class must keep one training sample.
//! Validation is allocated first; the test split (when `test > 0`) is then allocated the same
//! way from what is left, and may lack a class too small to spare a sample.

use ndarray::Array2;
use rand::seq::SliceRandom;

use super::error::DataError;
use super::{Split, Table, Values};

/// Row indices of each split, each in ascending order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Parts {
    pub(crate) train: Vec<usize>,
    pub(crate) validation: Vec<usize>,
    pub(crate) test: Vec<usize>,
}

/// Splits the rows of `y` (class indices `< classes.len()`) with `seed`.
///
/// Fractions are assumed legal (`spec::check`): validation in (0, 1), test in [0, 1), sum < 1.
pub(crate) fn stratify(
    y: &[usize],
    classes: &[String],
    validation: f64,
    test: f64,
    seed: u64,
    origin: &str,
) -> Result<Parts, DataError> {
    let k = classes.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (row, &c) in y.iter().enumerate() {
        members[c].push(row);
    }
    let counts: Vec<usize> = members.iter().map(Vec::len).collect();
    // Validation first: it ranks the trials, so it gets its full share of every class (leaving
    // one sample to train on); the test split takes what it can of the rest and may lack a
    // small class.
    let keep_one: Vec<usize> = counts.iter().map(|&n| n.saturating_sub(1)).collect();
    let n_val = allocate(&counts, validation, &keep_one, true);
    let n_test = if test > 0.0 {
        let left: Vec<usize> = counts
            .iter()
            .zip(&n_val)
            .map(|(&n, &v)| n.saturating_sub(v + 1))
            .collect();
        allocate(&counts, test, &left, false)
    } else {
        vec![0; k]
    };

    for c in 0..k {
        let train = counts[c] as i64 - n_val[c] as i64 - n_test[c] as i64;
        if n_val[c] == 0 || train < 1 {
            return Err(DataError::ClassTooSmall {
                origin: origin.to_string(),
                class: classes[c].clone(),
                count: counts[c],
                train: train.max(0) as usize,
                validation: n_val[c],
                validation_fraction: validation,
                test_fraction: test,
            });
        }
    }

    let mut rng = super::rng(seed, super::STREAM_SPLIT);
    let mut parts = Parts {
        train: Vec::with_capacity(y.len()),
        validation: Vec::new(),
        test: Vec::new(),
    };
    for (c, rows) in members.iter_mut().enumerate() {
        rows.shuffle(&mut rng);
        let (test_rows, rest) = rows.split_at(n_test[c]);
        let (val_rows, train_rows) = rest.split_at(n_val[c]);
        parts.test.extend_from_slice(test_rows);
        parts.validation.extend_from_slice(val_rows);
        parts.train.extend_from_slice(train_rows);
    }
    parts.train.sort_unstable();
    parts.validation.sort_unstable();
    parts.test.sort_unstable();
    Ok(parts)
}

/// Stratified K-fold assignment of the rows of `y` (class indices `< classes.len()`): each
/// class's rows are shuffled with `seed` and dealt to the folds in turn, each class starting
/// at the fold after the one the previous class ended on, so every fold holds ⌊n_c/K⌋ or
/// ⌈n_c/K⌉ rows of class c and the fold sizes differ by at most one. Returns each fold's rows,
/// ascending; together they are every row once.
///
/// # Errors
/// A class with fewer than `k` rows ([`DataError::FoldClassTooSmall`]).
pub(crate) fn folds(
    y: &[usize],
    classes: &[String],
    k: usize,
    seed: u64,
    origin: &str,
) -> Result<Vec<Vec<usize>>, DataError> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); classes.len()];
    for (row, &c) in y.iter().enumerate() {
        members[c].push(row);
    }
    if let Some((c, rows)) = members.iter().enumerate().find(|(_, r)| r.len() < k) {
        return Err(DataError::FoldClassTooSmall {
            origin: origin.to_string(),
            class: classes[c].clone(),
            count: rows.len(),
            folds: k,
        });
    }
    let mut rng = super::rng(seed, super::STREAM_FOLDS);
    let mut folds: Vec<Vec<usize>> = vec![Vec::with_capacity(y.len() / k + 1); k];
    let mut next = 0;
    for rows in &mut members {
        rows.shuffle(&mut rng);
        for &row in rows.iter() {
            folds[next].push(row);
            next = (next + 1) % k;
        }
    }
    folds.iter_mut().for_each(|f| f.sort_unstable());
    Ok(folds)
}

/// The rows `rows` of `split`, in that order.
pub(crate) fn select(split: &Split, rows: &[usize]) -> Split {
    Split {
        x: split.x.select(ndarray::Axis(0), rows),
        y: rows.iter().map(|&r| split.y[r]).collect(),
    }
}

/// The error for a test fraction that gave no test sample: `fraction · samples` rounds to 0,
/// or validation and one training sample per class leave no class a sample to spare.
pub(crate) fn empty_test(
    origin: &str,
    samples: usize,
    validation: f64,
    fraction: f64,
) -> DataError {
    let share = fraction * samples as f64;
    let (reason, hint) = if share.round() < 1.0 {
        (
            format!("{share:.2} test samples, which rounds to 0"),
            format!(
                "raise data.test to at least {:.4} (one sample of {samples}), or remove data.test \
                 for no test split",
                // The smallest fraction whose share rounds to 1, rounded up in the 4th digit.
                (0.5 / samples as f64 * 1e4).ceil() / 1e4
            ),
        )
    } else {
        (
            format!(
                "{} test samples, but data.validation = {validation} and one training sample per \
                 class leave no class a sample to spare",
                share.round()
            ),
            "lower data.validation, add samples, or remove data.test for no test split".into(),
        )
    };
    DataError::EmptyTestSplit {
        origin: origin.to_string(),
        fraction,
        samples,
        reason,
        hint,
    }
}

/// Per-class sizes of a split of `fraction` of the data: the largest-remainder apportionment of
/// round(fraction · n) over the class counts, each at least 1 (if `at_least_one`) when the class
/// can spare it, and at most `limit[c]`.
fn allocate(counts: &[usize], fraction: f64, limit: &[usize], at_least_one: bool) -> Vec<usize> {
    let n: usize = counts.iter().sum();
    if n == 0 {
        return vec![0; counts.len()];
    }
    let total = (fraction * n as f64).round() as usize;
    let quotas: Vec<f64> = counts
        .iter()
        .map(|&c| total as f64 * c as f64 / n as f64)
        .collect();
    let mut sizes: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
    let mut by_remainder: Vec<usize> = (0..counts.len()).collect();
    // Largest remainder first; ties to the lower class index (stable sort).
    by_remainder.sort_by(|&a, &b| {
        let (ra, rb) = (quotas[a] - quotas[a].floor(), quotas[b] - quotas[b].floor());
        rb.total_cmp(&ra)
    });
    let missing = total.saturating_sub(sizes.iter().sum());
    for &c in by_remainder.iter().take(missing) {
        sizes[c] += 1;
    }
    // Every class that can spare a sample gets one, taken from the class rounded up the most.
    for c in 0..counts.len() {
        if at_least_one && sizes[c] == 0 && limit[c] > 0 {
            sizes[c] = 1;
            let donor = (0..counts.len())
                .filter(|&d| sizes[d] >= 2)
                .max_by(|&a, &b| {
                    (sizes[a] as f64 - quotas[a]).total_cmp(&(sizes[b] as f64 - quotas[b]))
                });
            if let Some(d) = donor {
                sizes[d] -= 1;
            }
        }
    }
    sizes.iter().zip(limit).map(|(&s, &l)| s.min(l)).collect()
}

/// Cuts `table` into the three splits, converting pixels to f32 in [0, 1].
///
/// Memory: the validation and test rows are copied out first; the training rows of an f32
/// table are then moved down in place and the vector truncated, so the peak is the table plus
/// the held-out rows. A pixel table is gathered into new f32 matrices from its `u8` rows.
pub(crate) fn cut(table: Table, parts: &Parts) -> (Split, Split, Option<Split>) {
    let width = table.width;
    let validation = gather(&table, &parts.validation);
    let test = (!parts.test.is_empty()).then(|| gather(&table, &parts.test));
    let train = match table.values {
        Values::F32(mut values) => {
            for (to, &from) in parts.train.iter().enumerate() {
                if to != from {
                    values.copy_within(from * width..(from + 1) * width, to * width);
                }
            }
            values.truncate(parts.train.len() * width);
            values.shrink_to_fit();
            let y = parts.train.iter().map(|&r| table.y[r]).collect();
            split(values, width, y)
        }
        Values::Pixels(_) => gather(&table, &parts.train),
    };
    (train, validation, test)
}

/// The whole table as one split (a separate test file).
pub(crate) fn whole(table: Table) -> Split {
    let width = table.width;
    match table.values {
        Values::F32(values) => split(values, width, table.y),
        Values::Pixels(pixels) => split(
            pixels.iter().map(|&p| f32::from(p) / 255.0).collect(),
            width,
            table.y,
        ),
    }
}

fn gather(table: &Table, rows: &[usize]) -> Split {
    let width = table.width;
    let mut values = Vec::with_capacity(rows.len() * width);
    for &r in rows {
        let range = r * width..(r + 1) * width;
        match &table.values {
            Values::F32(v) => values.extend_from_slice(&v[range]),
            Values::Pixels(p) => values.extend(p[range].iter().map(|&b| f32::from(b) / 255.0)),
        }
    }
    split(values, width, rows.iter().map(|&r| table.y[r]).collect())
}

fn split(values: Vec<f32>, width: usize, y: Vec<usize>) -> Split {
    let rows = y.len();
    // Sizes agree by construction: every table holds `rows · width` values.
    let x = Array2::from_shape_vec((rows, width), values)
        .unwrap_or_else(|_| Array2::zeros((rows, width)));
    Split { x, y }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(k: usize) -> Vec<String> {
        (0..k).map(|c| c.to_string()).collect()
    }

    fn labels(counts: &[usize]) -> Vec<usize> {
        counts
            .iter()
            .enumerate()
            .flat_map(|(c, &n)| std::iter::repeat_n(c, n))
            .collect()
    }

    fn count(y: &[usize], rows: &[usize], k: usize) -> Vec<usize> {
        let mut n = vec![0; k];
        for &r in rows {
            n[y[r]] += 1;
        }
        n
    }

    #[test]
    fn validation_proportions_are_within_one_sample() {
        for (counts, v, t) in [
            (vec![50, 50, 50], 0.2, 0.0),
            (
                vec![178, 182, 177, 183, 181, 182, 181, 179, 174, 180],
                0.25,
                0.1,
            ),
            (vec![900, 90, 9, 3], 0.2, 0.0),
            (vec![7, 13, 2, 41], 0.33, 0.2),
            (vec![1000, 2], 0.1, 0.0),
        ] {
            let y = labels(&counts);
            let k = counts.len();
            let parts = stratify(&y, &names(k), v, t, 3, "t").unwrap();
            let n = y.len() as f64;
            let val = count(&y, &parts.validation, k);
            let n_val = parts.validation.len() as f64;
            for c in 0..k {
                let ideal = n_val * counts[c] as f64 / n;
                assert!(
                    (val[c] as f64 - ideal).abs() <= 1.0,
                    "{counts:?} v={v}: class {c} has {} in validation, ideal {ideal}",
                    val[c]
                );
                assert!(val[c] >= 1);
                assert!(count(&y, &parts.train, k)[c] >= 1);
            }
            let mut all: Vec<usize> = [&parts.train[..], &parts.validation, &parts.test].concat();
            all.sort_unstable();
            assert_eq!(
                all,
                (0..y.len()).collect::<Vec<_>>(),
                "a partition of the rows"
            );
            assert_eq!(parts.validation.len(), (v * n).round() as usize);
        }
    }

    /// A validation fraction and class counts in which every class's share of validation is
    /// at least one sample. Below that, the rule that every class keeps one validation sample
    /// wins over proportionality (tested in `validation_proportions_are_within_one_sample`).
    fn fraction_and_counts() -> impl proptest::strategy::Strategy<Value = (f64, Vec<usize>)> {
        use proptest::strategy::{Just, Strategy};
        (0.05f64..0.6).prop_flat_map(|v| {
            let smallest = (1.0 / v).ceil() as usize;
            (
                Just(v),
                proptest::collection::vec(smallest.max(2)..300, 2..12),
            )
        })
    }

    proptest::proptest! {
        #[test]
        fn any_split_is_stratified_and_keeps_every_class(
            (v, counts) in fraction_and_counts(),
            t in 0.0f64..0.35,
            seed in 0u64..1000,
        ) {
            let y = labels(&counts);
            let k = counts.len();
            let parts = stratify(&y, &names(k), v, t, seed, "t").unwrap();
            let n = y.len() as f64;
            let n_val = parts.validation.len() as f64;
            let val = count(&y, &parts.validation, k);
            let train = count(&y, &parts.train, k);
            for c in 0..k {
                let ideal = n_val * counts[c] as f64 / n;
                proptest::prop_assert!((val[c] as f64 - ideal).abs() <= 1.0,
                    "class {} has {} in validation, share {}", c, val[c], ideal);
                proptest::prop_assert!(val[c] >= 1 && train[c] >= 1);
            }
        }
    }

    /// Found by the property above: the test split used to be cut first and squeezed a small
    /// class's validation share to 1 of an ideal 2.24.
    #[test]
    fn a_test_split_does_not_squeeze_a_small_class_out_of_validation() {
        let counts = [4, 117, 59, 22];
        let y = labels(&counts);
        let (v, t) = (0.5631179998321411, 0.3254064737592443);
        let parts = stratify(&y, &names(4), v, t, 0, "t").unwrap();
        let val = count(&y, &parts.validation, 4);
        let n_val = parts.validation.len() as f64;
        for c in 0..4 {
            let ideal = n_val * counts[c] as f64 / y.len() as f64;
            assert!(
                (val[c] as f64 - ideal).abs() <= 1.0,
                "class {c}: {} vs {ideal}",
                val[c]
            );
        }
    }

    #[test]
    fn same_seed_same_split_other_seed_other_split() {
        let y = labels(&[100, 100]);
        let a = stratify(&y, &names(2), 0.2, 0.1, 42, "t").unwrap();
        let b = stratify(&y, &names(2), 0.2, 0.1, 42, "t").unwrap();
        let c = stratify(&y, &names(2), 0.2, 0.1, 43, "t").unwrap();
        assert_eq!(a, b);
        assert_ne!(a.validation, c.validation);
    }

    #[test]
    fn a_class_of_one_sample_cannot_be_split() {
        let y = labels(&[10, 1]);
        let err = stratify(&y, &names(2), 0.2, 0.0, 1, "f.csv").unwrap_err();
        assert!(
            err.to_string().contains("class \"1\" has 1 sample(s)"),
            "{err}"
        );
    }

    #[test]
    fn folds_are_stratified_disjoint_and_cover_every_row() {
        let y = labels(&[10, 7, 23]);
        let k = 5;
        let folds = folds(&y, &names(3), k, 42, "t").unwrap();
        let mut all: Vec<usize> = folds.concat();
        all.sort_unstable();
        assert_eq!(
            all,
            (0..y.len()).collect::<Vec<_>>(),
            "disjoint and covering"
        );
        for (c, &n) in [10, 7, 23].iter().enumerate() {
            for f in &folds {
                let have = f.iter().filter(|&&r| y[r] == c).count();
                assert!(have == n / k || have == n.div_ceil(k), "class {c}: {have}");
            }
        }
        let sizes: Vec<usize> = folds.iter().map(Vec::len).collect();
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
            "{sizes:?}"
        );
        assert_eq!(folds, super::folds(&y, &names(3), k, 42, "t").unwrap());
        assert_ne!(folds, super::folds(&y, &names(3), k, 43, "t").unwrap());
        let e = super::folds(&labels(&[10, 3]), &names(2), 4, 1, "t").unwrap_err();
        assert!(e.to_string().contains("class \"1\" has 3 samples"), "{e}");
    }
}
