//! The kill -9 loop: the real binary saves profiles (and secrets) over and over and is killed with SIGKILL at
//! random moments. After every kill the profile file must parse, hold every profile that was ever saved, and
//! show each save whole or not at all.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::os::unix::process::ExitStatusExt as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use chroma_connect::profile::{SecretStore, SecretStoreMode, parse_doc, stale_temps};

use crate::profiles::Home;

/// Profiles in the store before the loop: a large file makes each save last long enough to be cut.
const BASE_PROFILES: usize = 300;
/// Profiles that one import replaces in a single save.
const BATCH: usize = 25;
const ITERATIONS: usize = 150;
/// The loop stops early after this long (it is bounded in count and in time).
const TIME_LIMIT: Duration = Duration::from_mins(2);

/// A small xorshift generator: no dependency, reproducible with `CHROMA_CONNECT_KILL_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn profiles_toml(names: impl Iterator<Item = String>, notes: &str) -> String {
    let filler = "lorem ipsum dolor sit amet ".repeat(8);
    let mut text = String::from("schema_version = 1\n");
    for (i, name) in names.enumerate() {
        let _ = write!(
            text,
            "\n[profiles.{name}]\nurl = \"https://chroma-{i}.example.com:8443/p\"\nverify = \"/etc/ssl/ca-{i}.pem\"\n\
             tenant = \"tenant-{i}\"\nnotes = \"{notes} {filler}\"\n"
        );
    }
    text
}

/// The temporary files of the profile and secrets files that exist now.
fn temps(home: &Home) -> Vec<std::path::PathBuf> {
    let mut all = stale_temps(&home.profiles_file());
    all.extend(stale_temps(&home.secrets_file()));
    all
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Edit,
    Import,
}

