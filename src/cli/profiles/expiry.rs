//! `profiles expiry [--days N] [--json] [NAME...]`: the certificates of the saved profiles, soonest expiry first,
//! for a person or for cron (exit status 1 when one expires within N days or cannot be read).

use std::fmt::Write as _;
use std::time::SystemTime;

use clap::Args;
use serde_json::json;

use crate::cli::table::{Align, Table};
use crate::diagnose::{EXPIRY_CONCURRENCY, ExpiryReport, watch_expiry};

use super::{EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, Home, err_line, out, out_text, pretty};

/// `profiles expiry`.
#[derive(Debug, Args)]
pub struct ExpiryArgs {
    /// The profiles to watch (all when none is given).
    pub names: Vec<String>,
    /// Warn about (and exit 1 for) certificates with fewer than DAYS days left.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub days: i64,
    /// Print one JSON object: `{days, items: [...], problems: [...], skipped: [...], expiring}`.
    #[arg(long)]
    pub json: bool,
    /// Profiles checked at once.
    #[arg(long, value_name = "N", default_value_t = EXPIRY_CONCURRENCY)]
    pub concurrency: usize,
}

/// Runs `profiles expiry`; returns the exit code.
pub(super) async fn expiry(args: ExpiryArgs) -> u8 {
    let home = match Home::open() {
        Ok(home) => home,
        Err(failure) => {
            err_line(&format!("error: {}", failure.message));
            return failure.code;
        }
    };
    let mut profiles = Vec::new();
    if args.names.is_empty() {
        profiles.extend(home.store.profiles().iter().cloned());
    } else {
        for name in &args.names {
            match home.require(name) {
                Ok(profile) => profiles.push(profile.clone()),
                Err(failure) => {
                    err_line(&format!("error: {}", failure.message));
                    return failure.code;
                }
            }
        }
    }
    if profiles.is_empty() {
        err_line("There are no profiles yet: nothing to watch.");
        return EXIT_OK;
    }
    if args.concurrency == 0 {
        err_line("error: --concurrency must be at least 1");
        return EXIT_USAGE;
    }
    let report = watch_expiry(profiles, args.concurrency, SystemTime::now()).await;
    let expiring = report.within(args.days).count();
    if args.json {
        let mut value = serde_json::to_value(&report).unwrap_or_default();
        value["days"] = json!(args.days);
        value["expiring"] = json!(expiring);
        out(&pretty(&value));
    } else {
        out_text(&text(&report, args.days));
    }
    if expiring > 0 || !report.problems.is_empty() { EXIT_PROBLEM } else { EXIT_OK }
}

fn text(report: &ExpiryReport, days: i64) -> String {
    let mut table = Table::new()
        .column("DAYS", Align::Right, None)
        .column("EXPIRES", Align::Left, None)
        .column("PROFILE", Align::Left, Some(30))
        .column("WHAT", Align::Left, None)
        .column("SUBJECT", Align::Left, Some(60))
        .column("FROM", Align::Left, Some(50));
    for item in &report.items {
        let left = if item.days_left < 0 { "expired".to_owned() } else { item.days_left.to_string() };
        let mark = if item.days_left < days { " !" } else { "" };
        table.row(vec![
            format!("{left}{mark}"),
            item.not_after.clone(),
            item.profile.clone(),
            item.kind.label().to_owned(),
            item.subject.clone(),
            item.source.clone(),
        ]);
    }
    let mut text = if report.items.is_empty() { String::new() } else { table.render() };
    for problem in &report.problems {
        let _ = writeln!(text, "{}: {} cannot be read: {}", problem.profile, problem.kind.label(), problem.error);
    }
    for (profile, why) in &report.skipped {
        let _ = writeln!(text, "{profile}: {why}");
    }
    let expiring = report.within(days).count();
    let _ = match (expiring, report.problems.len()) {
        (0, 0) => writeln!(text, "No certificate expires within {days} days."),
        (0, n) => writeln!(text, "No certificate read expires within {days} days; {n} could not be read."),
        (e, _) => writeln!(text, "{e} certificate(s) expire within {days} days (marked !)."),
    };
    text
}
