//! `hpsearch run` under stress: a closed stdout or stderr, two runs on one directory, planted
//! symbolic links, a full disk, signals, a time limit, a terminal (issue 9). Each test failed
//! before its fix.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;
use common::cli::{hpsearch, journal_ids, journal_len, run, space};
use predicates::prelude::*;
use predicates::str::contains;

/// 8 quick trials, with a test split (so a run writes every file there is).
const IRIS_GRID: &str = r#"
name = "iris-grid"
seed = 3
[data]
builtin = "iris"
validation = 0.2
test = 0.2
[search]
strategy = "grid"
[params]
learning_rate = [0.05, 0.2]
batch_size = [8, "full"]
neurons = [4, 16]
epochs = 8
"#;

/// `trials` random draws on iris of `epochs` epochs each at batch size 4: slow enough to
/// interrupt.
fn slow_space(trials: u32, epochs: u32) -> String {
    format!(
        "name = \"slow\"\n[data]\nbuiltin = \"iris\"\n[search]\nstrategy = \"random\"\n\
         trials = {trials}\n[params]\nneurons = 16\nbatch_size = 4\nepochs = {epochs}\n"
    )
}

const EVERY_FILE: [&str; 7] = [
    "space.toml",
    "trials.csv",
    "curves.journal.csv",
    "ranked.csv",
    "curves.csv",
    "best.toml",
    "test.csv",
];

/// Starts `hpsearch run -q -j 1 --out OUT SPACE` in the background, stderr captured, and
/// returns once `ready(OUT)` holds (or two minutes passed).
fn spawn_until(out: &Path, space: &Path, ready: impl Fn(&Path) -> bool) -> Child {
    let child = Command::new(cargo_bin("hpsearch"))
        .args(["run", "-q", "-j", "1", "--out"])
        .arg(out)
        .arg(space)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !ready(out) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

/// Sends `signal` (e.g. "-TERM") to `child` and waits for it.
fn signal(child: Child, signal: &str) -> Output {
    Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Files in `dir` whose name ends in `.tmp`.
fn temporaries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".tmp"))
                .collect()
        })
        .unwrap_or_default()
}

// Item 1: every file is written before anything is printed.

#[test]
fn a_closed_stdout_loses_no_file_and_the_run_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    let run_into = |name: &str, stdout: Stdio| {
        let out = tmp.path().join(name);
        let status = Command::new(cargo_bin("hpsearch"))
            .args(["run", "-q", "--out"])
            .arg(&out)
            .arg(&file)
            .stdout(stdout)
            .stderr(Stdio::null())
            .status()
            .unwrap();
        for name in EVERY_FILE {
            assert!(out.join(name).is_file(), "{} lacks {name}", out.display());
        }
        assert_eq!(status.code(), Some(0), "{}", out.display());
    };
    // A pipe whose reader is gone: every write to stdout fails at once (what `| head -1` does
    // by the time the ranking is printed).
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    run_into("closed", writer.into());
    // A full stdout is no different.
    run_into("full", fs::File::create("/dev/full").unwrap().into());
}

// Item 2: one run per results directory.

#[test]
fn a_second_run_on_a_directory_in_use_fails_at_once_and_resume_works_after() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", &slow_space(3, 1500));
    let out = tmp.path().join("shared");
    let first = spawn_until(&out, &file, |out| out.join("trials.csv").is_file());
    for extra in [&["--resume"][..], &[]] {
        run(&out, &file, extra).code(1).stderr(
            contains("in use by another hpsearch").and(contains(out.display().to_string())),
        );
    }
    let output = signal(first, "-KILL");
    assert_eq!(output.status.code(), None, "the first run was still going");
    // Its lock died with it; the lock file left behind blocks nothing.
    assert!(out.join(".lock").is_file());
    run(&out, &file, &["--resume", "-j", "2"]).success();
    assert_eq!(journal_ids(&out), vec![0, 1, 2]);
}

