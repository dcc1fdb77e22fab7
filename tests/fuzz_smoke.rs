//! The short run of the fuzz targets in `cargo test`: each entry of `chroma_connect::fuzzing` gets every committed
//! seed (`fuzz/seeds/<target>/`), then a few thousand deterministic mutations of them (bit flips, interesting bytes
//! and tokens, insertions, deletions, duplications, splices). An input that panics, or that takes longer than a
//! second, fails the test, naming the target and the input as hex. The long runs are `scripts/fuzz.sh` (libFuzzer).
//!
//! `CHROMA_CONNECT_FUZZ_SMOKE_MUTATIONS=N` changes the number of mutations per target (default 5000).

// Reason: in tests a failed unwrap is a test failure with a backtrace; eprintln reports the counts with --nocapture.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use chroma_connect::fuzzing::{TARGETS, Target};

/// The longest an input may take.
const LIMIT: Duration = Duration::from_secs(1);
/// Mutations per target when not told.
const MUTATIONS: usize = 5000;
/// No mutation grows an input beyond this.
const MAX_LEN: usize = 64 * 1024;

/// Bytes and texts that parsers of these formats treat specially.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"true",
    b"-1",
    b"1e999",
    b"18446744073709551616",
    b"-0.0",
    b"nan",
    b"inf",
    b"\n",
    b"\r\n",
    b"\0",
    b"=",
    b"[profiles.x]\n",
    b"'''",
    b"\"\"\"",
    b"://",
    b"@",
    b"%",
    b"[::1]",
    b":8000",
    b"-----BEGIN CERTIFICATE-----\n",
    b"-----END CERTIFICATE-----\n",
    b"-----BEGIN PRIVATE KEY-----\n",
    b"-----END PRIVATE KEY-----\n",
    b"\x30\x82\xff\xff",
    b"\x30\x80",
    b"\x06\x03\x55\x1d\x11",
    b"\xe2\x80\xae",
    b"\xc3\xa9",
    b"\xff\xfe",
];

/// Bytes worth writing over one.
const INTERESTING: &[u8] =
    &[0, 1, 0x7f, 0x80, 0xff, b'0', b'9', b'a', b'"', b'\\', b'\n', b' ', b'-', b'.', b'/', 0x30, 0x02];

/// xorshift64*: tiny, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { usize::try_from(self.next() % n as u64).unwrap() }
    }
}

/// A seed for the generator from a target's name (FNV-1a), so that each target gets its own mutations.
fn name_seed(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3))
}

/// The committed seeds of a target, in file-name order.
fn seeds(name: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("the seeds of {name} ({}) cannot be read: {err}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap()))
        .collect()
}

/// One mutation of `input`, `other` being another seed to splice with.
fn mutate_once(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8]) {
    let len = input.len();
    match rng.below(9) {
        0 if len > 0 => {
            let at = rng.below(len);
            input[at] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let at = rng.below(len);
            input[at] = INTERESTING[rng.below(INTERESTING.len())];
        }
        2 => {
            let at = rng.below(len + 1);
            let token = TOKENS[rng.below(TOKENS.len())];
            input.splice(at..at, token.iter().copied());
        }
        3 => {
            let at = rng.below(len + 1);
            let count = 1 + rng.below(8);
            let bytes: Vec<u8> = (0..count).map(|_| rng.next().to_le_bytes()[0]).collect();
            input.splice(at..at, bytes);
        }
        4 if len > 0 => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below(len - start)).min(len);
            input.drain(start..end);
        }
        5 if len > 0 => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below((len - start).min(256))).min(len);
            let copy = input[start..end].to_vec();
            let at = rng.below(len + 1);
            input.splice(at..at, copy);
        }
        6 => {
            // Splice: this input's head, the other seed's tail.
            let head = rng.below(len + 1);
            let tail = rng.below(other.len() + 1);
            input.truncate(head);
            input.extend_from_slice(&other[tail..]);
        }
        7 if len > 0 => {
            input.truncate(rng.below(len));
        }
        _ if len > 1 => {
            let (a, b) = (rng.below(len), rng.below(len));
            input.swap(a, b);
        }
        _ => input.push(rng.next().to_le_bytes()[0]),
    }
    input.truncate(MAX_LEN);
}

/// The seeds, then `mutations` inputs made of 1 to 4 mutations of a seed each.
fn inputs(name: &str, seeds: &[Vec<u8>], mutations: usize) -> Vec<Vec<u8>> {
    assert!(!seeds.is_empty(), "no seeds for {name}");
    let mut rng = Rng::new(name_seed(name));
    let mut all: Vec<Vec<u8>> = seeds.to_vec();
    for _ in 0..mutations {
        let mut input = seeds[rng.below(seeds.len())].clone();
        let other = &seeds[rng.below(seeds.len())];
        for _ in 0..=rng.below(4) {
            mutate_once(&mut rng, &mut input, other);
        }
        all.push(input);
    }
    all
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|text| (*text).to_owned()))
        .unwrap_or_else(|| "(a panic without a message)".to_owned())
}

