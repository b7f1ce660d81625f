//! The embedded multi-layer-perceptron trainer; knows nothing of searches. (Issue 2.)