#[test]
fn a_folder_holding_only_a_lock_file_starts_a_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join(".lock"), "").unwrap();
    run(&out, &file, &[]).success();
    assert_eq!(journal_ids(&out), (0..8).collect::<Vec<_>>());
}

// Item 5: no write follows a symbolic link in the results directory.

#[cfg(unix)]
#[test]
fn links_planted_as_temporary_files_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    let out = tmp.path().join("out");
    run(&out, &file, &[]).success();
    let mut victims = Vec::new();
    for name in [".ranked.csv.tmp", ".curves.csv.tmp", ".best.toml.tmp"] {
        let victim = tmp.path().join(format!("victim{name}"));
        fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, out.join(name)).unwrap();
        victims.push(victim);
    }
    run(&out, &file, &["--resume"]).success();
    hpsearch().arg("report").arg(&out).assert().success();
    for victim in victims {
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    }
}

#[cfg(unix)]
#[test]
fn a_journal_replaced_by_a_link_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    for journal in ["trials.csv", "curves.journal.csv"] {
        let out = tmp.path().join(journal);
        run(&out, &file, &[]).success();
        // Drop the last trials so that resuming has trials to append.
        let trials = fs::read_to_string(out.join("trials.csv")).unwrap();
        let kept: String = trials.lines().take(3).map(|l| format!("{l}\n")).collect();
        fs::write(out.join("trials.csv"), kept).unwrap();
        let victim = tmp.path().join(format!("victim-{journal}"));
        fs::rename(out.join(journal), &victim).unwrap();
        std::os::unix::fs::symlink(&victim, out.join(journal)).unwrap();
        let before = fs::read(&victim).unwrap();
        run(&out, &file, &["--resume"])
            .code(1)
            .stderr(contains(journal).and(contains("is a symbolic link")));
        assert_eq!(
            fs::read(&victim).unwrap(),
            before,
            "{journal} written through"
        );
    }
}

// Item 6: a failed write to stderr never panics; a run that trained nothing leaves nothing.

#[test]
fn an_unwritable_stderr_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    let out = tmp.path().join("out");
    let full = || fs::File::create("/dev/full").unwrap();
    let code = |command: &mut Command| command.stderr(full()).status().unwrap().code();
    let bin = cargo_bin("hpsearch");
    let mut run = Command::new(&bin);
    run.args(["run", "-q", "--out"]).arg(&out).arg(&file);
    assert_eq!(code(run.stdout(Stdio::null())), Some(0));
    assert_eq!(journal_ids(&out), (0..8).collect::<Vec<_>>());
    let mut plan = Command::new(&bin);
    plan.args(["plan", "--csv"]).arg(&file);
    assert_eq!(code(plan.stdout(Stdio::null())), Some(0));
    let bad = space(
        tmp.path(),
        "bad.toml",
        "[data]\nbuiltin = \"iris\"\n[oops]\n",
    );
    let mut plan = Command::new(&bin);
    plan.arg("plan").arg(&bad);
    assert_eq!(code(&mut plan), Some(2), "the documented exit code");
}

#[test]
fn a_run_stopped_before_any_trial_finished_leaves_no_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", &slow_space(2, 20000));
    let out = tmp.path().join("a/b/out");
    let child = spawn_until(&out, &file, |out| out.join("trials.csv").is_file());
    let output = signal(child, "-INT");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        !tmp.path().join("a").exists(),
        "the folders it created stay"
    );
    assert!(stderr.contains("nothing was kept"), "{stderr}");
}

// Item 11: messages that say what is wrong.

#[test]
fn out_naming_a_file_says_it_is_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    let blocker = tmp.path().join("a-file");
    fs::write(&blocker, "mine").unwrap();
    run(&blocker, &file, &[])
        .code(1)
        .stderr(contains("a-file is a file, not a directory"));
    assert_eq!(fs::read_to_string(&blocker).unwrap(), "mine");
}

