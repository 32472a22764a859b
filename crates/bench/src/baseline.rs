//! The two baselines every figure is divided by: a bare actix-web route answering a constant
//! (this binary's `bare-route` subcommand, a separate process with paddock's worker count),
//! and a raw single-row `UPDATE` loop on the same database with paddock's durability settings.

use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};

use crate::Fallible;

/// Worker threads of both servers: actix-web's default, one per available CPU, which is what
/// `paddock serve` uses (it does not set `workers`).
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `paddock-bench bare-route <port>`: `GET|POST /bare` answers `{}` (reading any body up to
/// 2 MiB), `/-/readiness` answers 200.
pub fn serve_bare_route(port: u16) -> Fallible<()> {
    let system = actix_web::rt::System::new();
    system.block_on(async move {
        HttpServer::new(|| {
            App::new()
                .app_data(web::PayloadConfig::new(2 * 1024 * 1024))
                .route("/-/readiness", web::get().to(HttpResponse::Ok))
                .route("/bare", web::get().to(constant))
                .route("/bare", web::post().to(sink))
                .route("/bare", web::patch().to(sink))
        })
        .workers(workers())
        .bind(("127.0.0.1", port))?
        .run()
        .await
    })?;
    Ok(())
}

async fn constant() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body("{}")
}

async fn sink(body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(format!("{{\"received\":{}}}", body.len()))
}

/// Sequential `UPDATE bench_raw SET n = n + 1 WHERE id = 1` on SQLite for `duration`, with the
/// pragmas `crates/db/src/connection.rs` sets (WAL, synchronous = NORMAL, busy_timeout 10 s,
/// foreign keys); answers updates per second.
pub fn sqlite_updates(path: &std::path::Path, duration: Duration) -> Fallible<f64> {
    let mut conn = SqliteConnection::establish(&path.display().to_string())?;
    conn.batch_execute(
        "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
         PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
    )?;
    conn.batch_execute(
        "CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, n BIGINT NOT NULL); \
         INSERT INTO bench_raw (id, n) VALUES (1, 0);",
    )?;
    Ok(update_loop(duration, || {
        diesel::sql_query("UPDATE bench_raw SET n = n + 1 WHERE id = 1").execute(&mut conn)
    })?)
}

/// The same loop on PostgreSQL (`url`: a fresh database; server defaults, so
/// `synchronous_commit = on`).
pub fn postgres_updates(url: &str, duration: Duration) -> Fallible<f64> {
    let mut conn = PgConnection::establish(url)?;
    conn.batch_execute(
        "CREATE TABLE bench_raw (id BIGINT PRIMARY KEY, n BIGINT NOT NULL); \
         INSERT INTO bench_raw (id, n) VALUES (1, 0);",
    )?;
    Ok(update_loop(duration, || {
        diesel::sql_query("UPDATE bench_raw SET n = n + 1 WHERE id = 1").execute(&mut conn)
    })?)
}

fn update_loop(
    duration: Duration,
    mut update: impl FnMut() -> diesel::QueryResult<usize>,
) -> diesel::QueryResult<f64> {
    let begun = Instant::now();
    let mut count = 0u64;
    while begun.elapsed() < duration {
        update()?;
        count += 1;
    }
    Ok(count as f64 / begun.elapsed().as_secs_f64())
}
