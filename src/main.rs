//! `chroma-connect`: the command-line entry point. All the work is in the library.

fn main() -> std::process::ExitCode {
    chroma_connect::cli::main()
}