#[test]
#[expect(clippy::too_many_lines, reason = "one scenario, read top to bottom")]
fn kill_9_during_saves_never_tears_the_file_nor_loses_a_profile() {
    let home = Home::new();
    let base = home.path().join("base.toml");
    std::fs::write(&base, profiles_toml((0..BASE_PROFILES).map(|i| format!("base-{i:03}")), "seed")).expect("write");
    home.run(&["profiles", "import", base.to_str().expect("utf-8")]).ok();
    let batches: Vec<_> = ["A", "B"]
        .iter()
        .map(|variant| {
            let path = home.path().join(format!("batch-{variant}.toml"));
            std::fs::write(
                &path,
                profiles_toml((0..BATCH).map(|i| format!("batch-{i:02}")), &format!("variant-{variant}")),
            )
            .expect("write");
            path
        })
        .collect();
    home.run(&["profiles", "import", batches[0].to_str().expect("utf-8")]).ok();

    // How long one save takes, start to exit: the kills are spread over 0..1.5 times that.
    let calibration = (0..3)
        .map(|i| {
            let started = Instant::now();
            home.run(&["profiles", "edit", "base-000", "--notes", &format!("calibration {i}")]).ok();
            started.elapsed()
        })
        .max()
        .unwrap_or(Duration::from_millis(20));
    let seed = std::env::var("CHROMA_CONNECT_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        u64::from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos())
            | 1
    });
    let mut rng = Rng(seed);
    let window_us = u64::try_from((calibration * 3 / 2).as_micros()).unwrap_or(30_000);

    let secrets = SecretStore::with_mode(&home.paths(), SecretStoreMode::File);
    // What the file must hold: the notes of every base profile, the added profiles, the batch's variant.
    let first = parse_doc(&home.read(&home.profiles_file())).expect("parse");
    let mut notes: BTreeMap<String, String> = first
        .profiles
        .iter()
        .filter(|p| p.name.starts_with("base-"))
        .map(|p| (p.name.clone(), p.notes.clone()))
        .collect();
    assert_eq!(notes.len(), BASE_PROFILES);
    let mut added: Vec<String> = Vec::new();
    let mut batch_variant = "variant-A".to_owned();
    let (mut runs, mut kills, mut mid_save, mut completed) = (0, 0, 0, 0);
    let started = Instant::now();

    for i in 0..ITERATIONS {
        if started.elapsed() > TIME_LIMIT {
            break;
        }
        runs += 1;
        let op = match rng.below(3) {
            0 => Op::Add,
            1 => Op::Edit,
            _ => Op::Import,
        };
        let edit_target = format!("base-{:03}", rng.below(BASE_PROFILES as u64));
        let edit_note = format!("edit {i}");
        let add_name = format!("added-{i:03}");
        let variant = if i % 2 == 0 { "B" } else { "A" };
        let batch_path = batches[usize::from(variant == "B")].to_str().expect("utf-8").to_owned();
        let args: Vec<String> = match op {
            Op::Add => ["profiles", "add", &add_name, &format!("http://127.0.0.1:{}", 20_000 + i), "--token-stdin"]
                .map(str::to_owned)
                .to_vec(),
            Op::Edit => ["profiles", "edit", &edit_target, "--notes", &edit_note].map(str::to_owned).to_vec(),
            Op::Import => ["profiles", "import", &batch_path, "--on-conflict", "replace"].map(str::to_owned).to_vec(),
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut command = home.command(&args);
        command.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null());
        let temps_before = temps(&home);
        let mut child = command.spawn().expect("spawn");
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(format!("tok-kill-{i}").as_bytes());
        }
        // Half of the runs are killed at a random moment; the other half the moment a temporary file of this
        // run appears, i.e. in the middle of a save (between creating the temporary file and renaming it).
        if rng.below(2) == 0 {
            std::thread::sleep(Duration::from_micros(rng.below(window_us)));
        } else {
            let hunt_started = Instant::now();
            while child.try_wait().ok().flatten().is_none() && hunt_started.elapsed() < calibration * 4 {
                if temps(&home).iter().any(|t| !temps_before.contains(t)) {
                    break;
                }
                std::thread::sleep(Duration::from_micros(50));
            }
        }
        let _ = child.kill(); // SIGKILL
        let status = child.wait().expect("wait");
        let killed = status.signal() == Some(9);
        if killed {
            kills += 1;
            if temps(&home).iter().any(|t| !temps_before.contains(t)) {
                mid_save += 1;
            }
        } else {
            assert!(status.success(), "run {i} ({op:?}) failed without being killed: {status}");
            completed += 1;
        }

        // The file parses, every entry is whole, and nothing saved before is gone.
        let text = std::fs::read_to_string(home.profiles_file()).expect("the profile file exists");
        let doc = parse_doc(&text)
            .unwrap_or_else(|err| panic!("run {i} ({op:?}, killed {killed}, seed {seed}): torn file: {err}"));
        assert!(doc.broken.is_empty(), "run {i}: broken entries {:?}", doc.broken);
        match op {
            Op::Edit => {
                let now = doc.get(&edit_target).map(|p| p.notes.clone()).unwrap_or_default();
                let before = notes.get(&edit_target).cloned().unwrap_or_default();
                assert!(
                    now == edit_note || (killed && now == before),
                    "run {i} (killed {killed}): {edit_target} has notes {now:?}, neither {edit_note:?} nor {before:?}"
                );
                notes.insert(edit_target.clone(), now);
            }
            Op::Add => {
                let present = doc.get(&add_name).is_some();
                assert!(killed || present, "run {i}: a completed add is saved");
                if present {
                    added.push(add_name.clone());
                }
            }
            Op::Import => {
                let want = format!("variant-{variant}");
                let found: Vec<String> = (0..BATCH)
                    .map(|n| {
                        let notes = doc.get(&format!("batch-{n:02}")).map(|p| p.notes.clone()).unwrap_or_default();
                        notes.split(' ').next().unwrap_or_default().to_owned()
                    })
                    .collect();
                assert!(
                    found.iter().all(|v| *v == found[0]),
                    "run {i}: one import is saved whole or not at all: {found:?}"
                );
                assert!(
                    found[0] == want || (killed && found[0] == batch_variant),
                    "run {i} (killed {killed}): the batch is {}, neither {want} nor {batch_variant}",
                    found[0]
                );
                batch_variant.clone_from(&found[0]);
            }
        }
        // Every base profile is there with the notes it had: nothing lost, nothing changed by another save.
        for (name, want) in &notes {
            let now = doc.get(name).map(|p| p.notes.as_str());
            assert_eq!(now, Some(want.as_str()), "run {i} (seed {seed}): {name} was lost or changed");
        }
        for name in &added {
            let profile = doc.get(name).unwrap_or_else(|| panic!("run {i} (seed {seed}): {name} was lost"));
            // Its secret was saved before the profile: a saved profile always has it.
            let n: usize = name.trim_start_matches("added-").parse().expect("number");
            let secret =
                secrets.resolve(profile).expect("the secrets file parses").map(|s| s.secret.expose().to_owned());
            assert_eq!(secret, Some(format!("tok-kill-{n}")), "run {i}: the secret of {name}");
        }
    }

    // Afterwards the store works normally and cleans up what the killed writers left.
    home.run(&["profiles", "add", "after-the-storm", "localhost:8000"]).ok();
    assert!(stale_temps(&home.profiles_file()).is_empty());
    #[expect(clippy::print_stderr, reason = "the loop's figures, for the test log")]
    let () = eprintln!(
        "kill -9 loop (seed {seed}): {runs} runs of add/edit/import on a {}-profile store ({} KiB), save ≈ {} ms; \
         {kills} killed by SIGKILL, {mid_save} of them in the middle of a save (a temporary file of theirs \
         was left), {completed} completed",
        BASE_PROFILES + BATCH + added.len(),
        std::fs::metadata(home.profiles_file()).map_or(0, |m| m.len() / 1024),
        calibration.as_millis()
    );
    assert!(kills >= runs / 4, "too few runs were killed ({kills} of {runs}): the loop did not test much");
    assert!(mid_save >= 5, "too few kills landed in the middle of a save ({mid_save}): the loop did not test much");
}
