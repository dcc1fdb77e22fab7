//! `chroma_connect::fuzzing::url_input` under libFuzzer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chroma_connect::fuzzing::url_input(data));
