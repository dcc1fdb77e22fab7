//! `chroma_connect::fuzzing::profile_toml` under libFuzzer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chroma_connect::fuzzing::profile_toml(data));
