//! The steps of a promotion as one typed list: `--dry-run` describes it and
//! the run walks it, so the two cannot drift apart.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use crate::promote::{Promoter, Stop, Subject, versions};
use crate::signals::Signals;

/// One step of a promotion, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Validate,
    Test,
    SyncGate,
    Backup,
    Promote,
    Restart,
    Gate,
}

/// Whether a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    Run,
    /// Skipped on the operator's word, and recorded as skipped.
    Skip(&'static str),
    /// Not asked for: not recorded; `--dry-run` mentions it where that
    /// tells the operator something (validation).
    NotAsked,
}

/// What the operator asked of this promotion.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Options {
    pub(crate) validate: bool,
    pub(crate) test: bool,
    pub(crate) force: bool,
    pub(crate) no_backup: bool,
    pub(crate) no_restart: bool,
    /// The health gate's deadline, when the operator gave one.
    pub(crate) gate_timeout: Option<Duration>,
}

/// The steps of a promotion with `options`, in order.
pub(crate) fn steps(options: &Options) -> Vec<(Step, When)> {
    let asked = |yes: bool| if yes { When::Run } else { When::NotAsked };
    let mut steps = vec![
        (Step::Validate, asked(options.validate)),
        (Step::Test, asked(options.test)),
        (Step::SyncGate, When::Run),
        (
            Step::Backup,
            if options.no_backup {
                When::Skip("--no-backup: a failed gate cannot restore the live files")
            } else {
                When::Run
            },
        ),
        (Step::Promote, When::Run),
    ];
    if options.no_restart {
        steps.push((
            Step::Restart,
            When::Skip("--no-restart: live runs the previous version until it is restarted"),
        ));
    } else {
        steps.extend([(Step::Restart, When::Run), (Step::Gate, When::Run)]);
    }
    steps
}

