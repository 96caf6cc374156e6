#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mandate::api::fuzzing::bundle(data);
});