/// A 64 KiB tmpfs, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts one at `dir`, or says why the test is skipped (it needs root).
    fn mount(dir: &Path) -> Option<Tmpfs> {
        fs::create_dir_all(dir).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            eprintln!(
                "skipped: cannot mount a tmpfs at {} (needs root)",
                dir.display()
            );
            return None;
        }
        Some(Tmpfs(dir.to_path_buf()))
    }

    /// Fills it, then frees `pages` pages of 4 KiB.
    fn fill_but(&self, pages: u64) {
        let mut filler = fs::File::create(self.0.join("filler")).unwrap();
        let mut len = 0u64;
        while filler.write_all(&[7u8; 4096]).is_ok() {
            len += 4096;
        }
        filler.set_len(len.saturating_sub(pages * 4096)).unwrap();
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_during_the_sweep_is_named_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(disk) = Tmpfs::mount(&tmp.path().join("disk")) else {
        return;
    };
    // One trial whose 300 curve rows (~20 KB) cannot fit in the page left once space.toml,
    // trials.csv and the curve journal's header have one each.
    let file = space(
        tmp.path(),
        "s.toml",
        "[data]\nbuiltin = \"iris\"\n[params]\nepochs = 300\n",
    );
    disk.fill_but(3);
    let out = disk.0.join("out");
    run(&out, &file, &[])
        .code(1)
        .stderr(contains("curves.journal.csv").and(contains("No space left on device")));
    assert!(!out.exists(), "a run that trained nothing leaves nothing");
}

#[test]
fn a_full_disk_while_writing_reports_leaves_no_temporary_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    let done = tmp.path().join("done");
    run(&done, &file, &[]).success();
    let Some(disk) = Tmpfs::mount(&tmp.path().join("disk")) else {
        return;
    };
    let out = disk.0.join("out");
    fs::create_dir(&out).unwrap();
    for name in [
        "trials.csv",
        "curves.journal.csv",
        "space.toml",
        "ranked.csv",
    ] {
        fs::copy(done.join(name), out.join(name)).unwrap();
    }
    disk.fill_but(0);
    hpsearch()
        .arg("report")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains("ranked.csv").and(contains("No space left on device")));
    assert_eq!(temporaries(&out), Vec::<String>::new());
    assert_eq!(
        fs::read(out.join("ranked.csv")).unwrap(),
        fs::read(done.join("ranked.csv")).unwrap(),
        "the old ranking stays whole"
    );
}

// Items 14 and 15: the resume command can be pasted; SIGTERM is a first Ctrl-C.

#[test]
fn the_resume_command_is_shell_quoted_and_works_when_pasted() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "it's my space.toml", &slow_space(4, 400));
    let out = tmp.path().join("my results");
    let child = spawn_until(&out, &file, |out| journal_len(out) >= 1);
    let output = signal(child, "-INT");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    let command = stderr
        .lines()
        .find_map(|l| l.strip_prefix("resume with: hpsearch "))
        .unwrap_or_else(|| panic!("no resume command in {stderr}"));
    let binary = cargo_bin("hpsearch").display().to_string();
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("'{binary}' {command} -q"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{command}");
    assert_eq!(journal_ids(&out), vec![0, 1, 2, 3]);
}

#[test]
fn sigterm_stops_like_ctrl_c_and_exits_143() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", &slow_space(6, 400));
    let out = tmp.path().join("out");
    let child = spawn_until(&out, &file, |out| journal_len(out) >= 1);
    let output = signal(child, "-TERM");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("resume with:"), "{stderr}");
    let kept = journal_len(&out);
    assert!((1..6).contains(&kept), "{kept} trials kept");
    assert!(
        out.join("ranked.csv").is_file(),
        "the reports of what finished"
    );
    run(&out, &file, &["--resume", "-j", "2"]).success();
    assert_eq!(journal_ids(&out), (0..6).collect::<Vec<_>>());
}

// Item 16: `--resume` where there is nothing yet starts the sweep.

#[test]
fn resume_on_a_missing_or_empty_directory_starts_the_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    let missing = tmp.path().join("not/yet");
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    for out in [&missing, &empty] {
        run(out, &file, &["--resume"]).success();
        assert_eq!(journal_ids(out), (0..8).collect::<Vec<_>>());
    }
}

