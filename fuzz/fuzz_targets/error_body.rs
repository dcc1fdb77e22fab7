//! `chroma_connect::fuzzing::error_body` under libFuzzer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chroma_connect::fuzzing::error_body(data));
