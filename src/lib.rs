//! Chroma Connect: connect to Chroma vector-database servers with exactly the TLS trust the user chose,
//! and say precisely what is wrong when a connection fails.
//!
//! The core (`profile`, `tls`, `chroma`, `diagnose`, `explain`) never imports a GUI toolkit; `cli` is one face of it, the
//! desktop app (`app` for state and background work, `ui` for drawing) the other.

pub mod app;
pub mod chroma;
pub mod cli;
pub mod diagnose;
pub mod explain;
#[doc(hidden)]
pub mod fuzzing;
pub mod profile;
pub mod snippet;
pub mod tls;
pub mod ui;
