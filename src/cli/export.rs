//! `records --all`: every record that matches the filters, paged through by the core
//! ([`ChromaClient::all_records`](crate::chroma::ChromaClient::all_records)), written as JSON Lines or CSV to a file
//! (replaced atomically: written beside it under a temporary name, renamed when complete) or to stdout, with
//! progress on stderr.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, IsTerminal as _, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};

use crate::chroma::{
    EXPORT_PAGE_SIZE, ExportFormat, Filter, GetRequest, Include, Record, WALK_CONCURRENCY, record_json_line,
    records_csv,
};
use crate::diagnose::{Code, sanitize_lines};

use super::browse::{self, Failure, Session};
use super::records::{RecordsArgs, filter_failure};
use super::{EXIT_OK, EXIT_PROBLEM};

/// How often progress is shown.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// `records --all` and the flags of exporting.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Export every record that matches --where, --where-document and --ids (all of them without filters), page by
    /// page, to --output (or stdout) as --format. Progress on stderr when it is a terminal (or with --progress).
    #[arg(long, conflicts_with = "similar_to")]
    pub all: bool,
    /// With --all: jsonl (each line a record's object of `records --json`) or csv (metadata keys as columns)
    /// [default: csv for an --output ending in .csv, else jsonl].
    #[arg(long, value_enum, requires = "all")]
    pub format: Option<FormatArg>,
    /// With --all: the file to write; it is replaced only when the export is complete (an interrupted export
    /// leaves no file). Without it (or `-`): stdout.
    #[arg(long, short = 'o', value_name = "FILE", requires = "all")]
    pub output: Option<PathBuf>,
    /// With --all: include the embeddings (in CSV, an `embedding` column).
    #[arg(long, requires = "all")]
    pub embeddings: bool,
    /// With --all: records fetched per request.
    #[arg(long, value_name = "N", default_value_t = EXPORT_PAGE_SIZE, requires = "all",
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub page_size: u32,
    /// With --all: pages in flight at once (1: one page after another).
    #[arg(long, value_name = "N", default_value_t = WALK_CONCURRENCY, requires = "all",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=64))]
    pub concurrency: usize,
    /// With --all: show progress on stderr even when it is not a terminal.
    #[arg(long, requires = "all")]
    pub progress: bool,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// JSON Lines: one JSON object per record, as in `records --json`.
    #[value(alias = "json-lines", alias = "ndjson")]
    Jsonl,
    /// CSV: id, document, uri, one column per metadata key (`metadata.KEY`), and the embedding when fetched.
    Csv,
}

