//! The progress bar of `lint` on stderr: kustomization roots rendered, then
//! commits of history rendered (`--base`). It appears only after a while, so
//! that a quick lint never flashes one, and is erased before anything else
//! is printed.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cnpg_dr_lint::runner::{Phase, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::diagnostic::display_path;

/// How long a lint runs before its bar is drawn.
const DELAY: Duration = Duration::from_millis(300);

/// Plain characters, no color: the bar is drawn on whatever terminal stderr is.
const TEMPLATE: &str = "{prefix:>9} [{bar:30}] {pos}/{len} {wide_msg}";

pub struct Bar {
    bar: ProgressBar,
    started: Instant,
    /// Whether the bar is drawn at all (false: it only counts, for tests).
    draws: bool,
    shown: AtomicBool,
}

impl Bar {
    /// A bar drawn on stderr once the lint has run for [`DELAY`].
    pub fn on_stderr() -> Bar {
        Bar::new(true)
    }

    fn new(draws: bool) -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template(TEMPLATE)
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Bar {
            bar,
            started: Instant::now(),
            draws,
            shown: AtomicBool::new(false),
        }
    }

    /// Erases the bar; what follows on stderr starts on a clean line.
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }

    /// Starts drawing once the delay has passed (once, whichever thread is first).
    fn reveal(&self) {
        if self.draws
            && !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() >= DELAY
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl Progress for Bar {
    fn start(&self, phase: Phase, total: usize) {
        self.bar.set_prefix(phase.label());
        self.bar.set_length(total as u64);
        self.bar.set_position(0);
        self.reveal();
    }

    fn item(&self, _phase: Phase, item: &Path) {
        self.bar.set_message(display_path(item));
        self.bar.inc(1);
        self.reveal();
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_counts_each_phase_from_zero() {
        let bar = Bar::new(false);
        bar.start(Phase::Render, 3);
        for dir in ["a", "b"] {
            bar.item(Phase::Render, Path::new(dir));
        }
        assert_eq!((bar.bar.position(), bar.bar.length()), (2, Some(3)));
        assert_eq!(bar.bar.prefix(), "rendering");
        assert_eq!(bar.bar.message(), "b");
        bar.start(Phase::History, 10);
        bar.item(Phase::History, Path::new("a"));
        assert_eq!((bar.bar.position(), bar.bar.length()), (1, Some(10)));
        assert_eq!(bar.bar.prefix(), "history");
        assert!(bar.bar.is_hidden(), "a bar that does not draw stays hidden");
    }

    #[test]
    fn the_bar_is_not_drawn_before_the_delay() {
        let bar = Bar::new(true);
        bar.start(Phase::Render, 1);
        assert!(!bar.shown.load(Ordering::Relaxed));
    }
}