impl Promoter<'_> {
    /// Walks the steps; Err(Stop::Failed) once live was changed. A signal
    /// stops the run between steps, and within the steps that only look or
    /// wait; a step that changes live (backup, copy, re-tag, restart) is
    /// always finished, so the rollback starts from a whole state.
    pub(crate) async fn walk(&mut self, options: &Options, signals: &Signals) -> Result<(), Stop> {
        let mut gate_timeout = options.gate_timeout;
        for (step, when) in steps(options) {
            if let Some(signal) = signals.received() {
                return Err(Stop::Signalled(signal));
            }
            match when {
                When::NotAsked => continue,
                When::Skip(why) => {
                    self.backup_skipped |= step == Step::Backup;
                    self.skip(step.name(), why);
                    continue;
                }
                When::Run => {}
            }
            match step {
                Step::Validate => {
                    let validated = until_signal(signals, self.validate()).await;
                    if let Err(Stop::Signalled(_)) = validated {
                        self.discard_validation().await;
                    }
                    validated?
                }
                Step::Test => until_signal(signals, self.test_candidate()).await?,
                Step::SyncGate => self.sync_gate(options.force)?,
                Step::Backup => self.back_up().await?,
                Step::Promote => {
                    // Measured on the container that runs now, before it changes.
                    gate_timeout = Some(self.gate_timeout(gate_timeout).await);
                    self.promote().await?;
                }
                Step::Restart => self.restart().await?,
                Step::Gate => {
                    let timeout = self.gate_timeout(gate_timeout).await;
                    until_signal(signals, self.gate(timeout, true)).await?;
                }
            }
        }
        // A signal after the last step finds the promotion whole: it stands.
        Ok(())
    }

    /// What the run would do, one line a step, framed by the lock it takes
    /// first and the rollback that follows any failure.
    pub(crate) fn describe(&self, options: &Options, lock: &Path) -> Vec<String> {
        let mut lines = vec![format!("lock {}", lock.display())];
        lines.extend(
            steps(options)
                .into_iter()
                .filter_map(|(step, when)| self.describe_step(step, when, options)),
        );
        lines.push(self.describe_keep(options));
        lines.push("on any failure after the backup: roll back, then check health again".into());
        lines
    }

    /// What a promotion that stands keeps of the version it replaced.
    fn describe_keep(&self, options: &Options) -> String {
        let keep = self.catalogue.promote.keep;
        if keep == 0 {
            "keep: nothing (keep = 0 in checks/promote.toml)".into()
        } else if self.subject.files() && options.no_backup {
            "keep: not the replaced version (--no-backup takes no copy of its files)".into()
        } else {
            format!(
                "keep: once it stands, the version it replaces, for `gaia rollback --to` (the \
                 newest {keep} in {})",
                versions::dir(&self.root, self.subject.name()).display()
            )
        }
    }

    fn describe_step(&self, step: Step, when: When, options: &Options) -> Option<String> {
        let (subject, root, promote) = (&self.subject, &self.root, &self.catalogue.promote);
        let name = subject.name();
        let applies = match step {
            Step::Backup => subject.files(),
            Step::Restart | Step::Gate => matches!(subject, Subject::Service { .. }),
            _ => true,
        };
        if let When::Skip(why) = when {
            return applies.then(|| format!("{}: skipped ({why})", step.name()));
        }
        match step {
            Step::Validate => Some(match (when, subject.python()) {
                (When::NotAsked, _) => "validate: not asked (--validate)".into(),
                (_, false) => format!("validate: {name} is not configured for Python validation"),
                (_, true) => format!(
                    "validate: {} in a throwaway image built from {}",
                    promote
                        .validators
                        .iter()
                        .map(|v| format!(
                            "{}{}",
                            v.name,
                            if v.blocking { "" } else { " (informational)" }
                        ))
                        .collect::<Vec<_>>()
                        .join(", "),
                    subject.candidate_dir(root).join("Dockerfile").display()
                ),
            }),
            Step::Test => {
                (when == When::Run).then(|| "test: the candidate answers its health check".into())
            }
            Step::SyncGate => Some(format!(
                "sync gate: {} must match live gaia-common{}; {} may differ with a warning",
                promote.sync_gate.blocking.join(", "),
                if options.force {
                    " (--force: or warn)"
                } else {
                    ""
                },
                promote.sync_gate.warning.join(", ")
            )),
            Step::Backup => subject.files().then(|| {
                format!(
                    "backup {} → {}",
                    subject.live_dir(root).display(),
                    subject.backup_dir(root).display()
                )
            }),
            Step::Promote => {
                let mut what = Vec::new();
                if subject.files() {
                    what.push(format!(
                        "copy {} → {} (skipping {})",
                        subject.candidate_dir(root).display(),
                        subject.live_dir(root).display(),
                        promote.exclude.join(", ")
                    ));
                }
                if let Subject::Service {
                    live, candidate, ..
                } = subject
                    && subject.image()
                {
                    what.push(format!(
                        "tag {} as {} (keeping the current one as {})",
                        candidate.image,
                        live.image,
                        Subject::rollback_tag(live)
                    ));
                }
                Some(what.join("; then "))
            }
            Step::Restart => match subject {
                Subject::Service { live, .. } if subject.image() => {
                    Some(format!("recreate {} through compose", live.container))
                }
                Subject::Service { live, .. } => Some(format!("restart {}", live.container)),
                Subject::Package(_) => None,
            },
            Step::Gate => match subject {
                Subject::Service { live, .. } => Some(format!(
                    "health gate: Docker health and {}'s doctor checks, then a {} watch window",
                    live.name,
                    humantime::format_duration(promote.watch_window)
                )),
                Subject::Package(_) => None,
            },
        }
    }
}

/// A step that only looks or waits, given up at the first signal.
async fn until_signal(
    signals: &Signals,
    step: impl Future<Output = Result<(), Stop>>,
) -> Result<(), Stop> {
    tokio::select! {
        done = step => done,
        signal = signals.arrival() => Err(Stop::Signalled(signal)),
    }
}

impl Step {
    /// The step's name in the audit log and on screen.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Step::Validate => "validate",
            Step::Test => "test",
            Step::SyncGate => "sync gate",
            Step::Backup => "backup",
            Step::Promote => "promote",
            Step::Restart => "restart",
            Step::Gate => "health gate",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipping_the_restart_skips_the_gate_too() {
        let options = Options {
            no_restart: true,
            ..Options::default()
        };
        let walked: Vec<Step> = steps(&options).into_iter().map(|(s, _)| s).collect();
        assert!(!walked.contains(&Step::Gate));
        assert_eq!(
            steps(&options).last(),
            Some(&(
                Step::Restart,
                When::Skip("--no-restart: live runs the previous version until it is restarted")
            ))
        );
    }

    #[test]
    fn validation_and_the_candidate_test_run_only_when_asked() {
        let asked = Options {
            validate: true,
            test: true,
            ..Options::default()
        };
        assert_eq!(steps(&asked)[0], (Step::Validate, When::Run));
        assert_eq!(steps(&asked)[1], (Step::Test, When::Run));
        assert_eq!(
            steps(&Options::default())[0],
            (Step::Validate, When::NotAsked)
        );
    }
}
