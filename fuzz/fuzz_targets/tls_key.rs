//! `chroma_connect::fuzzing::tls_key` under libFuzzer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chroma_connect::fuzzing::tls_key(data));
