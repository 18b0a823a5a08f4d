#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cnpg_dr_core::fuzzing::render_memfs(data));