#[test]
fn resume_on_a_folder_holding_other_files_is_refused_and_touches_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    let out = tmp.path().join("photos");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("cat.jpg"), "meow").unwrap();
    run(&out, &file, &["--resume"])
        .code(1)
        .stderr(contains("no trials.csv to resume from").and(contains("other files")));
    let names: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["cat.jpg"]);
}

// Item 19: the progress bars on a terminal.

/// Runs `hpsearch ARGS` on a pseudo-terminal (util-linux `script`), so that the progress bars
/// draw; types Ctrl-C once the output holds `ctrl_c_after`. Returns everything the terminal
/// showed and the exit code, or `None` (the test is skipped) without `script`.
fn on_a_terminal(args: &[&str], ctrl_c_after: Option<&str>) -> Option<(String, Option<i32>)> {
    let binary = cargo_bin("hpsearch");
    let command = std::iter::once(binary.to_str().unwrap())
        .chain(args.iter().copied())
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let spawned = Command::new("script")
        .args(["-qefc", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = spawned else {
        eprintln!("skipped: util-linux `script` is needed to run hpsearch on a terminal");
        return None;
    };
    let screen = Arc::new(Mutex::new(Vec::new()));
    let mut stdout = child.stdout.take().unwrap();
    let sink = Arc::clone(&screen);
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let shown = || String::from_utf8_lossy(&screen.lock().unwrap()).into_owned();
    let mut stdin = child.stdin.take().unwrap();
    if let Some(ready) = ctrl_c_after {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !shown().contains(ready) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        stdin.write_all(b"\x03").unwrap();
    }
    let status = child.wait().unwrap();
    drop(stdin);
    reader.join().unwrap();
    Some((shown(), status.code()))
}

#[test]
fn no_eta_is_shown_before_there_is_progress_to_estimate_from() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", &slow_space(3, 300));
    let out = tmp.path().join("out");
    let Some((screen, code)) = on_a_terminal(
        &[
            "run",
            "-j",
            "1",
            "--out",
            out.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        None,
    ) else {
        return;
    };
    assert_eq!(code, Some(0), "{screen}");
    let first = screen.find("0/3 trials").expect("a progress bar was drawn");
    let frame: String = screen[first..].chars().take(20).collect();
    assert!(!frame.contains("ETA"), "{frame:?}");
    assert!(
        screen.contains("trials, ETA"),
        "an ETA once there is progress"
    );
}

#[test]
fn the_lines_of_stopped_trials_are_not_drawn_again_after_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", &slow_space(2, 20000));
    let out = tmp.path().join("out");
    let Some((screen, code)) = on_a_terminal(
        &[
            "run",
            "-j",
            "2",
            "--out",
            out.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        Some("epochs 1/"),
    ) else {
        return;
    };
    assert_eq!(code, Some(130), "{screen}");
    let end = screen.find("resume with:").expect("the resume command");
    assert!(!screen[end..].contains("epoch"), "{:?}", &screen[end..]);
}

// Item 20: --time-limit.

#[test]
fn a_time_limit_stops_the_sweep_exits_0_and_resume_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", &slow_space(16, 300));
    let out = tmp.path().join("out");
    run(&out, &file, &["-j", "1", "--time-limit", "1500ms"])
        .code(0)
        .stderr(contains("stopped at the time limit").and(contains("--resume")));
    assert!(journal_len(&out) < 16, "stopped early");
    run(&out, &file, &["--resume", "-j", "2"]).success();
    assert_eq!(journal_ids(&out), (0..16).collect::<Vec<_>>());
}

#[test]
fn a_time_limit_that_is_not_a_duration_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = space(tmp.path(), "s.toml", IRIS_GRID);
    for bad in ["90", "soon", "0s"] {
        run(&tmp.path().join("out"), &file, &["--time-limit", bad])
            .code(2)
            .stderr(contains("--time-limit"));
    }
    assert!(!tmp.path().join("out").exists());
}
