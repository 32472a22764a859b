//! The repository contract on the in-memory store: every case on a fresh store.

macro_rules! on_memory {
    ($($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let (out, _store, _clock) = paddock_testkit::memory_outbound();
                paddock_testkit::contract::$case(&out);
            }
        )*
    };
}

paddock_testkit::contract_cases!(on_memory);

#[test]
fn every_case_has_a_distinct_name() {
    let cases = paddock_testkit::contract::all_cases();
    let mut names: Vec<&str> = cases.iter().map(|(name, _)| *name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len());
}
