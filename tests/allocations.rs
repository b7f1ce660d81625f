//! The hot loop allocates nothing: a counting global allocator watches whole training epochs
//! once the trainer has sized its buffers.
//!
//! Online SGD (its own slice-loop path), mini-batch steps (3L − 1 matrix products for L layers,
//! on the trainer's own kernel, whose only scratch space is the workspace's packing buffer) and
//! evaluation must allocate nothing at all, whatever the optimizer and with or without gradient
//! clipping.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use hpsearch::mlp::{BatchSize, MlpParams, Optimizer, Penalty, Samples, Trainer};
use ndarray::Array2;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

fn data(n: usize, d: usize) -> (Array2<f32>, Vec<usize>) {
    let x = Array2::from_shape_fn((n, d), |(i, j)| ((i * 7 + j * 3) % 11) as f32 / 5.0 - 1.0);
    let y = (0..n).map(|i| i % 10).collect();
    (x, y)
}

/// Every update rule, each once with gradient clipping and once without.
fn optimizers() -> Vec<(Optimizer, Option<f64>)> {
    let rules = [
        Optimizer::Sgd,
        Optimizer::Momentum { momentum: 0.9 },
        Optimizer::Nesterov { momentum: 0.9 },
        Optimizer::Adam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        },
    ];
    let clips = [None, Some(1.0)];
    rules
        .into_iter()
        .flat_map(|o| clips.map(|c| (o, c)))
        .collect()
}

fn trainer(
    batch_size: BatchSize,
    hidden: Vec<usize>,
    dropout: f64,
    (optimizer, clip_norm): (Optimizer, Option<f64>),
) -> Trainer {
    let params = MlpParams {
        hidden,
        batch_size,
        dropout,
        penalty: Penalty::L2,
        learning_rate: 0.01,
        optimizer,
        clip_norm,
        ..MlpParams::default()
    };
    Trainer::new(&params.validate().unwrap(), 64, 10, 1).unwrap()
}

#[test]
fn online_epochs_allocate_nothing() {
    let (x, y) = data(200, 64);
    for optimizer in optimizers() {
        for dropout in [0.0, 0.3] {
            let mut t = trainer(BatchSize::Online, vec![32, 16], dropout, optimizer);
            t.train_epoch(Samples::new(x.view(), &y)).unwrap();
            let n = allocations_during(|| {
                for _ in 0..2 {
                    t.train_epoch(Samples::new(x.view(), &y)).unwrap();
                }
            });
            assert_eq!(
                n, 0,
                "online {optimizer:?} allocated {n} times in 400 steps (dropout {dropout})"
            );
        }
    }
}

#[test]
fn mini_batch_epochs_allocate_nothing() {
    let (x, y) = data(320, 64);
    for optimizer in optimizers() {
        for (batch, hidden, dropout) in [
            (BatchSize::MiniBatch(32), vec![64], 0.0),
            (BatchSize::MiniBatch(32), vec![32, 16], 0.3),
            (BatchSize::MiniBatch(32), vec![], 0.0),
            // Larger than one chunk: gradients summed over chunks, then one step.
            (BatchSize::Full, vec![32, 16], 0.0),
        ] {
            let mut t = trainer(batch, hidden.clone(), dropout, optimizer);
            t.train_epoch(Samples::new(x.view(), &y)).unwrap();
            let n = allocations_during(|| {
                t.train_epoch(Samples::new(x.view(), &y)).unwrap();
            });
            assert_eq!(
                n, 0,
                "{optimizer:?} {batch:?} {hidden:?}: {n} allocations in one epoch"
            );
        }
    }
}

#[test]
fn evaluation_allocates_nothing() {
    let (x, y) = data(600, 64);
    let mut t = trainer(
        BatchSize::MiniBatch(32),
        vec![64],
        0.0,
        (Optimizer::Sgd, None),
    );
    t.evaluate(Samples::new(x.view(), &y)).unwrap();
    let n = allocations_during(|| {
        t.evaluate(Samples::new(x.view(), &y)).unwrap();
    });
    assert_eq!(n, 0, "{n} allocations evaluating 600 rows");
}

#[test]
fn keeping_the_best_epochs_weights_allocates_nothing() {
    let (x, y) = data(200, 64);
    let (vx, vy) = data(100, 64);
    let mut t = trainer(BatchSize::Online, vec![32, 16], 0.0, (Optimizer::Sgd, None));
    let (train, val) = (Samples::new(x.view(), &y), Samples::new(vx.view(), &vy));
    t.train(train, val, 1, &mut |_| std::ops::ControlFlow::Continue(()))
        .unwrap();
    let before = t.best().unwrap().epoch;
    let n = allocations_during(|| {
        t.train(train, val, 3, &mut |_| std::ops::ControlFlow::Continue(()))
            .unwrap();
    });
    let improved = t.best().unwrap().epoch != before;
    assert!(
        improved,
        "validation loss must improve for the copy to happen"
    );
    // The curve (1), and one packing buffer per matrix product of the validation pass: 3
    // epochs × 3 layers × 1 chunk. A copy of the weights that allocated would add 6 per
    // improving epoch.
    assert!(n <= 1 + 9, "{n} allocations");
}