/// Runs `records --all`; `filter` and `include` are the checked `--where`, `--where-document` and `--include`.
pub(super) async fn run(args: &RecordsArgs, filter: Filter, include: Option<Vec<Include>>) -> Result<u8, Failure> {
    let format = format_of(args.export.format, args.export.output.as_deref());
    let mut include = include.unwrap_or_else(|| vec![Include::Documents, Include::Metadatas, Include::Uris]);
    if args.export.embeddings && !include.contains(&Include::Embeddings) {
        include.push(Include::Embeddings);
    }
    let embeddings = include.contains(&Include::Embeddings);
    // A file that cannot be written is found before any request.
    let mut destination = match &args.export.output {
        Some(path) if path.as_os_str() != "-" => Destination::File(PartialFile::create(path).map_err(|err| {
            Failure::usage(Code::UsageInvalidArgument, format!("--output cannot be written: {err}: {}", path.display()))
        })?),
        _ => Destination::Stdout,
    };

    let session = browse::open(&args.connection, args.max_response_mib).await?;
    let Session { client, scope, .. } = &session;
    let filtered = filter.metadata.is_some() || filter.document.is_some();
    let fail = |err| filter_failure(&session, &err, filtered);
    let collection = client.find_collection(scope, &args.collection).await.map_err(fail)?;
    let request = GetRequest { ids: args.ids.clone(), filter, limit: None, offset: None, include: Some(include) };
    let started = Instant::now();
    let mut meter = Meter::new(args.export.progress || io::stderr().is_terminal());
    let records = client
        .all_records(scope, &collection.id, &request, args.export.page_size, args.export.concurrency, |done, total| {
            meter.update(done, total);
        })
        .await
        .map_err(fail)?;
    meter.finish(records.len() as u64);

    let written = match &mut destination {
        Destination::File(file) => write_records(file, &records, format, embeddings, false),
        Destination::Stdout => {
            let stdout = io::stdout();
            let sanitize = format == ExportFormat::Csv && stdout.is_terminal();
            let mut out = BufWriter::new(stdout.lock());
            match write_records(&mut out, &records, format, embeddings, sanitize).and_then(|()| out.flush()) {
                // `| head`: the reader has all it wanted.
                Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other,
            }
        }
    };
    let place = match destination {
        Destination::File(file) => {
            let path = file.path.clone();
            written.and_then(|()| file.commit()).map_err(|err| write_failure(&err, &path))?;
            path.display().to_string()
        }
        Destination::Stdout => {
            written.map_err(|err| write_failure(&err, Path::new("-")))?;
            "stdout".to_owned()
        }
    };
    let noun = if records.len() == 1 { "record" } else { "records" };
    browse::write_err(&format!(
        "exported {} {noun} of {} to {place} ({}) in {:.1} s\n",
        thousands(records.len() as u64),
        collection.name,
        match format {
            ExportFormat::Csv => "CSV",
            _ => "JSON Lines",
        },
        started.elapsed().as_secs_f64()
    ));
    Ok(EXIT_OK)
}

/// The format: `--format`, else the output file's extension (`.csv`), else JSON Lines.
fn format_of(arg: Option<FormatArg>, output: Option<&Path>) -> ExportFormat {
    let csv = match arg {
        Some(format) => format == FormatArg::Csv,
        None => output.and_then(Path::extension).is_some_and(|ext| ext.eq_ignore_ascii_case("csv")),
    };
    if csv { ExportFormat::Csv } else { ExportFormat::JsonLines }
}

/// Writes the records: one JSON object per line, or CSV (with an `embedding` column when `embeddings`). With
/// `sanitize` (CSV for a terminal), control characters are left out.
fn write_records(
    out: &mut dyn Write,
    records: &[Record],
    format: ExportFormat,
    embeddings: bool,
    sanitize: bool,
) -> io::Result<()> {
    match format {
        ExportFormat::Csv => {
            let text = records_csv(records, embeddings);
            out.write_all(if sanitize { sanitize_lines(&text) } else { text }.as_bytes())
        }
        _ => records.iter().try_for_each(|record| out.write_all(record_json_line(record, None).as_bytes())),
    }
}

fn write_failure(err: &io::Error, path: &Path) -> Failure {
    // The command line was fine: the disk (or the pipe) failed.
    Failure {
        exit: EXIT_PROBLEM,
        ..Failure::usage(
            Code::UsageInvalidArgument,
            format!("the export could not be written: {err}: {}", path.display()),
        )
    }
}

/// Where the records go.
#[derive(Debug)]
enum Destination {
    File(PartialFile),
    Stdout,
}

/// A file being written under a temporary name beside its final path: renamed there by [`PartialFile::commit`],
/// removed when dropped before (an error, Ctrl-C), so the final path only ever holds a whole export.
#[derive(Debug)]
struct PartialFile {
    /// The final path.
    path: PathBuf,
    /// The temporary file's path (hidden, in the same folder, so the rename is atomic).
    temp: PathBuf,
    file: Option<BufWriter<File>>,
}

