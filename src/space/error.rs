//! [`SpaceError`]: one compiler-style message per mistake in a space file.
//!
//! ```text
//! search-spaces/digits.toml:14:18: params.alpha: log_uniform bounds must be > 0, got [0, 0.01]
//!    |
//! 14 | alpha = { log_uniform = [0, 0.01] }
//!    |                  ^
//! hint: a log scale cannot reach 0; start the range at a small positive value such as 1e-6
//! ```

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::raw::SpanIndex;

/// The rule a space file broke (for callers and tests that match on the cause, not the text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Io,
    /// The file is not valid TOML.
    Syntax,
    /// The file holds no settings at all.
    Empty,
    /// A key that no table of the format knows.
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A value of the wrong type (a string where a number belongs, a float for an integer).
    WrongType,
    /// A value outside its legal range (dropout ≥ 1, a learning rate ≤ 0, a negative seed).
    OutOfRange,
    /// A name that is not one of the legal names (activation, decay, strategy, ...).
    UnknownName,
    /// An empty choice list.
    EmptyChoice,
    /// A choice list naming the same value twice, or a `num` that repeats points.
    Duplicate,
    /// A malformed range table (`lo ≥ hi`, a log range touching 0, a bad `num`).
    BadRange,
    /// Two settings that cannot be used together.
    Conflict,
    /// A grid over a continuous range that has no `num`.
    NotGridable,
    /// A grid larger than `max_trials` (or than any machine could hold).
    TooLarge,
    /// A `[data]` setting the data loader refuses (two sources, an unknown built-in, …).
    BadData,
}

/// A line and column in a file, both 1-based; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// A mistake in a space file: where it is, which key, what was found, the rule, and a hint.
///
/// `Display` renders the whole message (`file:line:col: key: message`, the offending line with
/// a caret, then `hint: ...`), so `eprintln!("error: {err}")` is all a caller needs.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.0.render())]
pub struct SpaceError(Box<Details>);

#[derive(Debug)]
struct Details {
    kind: ErrorKind,
    file: PathBuf,
    location: Option<Location>,
    key: Option<String>,
    message: String,
    excerpt: Option<String>,
    hint: Option<String>,
}

impl SpaceError {
    /// The rule that was broken.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }
    /// The space file.
    pub fn file(&self) -> &Path {
        &self.0.file
    }
    /// Where in the file, when known.
    pub fn location(&self) -> Option<Location> {
        self.0.location
    }
    /// The key path, e.g. `params.alpha` or `search.trials`, when the mistake has one.
    pub fn key(&self) -> Option<&str> {
        self.0.key.as_deref()
    }
    /// The one-line description, without file, location or hint.
    pub fn message(&self) -> &str {
        &self.0.message
    }
    /// The suggested fix, if any.
    pub fn hint(&self) -> Option<&str> {
        self.0.hint.as_deref()
    }

    /// The file could not be read.
    pub(crate) fn io(file: &Path, error: &std::io::Error) -> Self {
        SpaceError(Box::new(Details {
            kind: ErrorKind::Io,
            file: file.to_path_buf(),
            location: None,
            key: None,
            message: format!("cannot read the space file: {error}"),
            excerpt: None,
            hint: None,
        }))
    }
}

impl Details {
    fn render(&self) -> String {
        let mut out = self.file.display().to_string();
        if let Some(Location { line, column }) = self.location {
            out.push_str(&format!(":{line}:{column}"));
        }
        out.push_str(": ");
        if let Some(key) = &self.key {
            out.push_str(&crate::data::clip(key));
            out.push_str(": ");
        }
        out.push_str(&self.message);
        if let Some(excerpt) = &self.excerpt {
            out.push('\n');
            out.push_str(excerpt);
        }
        if let Some(hint) = &self.hint {
            out.push_str("\nhint: ");
            out.push_str(hint);
        }
        out
    }
}

/// Where a [`Problem`] points: at its key, at its value, or at a span the parser gave.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum At {
    Key,
    Value,
    Span(Range<usize>),
}

