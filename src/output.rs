//! How gaia talks to the operator: colour decided once per stream (plain
//! unless that stream is a terminal; NO_COLOR, CLICOLOR, CLICOLOR_FORCE and
//! TERM=dumb honoured as anstream reads them), progress only on a terminal,
//! and one place that knows what `--quiet` and `--verbose` mean.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use clap::ValueEnum;

use crate::error::{Error, Outcome, Result};
use crate::secrets;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
    /// JUnit XML, one test suite per category
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Something a command shows the operator: one value, rendered in whichever
/// format was asked for, so commands never branch on the format.
pub(crate) trait Render {
    fn human(&self, printer: &Printer) -> String;
    fn json(&self) -> serde_json::Value;
    /// JUnit XML, for the reports that have one.
    fn junit(&self) -> Option<String> {
        None
    }
}

/// What a command that changes live would do (`--dry-run`): one line a
/// step, in order.
pub(crate) struct Plan {
    /// The command as the operator typed it, without its values.
    pub(crate) command: String,
    pub(crate) steps: Vec<String>,
}

impl Render for Plan {
    fn human(&self, _: &Printer) -> String {
        let mut out = format!(
            "gaia {} would (dry run: nothing is changed):\n",
            self.command
        );
        for (n, step) in self.steps.iter().enumerate() {
            out.push_str(&format!("  {}. {step}\n", n + 1));
        }
        out
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({ "schema": "gaia.plan/1", "command": self.command, "steps": self.steps })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Printer {
    /// Colour on standard output (the result).
    pub(crate) color: bool,
    /// Colour on standard error (steps and warnings), decided apart: a
    /// report piped to a file still shows coloured progress on the terminal.
    color_err: bool,
    pub(crate) format: Format,
    pub(crate) quiet: bool,
    pub(crate) verbose: u8,
    progress: bool,
}

impl Printer {
    pub(crate) fn new(choice: ColorChoice, format: Format, quiet: bool, verbose: u8) -> Printer {
        Printer {
            color: colors(choice, &std::io::stdout()),
            color_err: colors(choice, &std::io::stderr()),
            format,
            quiet,
            verbose,
            progress: !quiet && std::io::stderr().is_terminal(),
        }
    }

    /// `view` in the format the operator asked for, scrubbed of secrets: the
    /// one way a result reaches stdout or a `--output` file.
    pub(crate) fn render(&self, view: &dyn Render) -> Result<String> {
        match self.format {
            Format::Human => Ok(secrets::scrub(&view.human(self))),
            Format::Json => {
                let mut doc = view.json();
                secrets::scrub_json(&mut doc);
                Ok(format!("{doc:#}\n"))
            }
            Format::Junit => view.junit().map(|xml| secrets::scrub(&xml)).ok_or_else(|| {
                Error::Config(
                    "--format junit is the doctor's report only; use human or json here".into(),
                )
            }),
        }
    }

    /// `view` on standard output.
    pub(crate) fn print(&self, view: &dyn Render) -> Result<()> {
        print(&self.render(view)?)
    }

    /// The result of work already done, on standard output. It cannot be
    /// taken back, so a result that cannot be shown is said on stderr and
    /// makes the run a failure at best: never a better exit than the work's.
    pub(crate) fn conclude(&self, view: &dyn Render, outcome: Outcome) -> Outcome {
        match self.print(view) {
            Ok(()) => outcome,
            Err(err) => {
                self.warn(format!("{err}"));
                outcome.max(Outcome::Failures)
            }
        }
    }

    /// A step of a long operation, on stderr so stdout stays the result.
    pub(crate) fn step(&self, message: impl AsRef<str>) {
        if !self.quiet {
            say(&format!(
                "{} {}",
                paint(self.color_err, "==>", Tone::Accent),
                message.as_ref()
            ));
        }
    }

    /// Something the operator should know that is not a problem (a check
    /// not run), on stderr; --quiet leaves it out.
    pub(crate) fn note(&self, message: impl AsRef<str>) {
        if !self.quiet {
            say(&format!(
                "{} {}",
                self.paint("note:", Tone::Dim),
                message.as_ref()
            ));
        }
    }

    pub(crate) fn warn(&self, message: impl AsRef<str>) {
        say(&format!(
            "{} {}",
            paint(self.color_err, "warning:", Tone::Warn),
            message.as_ref()
        ));
    }

    /// A spinner on a terminal; nothing otherwise.
    pub(crate) fn spinner(&self, message: impl Into<String>) -> indicatif::ProgressBar {
        if !self.progress {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new_spinner().with_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// `text` in `tone` on standard output, when it has colour.
    pub(crate) fn paint(&self, text: &str, tone: Tone) -> String {
        paint(self.color, text, tone)
    }

    /// A table in gaia's style; comfy-table decides widths.
    pub(crate) fn table(&self, header: &[&str]) -> comfy_table::Table {
        let mut table = comfy_table::Table::new();
        table
            .load_style(comfy_table::presets::NOTHING)
            .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
            .set_header(header.iter().copied());
        if !self.color {
            table.force_no_tty();
        }
        table
    }
}

/// `text` as it may reach a terminal when it comes from a file anyone
/// with write access to could have shaped (an audit log): control
/// characters (C0, DEL, C1: escape sequences, carriage returns that
/// overwrite a line) and the bidirectional overrides that reorder one are
/// shown as escapes (`\x1b`, `\u{202e}`), never acted on.
pub(crate) fn inert(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\0'..='\x1f' | '\x7f' => shown.push_str(&format!("\\x{:02x}", c as u32)),
            '\u{80}'..='\u{9f}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' => shown.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => shown.push(c),
        }
    }
    shown
}

/// `text` on standard output: the one way a result reaches it.
pub(crate) fn print(text: &str) -> Result<()> {
    write_result(&mut std::io::stdout().lock(), text)
}

/// Writes a result to `out`. A reader that went away (`gaia doctor | head`)
/// is no error: the command ends with its own outcome, as ripgrep does. Any
/// other failure (a full disk) is one, so that a lost result is never quiet.
fn write_result(out: &mut impl Write, text: &str) -> Result<()> {
    written(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// What writing a result to standard output came to, as `write_result` judges it.
pub(crate) fn written(result: std::io::Result<()>) -> Result<()> {
    match result {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Failed(format!(
            "cannot write to standard output: {err}"
        ))),
        _ => Ok(()),
    }
}

/// A line for the operator on stderr. When stderr itself cannot be written
/// there is nowhere left to say so: the line is dropped, never a panic.
pub(crate) fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", crate::secrets::scrub(line));
}

/// Whether `stream` gets colour: `--color` when it says always or never,
/// else what anstream concludes from the stream and the environment.
fn colors(choice: ColorChoice, stream: &impl anstream::stream::RawStream) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => anstream::AutoStream::choice(stream) != anstream::ColorChoice::Never,
    }
}

