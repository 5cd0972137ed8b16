//! Progress display of a sweep. On a terminal: an indicatif bar, as before. Off a terminal
//! (Slurm logs, nohup): a plain line every [`LOG_INTERVAL`] with runs done/total, elapsed
//! time and ETA, plus the virtual time reached by the latest reporting run, so a long single
//! run shows progress too. `--quiet` silences both. The wall clock is read here for display
//! only; nothing from this module reaches a result file.

use crate::engine::{self, EngineError, RunOutput};
use crate::scenario::Scenario;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Least time between two progress lines off a terminal.
pub const LOG_INTERVAL: Duration = Duration::from_secs(10);

/// Engine events between two virtual-time reports of a run (cheap: one lock per 2^16 events).
const EVENTS_PER_REPORT: u64 = 1 << 16;

/// The progress lines of a sweep, driven by an injected clock (`elapsed` arguments), so the
/// formatting and throttling are pure and testable.
#[derive(Debug, Clone)]
pub struct LogLines {
    total: u64,
    done: u64,
    interval: Duration,
    last: Option<Duration>,
    /// Virtual (now, end) in microseconds of the latest run that reported.
    virtual_time: Option<(u64, u64)>,
}

impl LogLines {
    /// Lines for a sweep of `total` runs, at most one per `interval` (the last always).
    pub fn new(total: u64, interval: Duration) -> Self {
        LogLines {
            total,
            done: 0,
            interval,
            last: None,
            virtual_time: None,
        }
    }

    /// One more run finished at `elapsed`; the line to print, if one is due.
    pub fn run_done(&mut self, elapsed: Duration) -> Option<String> {
        self.done += 1;
        self.virtual_time = None;
        let finished = self.done >= self.total;
        self.due(elapsed, finished)
    }

    /// A run reached virtual time `now_us` of `end_us` at `elapsed`; the line, if due.
    pub fn virtual_time(&mut self, now_us: u64, end_us: u64, elapsed: Duration) -> Option<String> {
        self.virtual_time = Some((now_us, end_us));
        self.due(elapsed, false)
    }

    fn due(&mut self, elapsed: Duration, force: bool) -> Option<String> {
        let wait = self.last.map_or(self.interval, |l| l + self.interval);
        if !force && elapsed < wait {
            return None;
        }
        self.last = Some(elapsed);
        Some(self.line(elapsed))
    }

    /// `progress: 12/30 runs (40 %), elapsed 1m05s, eta 1m38s[, run at 12.0/30.0 virtual s]`.
    pub fn line(&self, elapsed: Duration) -> String {
        let pct = (self.done * 100).checked_div(self.total).unwrap_or(100);
        let eta = if self.done == 0 {
            "?".to_owned()
        } else {
            let left = self.total.saturating_sub(self.done) as f64;
            clock(elapsed.mul_f64(left / self.done as f64))
        };
        let mut s = format!(
            "progress: {}/{} runs ({pct} %), elapsed {}, eta {eta}",
            self.done,
            self.total,
            clock(elapsed)
        );
        if let Some((now, end)) = self.virtual_time {
            s.push_str(&format!(
                ", run at {:.1}/{:.1} virtual s",
                now as f64 / 1e6,
                end as f64 / 1e6
            ));
        }
        s
    }
}

/// `45s`, `1m05s`, `2h03m`.
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// How a sweep shows progress: a bar on a terminal, lines elsewhere, nothing when quiet.
pub(crate) enum Progress {
    Bar(ProgressBar),
    Lines(Mutex<LogLines>, Instant),
    Quiet,
}

impl Progress {
    /// Picks the display for `len` runs from `quiet` and whether stderr is a terminal.
    pub(crate) fn new(len: u64, quiet: bool) -> Self {
        if quiet {
            return Progress::Quiet;
        }
        if !std::io::stderr().is_terminal() {
            return Progress::Lines(Mutex::new(LogLines::new(len, LOG_INTERVAL)), Instant::now());
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{bar:40} {pos}/{len} runs, eta {eta}")
            .expect("invariant: the template is valid");
        bar.set_style(style);
        Progress::Bar(bar)
    }

    fn print(&self, f: impl FnOnce(&mut LogLines, Duration) -> Option<String>) {
        if let Progress::Lines(lines, start) = self {
            let mut lines = lines.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(line) = f(&mut lines, start.elapsed()) {
                eprintln!("{line}");
            }
        }
    }

    /// Runs one replicate, reporting its virtual time when printing lines.
    pub(crate) fn run(
        &self,
        s: &Scenario,
        replicate: u32,
        base_dir: &Path,
    ) -> Result<RunOutput, EngineError> {
        match self {
            Progress::Lines(..) => {
                let mut observe =
                    |now, end| self.print(|l, elapsed| l.virtual_time(now, end, elapsed));
                engine::run_observed(s, replicate, base_dir, EVENTS_PER_REPORT, &mut observe)
            }
            _ => engine::run(s, replicate, base_dir),
        }
    }

    /// `n` more runs finished (the lines count each call as one run).
    pub(crate) fn inc(&self, n: u64) {
        match self {
            Progress::Bar(bar) => bar.inc(n),
            Progress::Lines(..) => self.print(|l, elapsed| l.run_done(elapsed)),
            Progress::Quiet => {}
        }
    }

    /// The sweep is over: clears the bar.
    pub(crate) fn finish_and_clear(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn lines_are_throttled_and_the_last_always_prints() {
        let mut l = LogLines::new(4, 10 * S);
        assert_eq!(l.run_done(S), None, "too early");
        assert_eq!(
            l.run_done(10 * S).as_deref(),
            Some("progress: 2/4 runs (50 %), elapsed 10s, eta 10s")
        );
        assert_eq!(l.run_done(15 * S), None, "5 s after the last line");
        assert_eq!(
            l.run_done(16 * S).as_deref(),
            Some("progress: 4/4 runs (100 %), elapsed 16s, eta 0s"),
            "the final line is never throttled"
        );
    }

    #[test]
    fn a_long_single_run_reports_virtual_time() {
        let mut l = LogLines::new(1, 10 * S);
        assert_eq!(l.virtual_time(1_000_000, 60_000_000, 3 * S), None);
        assert_eq!(
            l.virtual_time(12_500_000, 60_000_000, 70 * S).as_deref(),
            Some("progress: 0/1 runs (0 %), elapsed 1m10s, eta ?, run at 12.5/60.0 virtual s")
        );
        assert_eq!(
            l.run_done(2 * 3600 * S + 3 * 60 * S).as_deref(),
            Some("progress: 1/1 runs (100 %), elapsed 2h03m, eta 0s")
        );
    }
}
