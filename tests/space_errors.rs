//! Every malformed space is refused by `hpsearch plan` with exit code 2 and one message naming
//! the place, the key, the rule and a hint. One fixture and one expected fragment per rule.

use assert_cmd::Command;
use predicates::prelude::*;

const DATA: &str = "[data]\nbuiltin = \"iris\"\n";

struct Case {
    name: &'static str,
    text: String,
    /// Fragments the message must contain, e.g. `bad.toml:4:17` and `params.alpha`.
    expected: &'static [&'static str],
}

fn params(lines: &str) -> String {
    format!("{DATA}[params]\n{lines}\n")
}

fn search(lines: &str) -> String {
    format!("{DATA}[search]\n{lines}\n")
}

fn cases() -> Vec<Case> {
    let case = |name, text: String, expected| Case {
        name,
        text,
        expected,
    };
    vec![
        case(
            "syntax_error_shows_the_line",
            "name = \"x\nseed = 1\n".into(),
            &["bad.toml:1:", "TOML syntax error", "1 | name = \"x"],
        ),
        case(
            "empty_file",
            "".into(),
            &["bad.toml: the file is empty", "hint:"],
        ),
        case(
            "comment_only_file",
            "# just a comment\n".into(),
            &["the file is empty"],
        ),
        case(
            "missing_data_table",
            "seed = 1\n".into(),
            &["missing [data] table"],
        ),
        case(
            "unknown_top_level_key",
            format!("nmae = \"x\"\n{DATA}"),
            &[
                "bad.toml:1:1",
                "unknown key \"nmae\"",
                "did you mean \"name\"?",
            ],
        ),
        case(
            "unknown_data_key",
            "[data]\nbuiltin = \"iris\"\nvalidaton = 0.2\n".into(),
            &[
                "bad.toml:3:1",
                "data.validaton",
                "did you mean \"validation\"?",
            ],
        ),
        case(
            "unknown_search_key",
            search("strategy = \"random\"\ntrails = 5"),
            &["bad.toml:5:1", "search.trails", "did you mean \"trials\"?"],
        ),
        case(
            "unknown_params_key",
            params("learnig_rate = 0.1"),
            &[
                "bad.toml:4:1",
                "params.learnig_rate",
                "did you mean \"learning_rate\"?",
            ],
        ),
        case(
            "unknown_key_in_a_range_table",
            params("alpha = { uniform = [0.1, 0.2], nmu = 3 }"),
            &["bad.toml:4:33", "params.alpha.nmu", "did you mean \"num\"?"],
        ),
        case(
            "parameter_placed_under_search",
            search("strategy = \"grid\"\nepochs = 5"),
            &["search.epochs", "put it under [params]"],
        ),
        case(
            "wrong_type_for_a_top_level_key",
            format!("seed = \"seven\"\n{DATA}"),
            &["bad.toml:1:8", "seed", "expected an integer"],
        ),
        case(
            "wrong_type_for_a_parameter",
            params("epochs = \"ten\""),
            &[
                "bad.toml:4:10",
                "params.epochs",
                "expected an integer, got a string",
            ],
        ),
        case(
            "real_number_for_an_integer_parameter",
            params("epochs = 10.5"),
            &[
                "params.epochs",
                "expected an integer, got the real number 10.5",
            ],
        ),
        case(
            "empty_choice_list",
            params("activation = []"),
            &["bad.toml:4:14", "params.activation", "empty choice list"],
        ),
        case(
            "duplicate_choice",
            params("neurons = [32, 64, 32]"),
            &["params.neurons[2]", "listed twice"],
        ),
        case(
            "lower_bound_above_upper_bound",
            params("dropout = { uniform = [0.5, 0.1] }"),
            &[
                "params.dropout.uniform",
                "lower bound must be < upper bound",
                "swap the bounds",
            ],
        ),
        case(
            "log_range_touching_zero",
            params("alpha = { log_uniform = [0, 0.01] }"),
            &[
                "bad.toml:4:25",
                "params.alpha.log_uniform",
                "log_uniform bounds must be > 0",
            ],
        ),
        case(
            "log_range_below_zero",
            params("learning_rate = { log_uniform = [-0.1, 0.1] }"),
            &["log_uniform bounds must be > 0"],
        ),
        case(
            "log_int_range_touching_zero",
            params("neurons = { int = [0, 64], log = true }"),
            &["log int bounds must be > 0"],
        ),
        case(
            "zero_learning_rate",
            params("learning_rate = 0"),
            &[
                "bad.toml:4:17",
                "params.learning_rate",
                "must be a number > 0, got 0",
            ],
        ),
        case(
            "negative_learning_rate",
            params("learning_rate = [0.1, -0.01]"),
            &["params.learning_rate[1]", "must be a number > 0, got -0.01"],
        ),
        case(
            "unknown_activation",
            params("activation = [\"relu\", \"tahn\"]"),
            &[
                "params.activation[1]",
                "unknown activation \"tahn\"",
                "did you mean \"tanh\"?",
            ],
        ),
        case(
            "unknown_decay",
            params("decay = \"cosine\""),
            &["params.decay", "unknown decay \"cosine\"", "\"inverse\""],
        ),
        case(
            "unknown_regularization",
            params("regularization = \"l3\""),
            &["params.regularization", "unknown regularization \"l3\""],
        ),
        case(
            "unknown_strategy",
            search("strategy = \"randm\""),
            &[
                "bad.toml:4:12",
                "search.strategy",
                "did you mean \"random\"?",
            ],
        ),
        case(
            "dropout_of_one",
            params("dropout = 1.0"),
            &["params.dropout", "must be a number in [0, 1), got 1.0"],
        ),
        case(
            "dropout_range_reaching_one",
            params("dropout = { uniform = [0, 1] }"),
            &["params.dropout.uniform[1]", "in [0, 1)"],
        ),
        case(
            "zero_epochs",
            params("epochs = 0"),
            &["params.epochs", "must be an integer in [1, 1000000], got 0"],
        ),
        case(
            "random_with_zero_trials",
            search("strategy = \"random\"\ntrials = 0"),
            &["bad.toml:5:10", "search.trials", "got 0"],
        ),
        case(
            "random_without_trials",
            search("strategy = \"random\""),
            &["search", "random search needs trials = N"],
        ),
        case(
            "grid_with_a_continuous_range",
            params("learning_rate = { log_uniform = [0.001, 0.1] }"),
            &[
                "bad.toml:4:17",
                "params.learning_rate",
                "grid search cannot enumerate",
                "num = K",
            ],
        ),
        case(
            "grid_too_large",
            format!(
                "{DATA}[search]\nstrategy = \"grid\"\nmax_trials = 100\n[params]\nneurons = {{ int = [1, 20] }}\nepochs = {{ int = [1, 10] }}\n"
            ),
            &[
                "bad.toml:4:12",
                "the grid has 200 trials, more than max_trials = 100",
            ],
        ),
        case(
            "grid_overflowing_u64",
            params(
                "regularization = \"l2\"\nlearning_rate = { uniform = [0.1, 0.2], num = 1000000 }\nalpha = { uniform = [0.1, 0.2], num = 1000000 }\ndropout = { uniform = [0.1, 0.2], num = 1000000 }\nepochs = { int = [1, 1000000] }",
            ),
            &["the grid has more than 18446744073709551615 trials"],
        ),
        case(
            "num_too_large_to_allocate",
            params("learning_rate = { uniform = [0.1, 0.2], num = 1000000000000 }"),
            &["params.learning_rate.num", "num must be in [2, 1000000]"],
        ),
        case(
            "validation_fraction_above_one",
            "[data]\nbuiltin = \"iris\"\nvalidation = 1.5\n".into(),
            &[
                "bad.toml:3:14",
                "data.validation",
                "must be a fraction in (0, 1)",
                "got 1.5",
            ],
        ),
        case(
            "validation_fraction_of_zero",
            "[data]\nbuiltin = \"iris\"\nvalidation = 0.0\n".into(),
            &["data.validation", "must be a fraction in (0, 1)"],
        ),
        case(
            "test_fraction_of_one",
            "[data]\nbuiltin = \"iris\"\ntest = 1.0\n".into(),
            &["bad.toml:3:8", "data.test", "must be a fraction in [0, 1)"],
        ),
        case(
            "unknown_builtin",
            "[data]\nbuiltin = \"irsi\"\n".into(),
            &["bad.toml:2:11", "data.builtin", "did you mean \"iris\"?"],
        ),
        case(
            "two_data_sources",
            "[data]\nbuiltin = \"iris\"\npath = \"x.csv\"\n".into(),
            &["bad.toml:3:8", "data.path", "exactly one source"],
        ),
        case(
            "hidden_with_hidden_layers",
            params("hidden = [64, 32]\nhidden_layers = 2"),
            &["bad.toml:5:1", "params.hidden_layers", "pick one"],
        ),
        case(
            "negative_seed",
            format!("seed = -1\n{DATA}"),
            &["seed", "must be ≥ 0, got -1"],
        ),
        case(
            "both_uniform_and_int",
            params("neurons = { int = [1, 8], uniform = [1, 8] }"),
            &["params.neurons", "not both"],
        ),
        case(
            "uniform_range_for_an_integer",
            params("epochs = { uniform = [1, 10] }"),
            &["params.epochs.uniform", "use { int = [lo, hi] }"],
        ),
        case(
            "hidden_mixing_lists_and_numbers",
            params("hidden = [[64], 32]"),
            &["params.hidden", "mixes lists and numbers"],
        ),
        case(
            "seed_beyond_the_integers_toml_holds",
            format!("seed = 18446744073709551615\n{DATA}"),
            &[
                "bad.toml:1:8: seed: 18446744073709551615 is out of range",
                "must be an integer from 0 to 9223372036854775807",
            ],
        ),
        case(
            "trials_beyond_the_integers_toml_holds",
            search("strategy = \"random\"\ntrials = 99999999999999999999"),
            &[
                "bad.toml:5:10: search.trials: 99999999999999999999 is out of range",
                "must be an integer from 1 to 1000000",
            ],
        ),
        case(
            "a_parameter_beyond_the_integers_toml_holds",
            params("epochs = { int = [1, -99999999999999999999] }"),
            &[
                "params.epochs.int[1]: -99999999999999999999 is out of range",
                "must be an integer in [1, 1000000]",
            ],
        ),
        case(
            "generator_samples_beyond_the_integers_toml_holds",
            "[data]\nbuiltin = \"blobs\"\nsamples = 99999999999999999999\n".into(),
            &[
                "data.samples: 99999999999999999999 is out of range",
                "to 10000000",
            ],
        ),
        case(
            "empty_data_path",
            "[data]\npath = \"\"\n".into(),
            &[
                "bad.toml:2:8: data.path: must name a file, but the path is empty",
                "hint: give the file",
            ],
        ),
        case(
            "a_repeated_choice_names_both_elements",
            params("neurons = [8, 16, 32, 16]"),
            &[
                "params.neurons[3]",
                "16 is listed twice in the choice, at [1] and [3]",
            ],
        ),
        case(
            "trials_given_to_a_grid",
            search("strategy = \"grid\"\ntrials = 5"),
            &["search.trials", "applies to random search"],
        ),
        case(
            "hyperband_needs_a_single_epoch_count",
            format!("{DATA}[search]\nstrategy = \"hyperband\"\n[params]\nepochs = [9, 27]\n"),
            &[
                "bad.toml:6:10",
                "params.epochs",
                "need params.epochs to be a single integer",
            ],
        ),
        case(
            "a_key_of_another_strategy",
            format!(
                "{DATA}[search]\nstrategy = \"halving\"\ntrials = 9\nbudget = 100\n[params]\nepochs = 9\n"
            ),
            &[
                "bad.toml:6:1",
                "search.budget",
                "budget does not apply to strategy = \"halving\"",
            ],
        ),
        case(
            "min_epochs_above_r",
            format!(
                "{DATA}[search]\nstrategy = \"hyperband\"\nmin_epochs = 10\n[params]\nepochs = 9\n"
            ),
            &[
                "search.min_epochs",
                "must be in [1, 9], got 10",
                "at most R = 9",
            ],
        ),
        case(
            "reduction_below_two",
            format!(
                "{DATA}[search]\nstrategy = \"hyperband\"\nreduction = 1\n[params]\nepochs = 9\n"
            ),
            &["search.reduction", "must be in [2, 1000], got 1"],
        ),
        case(
            "unknown_sampler",
            format!(
                "{DATA}[search]\nstrategy = \"hyperband\"\nsampler = \"grid\"\n[params]\nepochs = 9\n"
            ),
            &["search.sampler", "unknown sampler \"grid\""],
        ),
        case(
            "tpe_settings_without_the_tpe_sampler",
            format!(
                "{DATA}[search]\nstrategy = \"hyperband\"\nstartup = 5\n[params]\nepochs = 9\n"
            ),
            &[
                "search.startup",
                "applies to the TPE sampler",
                "sampler = \"tpe\"",
            ],
        ),
        case(
            "gamma_outside_zero_one",
            search("strategy = \"tpe\"\ntrials = 20\ngamma = 1.5"),
            &["search.gamma", "must be in (0, 1), got 1.5"],
        ),
        case(
            "tpe_without_trials",
            search("strategy = \"tpe\""),
            &["search", "tpe search needs trials = N"],
        ),
    ]
}