impl PartialFile {
    fn create(path: &Path) -> io::Result<Self> {
        if path.is_dir() {
            return Err(io::Error::new(io::ErrorKind::IsADirectory, "it is a folder"));
        }
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "it names no file"))?
            .to_string_lossy();
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let temp = folder(path).join(format!(".{name}.partial-{}-{nanos}", std::process::id()));
        let file = OpenOptions::new().write(true).create_new(true).open(&temp)?;
        Ok(Self { path: path.to_owned(), temp, file: Some(BufWriter::new(file)) })
    }

    /// Flushes the file to disk and renames it to its final path.
    fn commit(mut self) -> io::Result<()> {
        let Some(file) = self.file.take() else { return Err(io::Error::other("the file was closed")) };
        let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&self.temp, &self.path)?;
        // The rename itself, on disk (best effort: not every file system syncs folders).
        if let Ok(dir) = File::open(folder(&self.path)) {
            let _ = dir.sync_all();
        }
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Write for PartialFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(file) => file.write(buf),
            None => Err(io::Error::other("the file was closed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), Write::flush)
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            drop(self.file.take());
            let _ = fs::remove_file(&self.temp);
        }
    }
}

fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Progress on stderr, at most once a second: `exported 12,000 / 100,000 records`. On a terminal the line is
/// rewritten in place.
#[derive(Debug)]
struct Meter {
    show: bool,
    terminal: bool,
    last: Instant,
    shown: bool,
    total: Option<u64>,
}

impl Meter {
    fn new(show: bool) -> Self {
        Self { show, terminal: io::stderr().is_terminal(), last: Instant::now(), shown: false, total: None }
    }

    fn update(&mut self, done: u64, total: Option<u64>) {
        self.total = total;
        if self.show && self.last.elapsed() >= PROGRESS_EVERY {
            self.print(done);
        }
    }

    /// The final count, when progress was shown.
    fn finish(&mut self, done: u64) {
        if self.shown {
            self.print(done);
            if self.terminal {
                let _ = io::stderr().write_all(b"\n");
            }
        }
    }

    fn print(&mut self, done: u64) {
        let total = self.total.map_or_else(String::new, |total| format!(" / {}", thousands(total)));
        let line = format!("exported {}{total} records", thousands(done));
        let text = if self.terminal { format!("\r{line}\x1b[K") } else { format!("{line}\n") };
        let _ = io::stderr().lock().write_all(text.as_bytes());
        self.last = Instant::now();
        self.shown = true;
    }
}

/// `12,345,678`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_thousands_separators() {
        let cases = [(0, "0"), (999, "999"), (1000, "1,000"), (12_000, "12,000"), (1_234_567, "1,234,567")];
        for (n, text) in cases {
            assert_eq!(thousands(n), text);
        }
    }

    #[test]
    fn the_format_follows_the_flag_then_the_extension() {
        assert_eq!(format_of(None, None), ExportFormat::JsonLines);
        assert_eq!(format_of(None, Some(Path::new("out.CSV"))), ExportFormat::Csv);
        assert_eq!(format_of(None, Some(Path::new("out.jsonl"))), ExportFormat::JsonLines);
        assert_eq!(format_of(Some(FormatArg::Jsonl), Some(Path::new("out.csv"))), ExportFormat::JsonLines);
        assert_eq!(format_of(Some(FormatArg::Csv), None), ExportFormat::Csv);
    }

    #[test]
    fn a_partial_file_is_renamed_when_complete_and_removed_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        fs::write(&path, "old").unwrap();
        let listing = || {
            let mut names: Vec<String> =
                fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
            names.sort();
            names
        };

        let mut file = PartialFile::create(&path).unwrap();
        file.write_all(b"new").unwrap();
        assert_eq!(listing().len(), 2, "a temporary file beside it");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old", "untouched until complete");
        drop(file);
        assert_eq!(listing(), ["out.jsonl"], "the temporary file is removed");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");

        let mut file = PartialFile::create(&path).unwrap();
        file.write_all(b"new").unwrap();
        file.commit().unwrap();
        assert_eq!(listing(), ["out.jsonl"]);
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");

        assert!(PartialFile::create(dir.path()).is_err(), "a folder");
        assert!(PartialFile::create(&dir.path().join("missing/out.jsonl")).is_err(), "no such folder");
    }
}