fn paint(color: bool, text: &str, tone: Tone) -> String {
    if !color {
        return text.to_owned();
    }
    use anstyle::{AnsiColor, Effects, Style};
    let style = match tone {
        Tone::Good => Style::new().fg_color(Some(AnsiColor::Green.into())),
        Tone::Warn => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Tone::Bad => Style::new().fg_color(Some(AnsiColor::Red.into())),
        Tone::Accent => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
        Tone::Dim => Style::new().effects(Effects::DIMMED),
    };
    format!("{style}{text}{style:#}")
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Tone {
    Good,
    Warn,
    Bad,
    Accent,
    Dim,
}

#[cfg(test)]
mod tests {
    #[test]
    fn inert_text_shows_control_characters_as_escapes() {
        assert_eq!(
            super::inert("alice\x1b[2J\x1b]0;pwned\x07@host\r\n"),
            "alice\\x1b[2J\\x1b]0;pwned\\x07@host\\x0d\\x0a"
        );
        assert_eq!(super::inert("a\x7fb\u{9b}31m"), "a\\x7fb\\u{9b}31m");
        assert_eq!(
            super::inert("gaia-core\u{202e}eroc"),
            "gaia-core\\u{202e}eroc"
        );
        // Printable text, whatever its script, is left as it is.
        let plain = "root@gaia-host → étoile 2026-12-03T08:00:00Z \\x1b";
        assert_eq!(super::inert(plain), plain);
    }

    use super::*;

    /// A stdout that fails every write with `kind`.
    struct Failing(std::io::ErrorKind);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(self.0.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(self.0.into())
        }
    }

    /// A result that quotes what a service said, secrets and all.
    struct Quoting(String);

    impl Render for Quoting {
        fn human(&self, _: &Printer) -> String {
            format!("the service said: {}\n", self.0)
        }
        fn json(&self) -> serde_json::Value {
            serde_json::json!({ "said": self.0 })
        }
        fn junit(&self) -> Option<String> {
            Some(format!(
                "<testcase name=\"x\"><system-out>{}</system-out></testcase>",
                self.0
            ))
        }
    }

    #[test]
    fn a_full_stdout_is_an_error_and_a_closed_one_is_not() {
        let full = write_result(&mut Failing(std::io::ErrorKind::StorageFull), "report\n");
        match full {
            Err(Error::Failed(message)) => {
                assert!(
                    message.starts_with("cannot write to standard output: "),
                    "{message}"
                )
            }
            other => panic!("a full stdout gave {other:?}"),
        }
        assert!(write_result(&mut Failing(std::io::ErrorKind::BrokenPipe), "report\n").is_ok());
        let mut written = Vec::new();
        write_result(&mut written, "report\n").unwrap();
        assert_eq!(written, b"report\n");
    }

    #[test]
    fn every_format_the_printer_renders_is_scrubbed() {
        let secret = r#"pr1nter"secret\x"#;
        crate::secrets::learn([("PRINTER_SECRET", secret)]);
        let view = Quoting(format!("{secret} via amqp://u:amqp-pw-44@mq"));
        for format in [Format::Human, Format::Json, Format::Junit] {
            let printer = Printer::new(ColorChoice::Never, format, false, 0);
            let shown = printer.render(&view).unwrap();
            let escaped = serde_json::to_string(secret).unwrap();
            assert!(
                !shown.contains(secret)
                    && !shown.contains(&escaped[1..escaped.len() - 1])
                    && !shown.contains("amqp-pw-44")
                    && shown.contains("***"),
                "{format:?}: {shown}"
            );
        }
    }
}