#[test]
fn every_malformed_space_exits_2_with_its_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let all = cases();
    assert!(all.len() >= 20);
    for case in all {
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, &case.text).expect("write fixture");
        let output = Command::cargo_bin("hpsearch")
            .expect("binary")
            .current_dir(dir.path())
            .args(["plan", "bad.toml"])
            .output()
            .expect("run hpsearch");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}: exit code, stderr:\n{stderr}",
            case.name
        );
        assert!(stderr.starts_with("error: "), "{}: {stderr}", case.name);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.name);
        assert!(
            !stderr.contains("i128"),
            "{}: serde's words: {stderr}",
            case.name
        );
        for fragment in case.expected {
            assert!(
                stderr.contains(fragment),
                "{}: expected {fragment:?} in:\n{stderr}",
                case.name
            );
        }
        assert!(output.stdout.is_empty(), "{}: nothing on stdout", case.name);
    }
}

#[test]
fn missing_file_exits_2_and_names_it() {
    Command::cargo_bin("hpsearch")
        .expect("binary")
        .args(["plan", "no/such/space.toml"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no/such/space.toml")
                .and(predicate::str::contains("cannot read")),
        );
}

#[test]
fn errors_point_at_the_offending_line_with_a_caret() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("bad.toml"),
        params("alpha = { log_uniform = [0, 0.01] }"),
    )
    .expect("write");
    Command::cargo_bin("hpsearch")
        .expect("binary")
        .current_dir(dir.path())
        .args(["plan", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "4 | alpha = { log_uniform = [0, 0.01] }\n  |                         ^\nhint: ",
        ));
}