/// A mistake found before the file name and text are at hand; [`Problem::locate`] turns it into
/// a [`SpaceError`].
#[derive(Clone, Debug)]
pub(crate) struct Problem {
    pub kind: ErrorKind,
    pub key: Option<String>,
    pub at: At,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    /// A problem with the value of `key` (a dotted path such as `params.alpha`).
    pub fn new(kind: ErrorKind, key: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            kind,
            key: Some(key.into()),
            at: At::Value,
            message: message.into(),
            hint: None,
        }
    }

    /// A problem with the whole file.
    pub fn file(kind: ErrorKind, message: impl Into<String>) -> Self {
        Problem {
            kind,
            key: None,
            at: At::Value,
            message: message.into(),
            hint: None,
        }
    }

    /// Points at the key itself rather than its value.
    pub fn at_key(mut self) -> Self {
        self.at = At::Key;
        self
    }

    /// Points at a span the parser reported.
    pub fn at_span(mut self, span: Range<usize>) -> Self {
        self.at = At::Span(span);
        self
    }

    /// Adds the `hint:` line.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Resolves the location of the problem in `text` and names `file`.
    pub fn locate(self, file: &Path, text: &str, index: Option<&SpanIndex>) -> SpaceError {
        let span = match (&self.at, &self.key, index) {
            (At::Span(span), _, _) => Some(span.clone()),
            (at, Some(key), Some(index)) => index.find(key).map(|entry| match (at, &entry.key) {
                (At::Key, Some(key_span)) => key_span.clone(),
                _ => entry.value.clone(),
            }),
            _ => None,
        };
        let start = span.map(|s| s.start.min(text.len()));
        SpaceError(Box::new(Details {
            kind: self.kind,
            file: file.to_path_buf(),
            location: start.map(|offset| location(text, offset)),
            key: self.key,
            message: self.message,
            excerpt: start.map(|offset| excerpt(text, offset)),
            hint: self.hint,
        }))
    }
}

/// The 1-based line and character column of byte `offset` in `text`.
pub(crate) fn location(text: &str, offset: usize) -> Location {
    let offset = floor_char_boundary(text, offset);
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Location {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// Characters of a source line an excerpt shows; a longer line is cut around the caret.
const EXCERPT_CHARS: usize = 100;

/// The line holding byte `offset`, numbered, with a caret under the offset. A line longer than
/// [`EXCERPT_CHARS`] is shown as a window around the offset, with `…` where it is cut.
fn excerpt(text: &str, offset: usize) -> String {
    let offset = floor_char_boundary(text, offset);
    let Location { line, column } = location(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let source = text[line_start..line_end].trim_end_matches('\r');
    let length = source.chars().count();
    let first = if length > EXCERPT_CHARS {
        (column - 1).saturating_sub(EXCERPT_CHARS / 2)
    } else {
        0
    };
    let shown: String = source.chars().skip(first).take(EXCERPT_CHARS).collect();
    let before = if first > 0 { "…" } else { "" };
    let after = if first + EXCERPT_CHARS < length {
        "…"
    } else {
        ""
    };
    let gutter = " ".repeat(line.to_string().len());
    let pad: String = before
        .chars()
        .chain(source.chars().skip(first).take(column - 1 - first))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!("{gutter} |\n{line} | {before}{shown}{after}\n{gutter} | {pad}^")
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// `did you mean "x"?` when `word` is a likely misspelling of one of `candidates`.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let length = word.chars().count();
    let limit = (length / 3).max(2);
    candidates
        .into_iter()
        // Cheap first: names whose lengths differ by more than the limit cannot be that close.
        .filter(|c| c.chars().count().abs_diff(length) <= limit)
        .map(|c| {
            (
                strsim::osa_distance(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| format!("did you mean \"{c}\"?"))
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(location(text, 0), Location { line: 1, column: 1 });
        let offset = text
            .find('=')
            .map(|_| text.rfind('=').unwrap_or(0))
            .unwrap_or(0);
        assert_eq!(location(text, offset), Location { line: 2, column: 4 });
    }

    #[test]
    fn excerpt_shows_the_line_with_a_caret() {
        let text = "x = 1\nalpha = oops\n";
        let offset = text.find("oops").unwrap_or(0);
        assert_eq!(
            excerpt(text, offset),
            "  |\n2 | alpha = oops\n  |         ^"
        );
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_caret() {
        let text = format!(
            "x = [{}\"oops\"{}]\n",
            "1, ".repeat(1000),
            ", 2".repeat(1000)
        );
        let offset = text.find("\"oops").unwrap_or(0);
        let shown = excerpt(&text, offset);
        let lines: Vec<&str> = shown.lines().collect();
        assert!(lines[1].chars().count() < 120, "{shown}");
        assert!(
            lines[1].starts_with("1 | …") && lines[1].ends_with('…'),
            "{shown}"
        );
        let caret = lines[2].chars().count() - 1;
        assert_eq!(lines[1].chars().nth(caret), Some('"'), "{shown}");
    }

    #[test]
    fn a_transposed_pair_of_letters_is_one_edit_away() {
        assert_eq!(
            did_you_mean("nmu", ["num", "mu"]).as_deref(),
            Some("did you mean \"num\"?")
        );
    }

    #[test]
    fn did_you_mean_suggests_only_close_names() {
        assert_eq!(
            did_you_mean("lerning_rate", ["decay", "learning_rate"]).as_deref(),
            Some("did you mean \"learning_rate\"?")
        );
        assert_eq!(did_you_mean("zzzzzz", ["decay", "alpha"]), None);
    }
}
