//! The production mix's drivers, run together for the timed window of `crates/bench/mix.sh`:
//! the closed-loop verification drive and the fixed-rate change drive with its staleness
//! checker. wrk (capabilities) and the re-check job run beside them as their own processes.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use realname_domain::AccountId;
use realname_http::Authenticator;
use realname_postgres::seed::{MixKind, mix_person};
use realname_server::Settings;
use serde_json::json;

use crate::changes::{Drive, Target};
use crate::verify;

/// What the mix runs, from the command line.
pub struct MixArgs<'a> {
    pub bases: &'a [String],
    pub roster: &'a Path,
    /// Unverified accounts kept out of the drive (the statement-count phase uses them).
    pub keep_unverified: usize,
    pub seconds: u64,
    pub concurrency: usize,
    /// Freezes and closures per second, alternating.
    pub change_rate: u32,
    /// Theft revocations per second.
    pub theft_rate: u32,
}

/// A person of the mix: its seed index and its account.
type Person = (u64, AccountId);

/// The roster's persons and unverified account ids.
fn roster(path: &Path) -> anyhow::Result<(Vec<Person>, Vec<String>)> {
    let (mut persons, mut unverified) = (Vec::new(), Vec::new());
    for line in std::fs::read_to_string(path)?.lines() {
        let mut fields = line.split(',');
        let (Some(kind), Some(i), Some(id)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        if kind == MixKind::Person.as_str() {
            persons.push((i.parse()?, id.parse()?));
        } else if kind == MixKind::Unverified.as_str() {
            unverified.push(id.to_owned());
        }
    }
    Ok((persons, unverified))
}

fn target((i, id): Person) -> Target {
    let person = mix_person(i);
    Target {
        id,
        subject: json!({"type": "personal", "document_type": "resident_id",
            "document_number": person.document.number(), "name": person.name.as_str()}),
    }
}

/// Runs the drivers for the window and prints their figures.
///
/// # Errors
/// Configuration and read errors.
pub fn run(args: &MixArgs<'_>) -> anyhow::Result<()> {
    let settings = Settings::load(None)?;
    let bound = Duration::from_millis(settings.capabilities.max_staleness_ms);
    let (persons, mut unverified) = roster(args.roster)?;
    unverified.truncate(unverified.len().saturating_sub(args.keep_unverified));
    let clients = verify::clients(args.bases)?;
    let auth = Authenticator::new(settings.auth.clone());
    let drive = Arc::new(Drive::new(args.bases.to_vec(), &auth, bound)?);
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let runtime = verify::runtime()?;
    let verified = runtime.block_on(async {
        let verifications = tokio::spawn(verify::drive(
            clients,
            Arc::new(unverified),
            deadline,
            args.concurrency,
        ));
        // Freezes and closures from the front of the persons, theft revocations from the back.
        let (front, back) = persons.split_at(persons.len() / 2);
        let changes = tokio::spawn(at_rate(front.to_vec(), args.change_rate, deadline, {
            let drive = drive.clone();
            move |n, t| tokio::spawn(drive.clone().freeze_or_close(n, target(t)))
        }));
        let thefts = tokio::spawn(at_rate(back.to_vec(), args.theft_rate, deadline, {
            let drive = drive.clone();
            move |n, t| tokio::spawn(drive.clone().revoke(n, target(t)))
        }));
        let verified = verifications.await;
        for started in [changes.await, thefts.await] {
            for task in started.unwrap_or_default() {
                let _ = task.await;
            }
        }
        verified
    })?;
    verified.print();
    drive
        .tally
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .print(bound);
    Ok(())
}

/// Starts `start(n, target)` `rate` times a second until `deadline`; returns the tasks.
async fn at_rate<T>(
    targets: Vec<Person>,
    rate: u32,
    deadline: Instant,
    start: impl Fn(usize, Person) -> tokio::task::JoinHandle<T>,
) -> Vec<tokio::task::JoinHandle<T>> {
    let mut tasks = Vec::new();
    if rate == 0 {
        return tasks;
    }
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / rate);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    for (n, target) in targets.into_iter().enumerate() {
        ticks.tick().await;
        if Instant::now() >= deadline {
            break;
        }
        tasks.push(start(n, target));
    }
    tasks
}
