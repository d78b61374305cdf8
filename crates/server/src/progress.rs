//! The progress of a long command (issue 15 item 13): `recheck --once|--dry-run` and
//! `audit verify`. On a terminal, a bar on standard error with the items done, the rate and
//! the time left; without one, no bar, only a line on standard error every ten seconds. The
//! command's summary is its own, on standard output.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use realname_application::progress::Progress;

/// How often a line is written without a terminal.
pub const LINE_EVERY: Duration = Duration::from_secs(10);

/// A progress display for one command run.
pub struct Display {
    bar: ProgressBar,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Display {
    /// A bar when standard error is a terminal, lines every [`LINE_EVERY`] otherwise. `what`
    /// names the command, `unit` the items counted.
    pub fn start(what: &'static str, unit: &'static str) -> Self {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0).with_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {human_pos}/{human_len} {msg} · {per_sec} · {eta} left",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_prefix(what);
            bar.set_message(unit);
            Self { bar, ticker: None }
        } else {
            Self::lines(what, unit, LINE_EVERY, Box::new(std::io::stderr()))
        }
    }

    /// No bar: a line to `out` every `every`, with the same figures.
    pub fn lines(
        what: &'static str,
        unit: &'static str,
        every: Duration,
        out: Box<dyn Write + Send>,
    ) -> Self {
        let bar = ProgressBar::hidden();
        let counted = bar.clone();
        let out = Mutex::new(out);
        let ticker = tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.tick().await;
            loop {
                interval.tick().await;
                let line = line(what, unit, &counted);
                if let Ok(mut out) = out.lock() {
                    // A progress line that cannot be written is not worth failing the run.
                    let _ = writeln!(out, "{line}");
                    let _ = out.flush();
                }
            }
        });
        Self {
            bar,
            ticker: Some(ticker),
        }
    }

    /// Ends the display: the bar is cleared, the lines stop.
    pub fn finish(&self) {
        if let Some(ticker) = &self.ticker {
            ticker.abort();
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `recheck: 1,200/5,000 enterprises, 85.3/s, about 45 s left`.
fn line(what: &str, unit: &str, bar: &ProgressBar) -> String {
    let (done, total) = (bar.position(), bar.length().unwrap_or(0));
    let rate = bar.per_sec();
    let left = if rate > 0.0 && total > done {
        format!(", about {} s left", bar.eta().as_secs())
    } else {
        String::new()
    };
    format!("{what}: {done}/{total} {unit}, {rate:.1}/s{left}")
}

impl Progress for Display {
    fn begin(&self, total: u64) {
        self.bar.set_length(total);
    }

    fn advance(&self, done: u64) {
        self.bar.inc(done);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// A writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Buffer {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[tokio::test]
    async fn without_a_terminal_it_writes_plain_lines_with_the_figures() {
        let out = Buffer::default();
        let display = Display::lines(
            "recheck",
            "enterprises",
            Duration::from_millis(20),
            Box::new(out.clone()),
        );
        display.begin(10);
        display.advance(4);
        tokio::time::timeout(Duration::from_secs(10), async {
            while out.text().is_empty() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .unwrap();
        display.finish();
        let text = out.text();
        let first = text.lines().next().unwrap();
        assert!(first.starts_with("recheck: 4/10 enterprises, "), "{first}");
        assert!(!text.contains('\r') && !text.contains('\u{1b}'), "{text:?}");
    }

    #[tokio::test]
    async fn once_finished_it_writes_nothing_more() {
        let out = Buffer::default();
        let display = Display::lines(
            "audit verify",
            "chains",
            Duration::from_millis(10),
            Box::new(out.clone()),
        );
        display.finish();
        let written = out.text().len();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(out.text().len(), written);
    }
}
