//! report.html in a real browser: headless Chromium renders the quickstart's page to a PNG
//! that is not blank, and the page's script runs without a JavaScript error. Skipped, with
//! the reason printed, only when `chromium` is not installed (`.ci/run` installs it).

use std::collections::HashSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use hpsearch::objective::params::MLP_PARAMS;
use hpsearch::report::html;

fn chromium_present() -> bool {
    Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs headless Chromium (at most 120 s) on `page` with `extra` arguments.
fn chromium(profile: &Path, page: &Path, extra: &[&str]) -> Output {
    let url = format!("file://{}", page.display());
    let output = Command::new("timeout")
        .arg("120")
        .arg("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn chromium_renders_the_quickstart_report_without_script_errors() {
    if !chromium_present() {
        eprintln!("skipped: `chromium` is not installed (apt-get install -y chromium)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/quickstart");
    let input = html::read(&fixture, MLP_PARAMS).unwrap();
    let page = tmp.path().join("report.html");
    let mut bytes = Vec::new();
    html::write(&input, &mut bytes).unwrap();
    fs::write(&page, bytes).unwrap();

    // The script marks the document as its last statement: the mark is there only if it ran
    // to the end, and an uncaught error would also be logged.
    let dom = chromium(&tmp.path().join("profile-dom"), &page, &["--dump-dom"]);
    let stdout = String::from_utf8_lossy(&dom.stdout);
    let stderr = String::from_utf8_lossy(&dom.stderr);
    assert!(!stderr.contains("Uncaught"), "JavaScript error: {stderr}");
    assert!(
        stdout.contains("data-script=\"ran\""),
        "the page's script did not finish:\n{stderr}"
    );

    let png = tmp.path().join("shot.png");
    let shot = chromium(
        &tmp.path().join("profile-shot"),
        &page,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1200,4000",
        ],
    );
    let stderr = String::from_utf8_lossy(&shot.stderr);
    assert!(!stderr.contains("Uncaught"), "JavaScript error: {stderr}");

    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let (mut colours, mut inked) = (HashSet::new(), 0usize);
    for px in pixels.chunks_exact(channels) {
        let rgb = (px[0], px[1], px[2.min(channels - 1)]);
        colours.insert(rgb);
        if rgb != (255, 255, 255) {
            inked += 1;
        }
    }
    let total = (info.width * info.height) as usize;
    assert_eq!((info.width, info.height), (1200, 4000));
    assert!(colours.len() > 50, "{} distinct colours", colours.len());
    assert!(
        inked * 50 > total,
        "only {inked} of {total} pixels are not white"
    );
    // Viridis and Okabe–Ito blue are drawn: the plots rendered, not only text.
    assert!(
        colours.contains(&(0x00, 0x72, 0xB2))
            || colours
                .iter()
                .any(|&(r, g, b)| r < 20 && (100..130).contains(&g) && b > 160)
    );
}
