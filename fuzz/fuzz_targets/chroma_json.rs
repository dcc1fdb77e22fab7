//! `chroma_connect::fuzzing::chroma_json` under libFuzzer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chroma_connect::fuzzing::chroma_json(data));