/// Issue 9, item 8: the duplicate check of a choice list was quadratic (80,000 values took
/// 3.9 s, 600,000 did not finish in a minute). A list of 600,000 values must parse at once.
#[test]
fn a_choice_of_600000_values_parses_and_a_late_repeat_is_found() {
    use hpsearch::objective::params::MLP_PARAMS;
    let n = 600_000;
    let values: Vec<String> = (0..n).map(|i| format!("{}e-9", i + 1)).collect();
    let text = |extra: &str| {
        format!(
            "{DATA}[search]\nstrategy = \"random\"\ntrials = 3\n[params]\nlearning_rate = [{}{extra}]\n",
            values.join(", ")
        )
    };
    let path = std::path::Path::new("big.toml");
    let space = hpsearch::space::parse(&text(""), path, MLP_PARAMS).expect("a valid space");
    let lr = space
        .params()
        .iter()
        .find(|p| p.name() == "learning_rate")
        .and_then(|p| p.domain())
        .and_then(|d| d.grid_size());
    assert_eq!(lr, Some(n as u64));

    let err = hpsearch::space::parse(&text(", 1e-9"), path, MLP_PARAMS).expect_err("a repeat");
    assert!(
        err.to_string()
            .contains("params.learning_rate[600000]: 0.000000001 is listed twice in the choice, at [0] and [600000]"),
        "{err}"
    );
    // The excerpt shows a window of the 10 MB line around the caret, not the whole line.
    assert!(
        err.to_string().len() < 1000,
        "{} bytes",
        err.to_string().len()
    );
}

#[test]
fn a_huge_value_is_echoed_cut_to_a_readable_length() {
    let dir = tempfile::tempdir().expect("temp dir");
    let long = "x".repeat(1 << 20);
    for (name, text) in [
        ("activation", params(&format!("activation = \"{long}\""))),
        ("key", params(&format!("{long} = 1"))),
        ("strategy", search(&format!("strategy = \"{long}\""))),
        (
            "hidden",
            params(&format!("hidden = [[1], {}]", "1, ".repeat(1 << 18))),
        ),
    ] {
        std::fs::write(dir.path().join("bad.toml"), text).expect("write");
        let output = Command::cargo_bin("hpsearch")
            .expect("binary")
            .current_dir(dir.path())
            .args(["plan", "bad.toml"])
            .output()
            .expect("run hpsearch");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.len() < 2000,
            "{name}: {} bytes of stderr",
            stderr.len()
        );
        assert!(stderr.contains(" bytes)"), "{name}: {stderr}");
    }
}
