//! `chroma_connect::fuzzing::tls_certificates` under libFuzzer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chroma_connect::fuzzing::tls_certificates(data));
