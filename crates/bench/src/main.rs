//! `paddock-bench`: starts the `paddock` binary of its own build profile on SQLite and on a
//! fresh PostgreSQL database, drives it over HTTP from this process with many keep-alive
//! connections, measures a bare actix-web route and a raw update loop in the same run, and
//! prints one table per database (docs/PERFORMANCE.md).
//!
//! `paddock-bench [--smoke] [--db sqlite|postgres|both] [--only abcdefgh]`; knobs in the environment:
//! `PADDOCK_BENCH_SECONDS` (each measured phase), `PADDOCK_BENCH_JOBS` (pending jobs per
//! dispatch run), `PADDOCK_BENCH_RUNNERS` (runners listed), `PADDOCK_BENCH_RATE` (mixed
//! traffic, requests/s), `PADDOCK_BENCH_CONNECTIONS` (closed-loop connections),
//! `PADDOCK_BENCH_DISPATCH_CAP` (seconds a dispatch run may take, 60), `PADDOCK_BENCH_PARKED`
//! (parked long polls).

mod baseline;
mod database;
mod load;
mod parked;
mod process;
mod scenarios;
mod table;

use std::time::Duration;

pub type Fallible<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Sizes and durations of a run.
#[derive(Debug, Clone)]
pub struct Knobs {
    pub smoke: bool,
    pub phase: Duration,
    pub jobs: u64,
    pub runners: u64,
    pub rate: f64,
    pub connections: usize,
    pub pollers: Vec<usize>,
    /// The longest a dispatch run may take; what is left pending then is cancelled.
    pub dispatch_cap: Duration,
    /// Untagged runners parking a long poll in (c), and tagged ones that get its jobs.
    pub parked: usize,
    pub tagged: usize,
    /// The scenarios to run (`--only abd`); all when empty.
    pub only: String,
}

impl Knobs {
    /// Whether scenario `letter` runs.
    pub fn runs(&self, letter: char) -> bool {
        self.only.is_empty() || self.only.contains(letter)
    }

    fn new(smoke: bool, only: String) -> Fallible<Self> {
        let env = |name: &str, default: f64| -> Fallible<f64> {
            match std::env::var(name) {
                Ok(text) => Ok(text.parse().map_err(|_| format!("{name}: not a number"))?),
                Err(_) => Ok(default),
            }
        };
        let (phase, jobs, runners, rate, connections, pollers) = if smoke {
            (0.5, 200.0, 1_000.0, 100.0, 16.0, vec![4, 8])
        } else {
            (5.0, 10_000.0, 100_000.0, 1_000.0, 64.0, vec![16, 32, 64])
        };
        Ok(Self {
            smoke,
            phase: Duration::from_secs_f64(env("PADDOCK_BENCH_SECONDS", phase)?),
            jobs: env("PADDOCK_BENCH_JOBS", jobs)? as u64,
            runners: env("PADDOCK_BENCH_RUNNERS", runners)? as u64,
            rate: env("PADDOCK_BENCH_RATE", rate)?,
            connections: env("PADDOCK_BENCH_CONNECTIONS", connections)? as usize,
            pollers,
            parked: env("PADDOCK_BENCH_PARKED", if smoke { 100.0 } else { 10_000.0 })? as usize,
            tagged: if smoke { 10 } else { 100 },
            dispatch_cap: Duration::from_secs_f64(env("PADDOCK_BENCH_DISPATCH_CAP", 60.0)?),
            only,
        })
    }
}

fn main() {
    if let Err(error) = run() {
        eprintln!("paddock-bench: {error}");
        std::process::exit(1);
    }
}

fn run() -> Fallible<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("bare-route") {
        let port = args.get(1).ok_or("bare-route <port>")?.parse()?;
        return baseline::serve_bare_route(port);
    }
    let smoke = args.iter().any(|a| a == "--smoke");
    let db = args
        .iter()
        .position(|a| a == "--db")
        .and_then(|i| args.get(i + 1))
        .map_or("both", String::as_str);
    if !["sqlite", "postgres", "both"].contains(&db) {
        return Err("--db sqlite|postgres|both".into());
    }
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_default();
    if !only.chars().all(|c| ('a'..='h').contains(&c)) {
        return Err("--only takes scenario letters, e.g. --only ad".into());
    }
    let knobs = Knobs::new(smoke, only)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(baseline::workers())
        .enable_all()
        .build()?;
    let paddock = process::paddock_binary()?;
    table::print_header(&knobs, &paddock);
    let long_poll = if knobs.runs('c') {
        scenarios::long_poll_probe(&runtime, &paddock)?
    } else {
        None
    };
    if db != "postgres" {
        let target = database::Target::sqlite()?;
        let rows = scenarios::run(&runtime, &paddock, &target, &knobs, &long_poll)?;
        table::print(target.label(), &rows);
    }
    if db != "sqlite" {
        match database::Target::postgres() {
            Ok(target) => {
                let result = scenarios::run(&runtime, &paddock, &target, &knobs, &long_poll);
                target.drop_databases();
                table::print(target.label(), &result?);
            }
            Err(reason) if std::env::var_os("PADDOCK_TEST_REQUIRE_POSTGRES").is_some() => {
                return Err(format!("PostgreSQL does not answer: {reason}").into());
            }
            Err(reason) => println!("\nPostgreSQL: skipped, the server does not answer ({reason})"),
        }
    }
    Ok(())
}
