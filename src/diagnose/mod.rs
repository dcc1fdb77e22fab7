//! The step-by-step connection check and its findings: stable codes, summaries, hints, and the report
//! (JSON and text). Knows nothing of egui.

mod check;
mod code;
mod findings;
mod report;

pub use check::{Cancelled, CheckEvent, run_check};
pub use code::Code;
pub use report::{CheckReport, Diagnosis, ServerInfo, Step, StepReport, StepStatus, Target, TlsSession, step_line};