/// Runs `entry` over every input on a worker thread. The first input that panics or takes longer than `limit` is
/// an error naming `name`, the input's number and its hex; a hung input is reported after `limit` without waiting
/// for it (its thread is left behind). Returns the number of inputs run.
fn run_inputs(name: &str, entry: fn(&[u8]), inputs: Vec<Vec<u8>>, limit: Duration) -> Result<usize, String> {
    let inputs = Arc::new(inputs);
    let (sender, receiver) = mpsc::channel::<(usize, Result<Duration, String>)>();
    let worker_inputs = Arc::clone(&inputs);
    std::thread::Builder::new()
        .name(format!("fuzz-smoke-{name}"))
        .spawn(move || {
            for (index, input) in worker_inputs.iter().enumerate() {
                let started = Instant::now();
                let outcome = catch_unwind(AssertUnwindSafe(|| entry(input)))
                    .map(|()| started.elapsed())
                    .map_err(|payload| panic_text(payload.as_ref()));
                let failed = outcome.is_err();
                if sender.send((index, outcome)).is_err() || failed {
                    return;
                }
            }
        })
        .unwrap();
    let describe =
        |index: usize| format!("{name}: input {index} ({} bytes, hex {})", inputs[index].len(), hex(&inputs[index]));
    let mut next = 0;
    while next < inputs.len() {
        match receiver.recv_timeout(limit) {
            Ok((index, Ok(elapsed))) if elapsed > limit => {
                return Err(format!("{} took {elapsed:?}, more than {limit:?}", describe(index)));
            }
            Ok((index, Ok(_))) => next = index + 1,
            Ok((index, Err(message))) => return Err(format!("{} panicked: {message}", describe(index))),
            Err(RecvTimeoutError::Timeout) => {
                return Err(format!("{} did not finish within {limit:?} (a hang?)", describe(next)));
            }
            Err(RecvTimeoutError::Disconnected) => return Err(format!("{name}: the worker stopped at input {next}")),
        }
    }
    Ok(inputs.len())
}

fn mutations() -> usize {
    std::env::var("CHROMA_CONNECT_FUZZ_SMOKE_MUTATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(MUTATIONS)
}

fn smoke(name: &str) {
    let target: Target = TARGETS.into_iter().find(|t| t.name == name).unwrap();
    let seeds: Vec<Vec<u8>> = seeds(name).into_iter().map(|(_, bytes)| bytes).collect();
    let started = Instant::now();
    match run_inputs(name, target.entry, inputs(name, &seeds, mutations()), LIMIT) {
        Ok(count) => eprintln!("{name}: {count} inputs ({} seeds) in {:?}", seeds.len(), started.elapsed()),
        Err(failure) => panic!("{failure}"),
    }
}

#[test]
fn url_input() {
    smoke("url_input");
}

#[test]
fn profile_toml() {
    smoke("profile_toml");
}

#[test]
fn tls_certificates() {
    smoke("tls_certificates");
}

#[test]
fn tls_key() {
    smoke("tls_key");
}

#[test]
fn chroma_json() {
    smoke("chroma_json");
}

#[test]
fn error_body() {
    smoke("error_body");
}

#[test]
fn every_target_has_a_test_and_seeds() {
    let tested = ["url_input", "profile_toml", "tls_certificates", "tls_key", "chroma_json", "error_body"];
    let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    assert_eq!(names, tested, "a target without its test here (or the other way round)");
    for name in names {
        assert!(seeds(name).len() >= 5, "{name} has fewer than 5 seeds");
        let fuzz_target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("fuzz/fuzz_targets/{name}.rs"));
        assert!(fuzz_target.is_file(), "no cargo-fuzz target {}", fuzz_target.display());
    }
}

#[test]
fn the_harness_reports_a_panic_with_the_input() {
    fn panics_on_z(data: &[u8]) {
        assert!(!data.contains(&b'Z'), "found a Z");
    }
    let inputs = vec![b"abc".to_vec(), b"xyZ".to_vec(), b"never run".to_vec()];
    let err = run_inputs("panicky", panics_on_z, inputs, LIMIT).unwrap_err();
    assert!(err.starts_with("panicky: input 1 (3 bytes, hex 78795a) panicked: found a Z"), "{err}");
    // And a target that never panics passes.
    assert_eq!(run_inputs("calm", |_| {}, vec![vec![1], vec![2]], LIMIT), Ok(2));
}

#[test]
fn the_harness_reports_a_hang_without_waiting_for_it() {
    fn sleeps_on_empty(data: &[u8]) {
        if data.is_empty() {
            std::thread::sleep(Duration::from_secs(5));
        }
    }
    let started = Instant::now();
    let err = run_inputs("sleepy", sleeps_on_empty, vec![vec![7], vec![]], Duration::from_millis(200)).unwrap_err();
    assert_eq!(err, "sleepy: input 1 (0 bytes, hex ) did not finish within 200ms (a hang?)");
    assert!(started.elapsed() < Duration::from_secs(4), "waited for the hung input");
}

#[test]
fn mutations_are_deterministic_and_vary() {
    let seeds = vec![b"{\"a\": [1, 2, 3]}".to_vec(), b"https://h:1".to_vec()];
    let first = inputs("x", &seeds, 500);
    assert_eq!(first, inputs("x", &seeds, 500));
    assert_ne!(first, inputs("y", &seeds, 500));
    let distinct: std::collections::HashSet<&Vec<u8>> = first.iter().collect();
    assert!(distinct.len() > 400, "only {} distinct inputs", distinct.len());
}
