//! Issue 6's scenarios (a)–(h) against one database: the servers, the seeding, the load and
//! the rows of the table.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};
use tokio::runtime::Runtime;

use crate::database::Target;
use crate::load::{self, send};
use crate::process::{self, Served};
use crate::table::Row;
use crate::{Fallible, Knobs};

pub const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
const JOBS_PER_PIPELINE: u64 = 100;
const MIB: usize = 1024 * 1024;

/// The paddock under test and what the bench needs to talk to it.
#[derive(Debug)]
pub struct Paddock {
    pub served: Served,
    pub client: Client,
    root: String,
    pub registration: String,
}

impl Paddock {
    /// A first start on an empty database, with new root and registration tokens.
    fn start(binary: &Path, target: &Target, extra: &[&str]) -> Fallible<Self> {
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let root = format!("glpat-bench-{suffix}");
        let registration = format!("GR1348941bench{suffix}");
        Self::start_with(binary, target, extra, root, registration)
    }

    /// Another start on the same database (the tokens are those of the first start).
    fn restart(self, binary: &Path, target: &Target, extra: &[&str]) -> Fallible<Self> {
        let (root, registration) = (self.root.clone(), self.registration.clone());
        self.served.stop();
        Self::start_with(binary, target, extra, root, registration)
    }

    fn start_with(
        binary: &Path,
        target: &Target,
        extra: &[&str],
        root: String,
        registration: String,
    ) -> Fallible<Self> {
        let port = process::free_port()?;
        let mut command = Command::new(binary);
        for (key, _) in std::env::vars() {
            if key.starts_with("PADDOCK_") {
                command.env_remove(key);
            }
        }
        command
            .env("PADDOCK_ROOT_TOKEN", &root)
            .env("PADDOCK_REGISTRATION_TOKEN", &registration)
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(target.data_dir())
            .args(["--database-url", &target.url()])
            .args(["--max-request-body", &(2 * MIB).to_string()])
            .args(["--max-trace-size", "1099511627776"])
            .args(extra);
        let served = process::spawn(command, port, &target.data_dir().join("paddock.log"))?;
        Ok(Self {
            served,
            client: client()?,
            root,
            registration,
        })
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v4{path}", self.served.base)
    }

    /// `POST /api/v4<path>` as root with `body`; the JSON answer, which must have `status`.
    pub async fn post_json(&self, path: &str, body: Value, status: u16) -> Fallible<Value> {
        let response = self
            .client
            .post(self.api(path))
            .header("PRIVATE-TOKEN", &self.root)
            .json(&body)
            .send()
            .await?;
        expect(response, status).await
    }

    /// Registers an instance runner; `(id, token)`.
    async fn runner(&self, body: Value) -> Fallible<(i64, String)> {
        let mut body = body;
        body["token"] = json!(self.registration);
        let response = self
            .client
            .post(self.api("/runners"))
            .json(&body)
            .send()
            .await?;
        let runner = expect(response, 201).await?;
        Ok((
            runner["id"].as_i64().ok_or("a runner id")?,
            runner["token"].as_str().ok_or("a runner token")?.to_owned(),
        ))
    }

    async fn runners(&self, count: usize) -> Fallible<Vec<String>> {
        let mut tokens = Vec::with_capacity(count);
        for i in 0..count {
            let (_, token) = self
                .runner(json!({"description": format!("poller-{i}")}))
                .await?;
            tokens.push(token);
        }
        Ok(tokens)
    }

    /// A project whose pipelines hold `JOBS_PER_PIPELINE` jobs of one stage, and enough
    /// pipelines of it for `jobs` pending jobs: `(project, pipelines)`.
    async fn pending_jobs(&self, name: &str, jobs: u64) -> Fallible<(i64, Vec<i64>)> {
        let per_pipeline = JOBS_PER_PIPELINE.min(jobs.max(1));
        let ci_config: String = (0..per_pipeline)
            .map(|i| format!("job_{i:04}:\n  script: echo {i}\n"))
            .collect();
        let project = self
            .post_json(
                "/projects",
                json!({"name": name, "path": name, "ci_config": ci_config}),
                201,
            )
            .await?;
        let id = project["id"].as_i64().ok_or("a project id")?;
        let mut pipelines = Vec::new();
        for _ in 0..jobs.div_ceil(per_pipeline) {
            let pipeline = self
                .post_json(
                    &format!("/projects/{id}/pipeline"),
                    json!({"ref": "main", "sha": SHA}),
                    201,
                )
                .await?;
            pipelines.push(pipeline["id"].as_i64().ok_or("a pipeline id")?);
        }
        Ok((id, pipelines))
    }

    /// Cancels the pipelines (what a capped dispatch run left pending).
    async fn cancel(&self, project: i64, pipelines: &[i64]) -> Fallible<()> {
        for pipeline in pipelines {
            self.post_json(
                &format!("/projects/{project}/pipelines/{pipeline}/cancel"),
                json!({}),
                201,
            )
            .await?;
        }
        Ok(())
    }

    /// `count` jobs of a new project, each taken by one of the runners (round robin).
    async fn running_jobs(&self, runners: &[String], count: usize) -> Fallible<Vec<TakenJob>> {
        self.pending_jobs("appends", count as u64).await?;
        let mut jobs = Vec::with_capacity(count);
        let mut attempts = 0;
        while jobs.len() < count && attempts < 10 * count {
            let token = &runners[attempts % runners.len()];
            attempts += 1;
            let response = self
                .client
                .post(self.api("/jobs/request"))
                .json(&json!({"token": token}))
                .send()
                .await?;
            if response.status().as_u16() != 201 {
                continue;
            }
            let job: Value = response.json().await?;
            jobs.push(TakenJob {
                id: job["id"].as_i64().ok_or("a job id")?,
                token: job["token"].as_str().ok_or("a job token")?.to_owned(),
                offset: tokio::sync::Mutex::new(0),
            });
        }
        if jobs.len() < count {
            return Err(format!("took {} of {count} jobs to append logs to", jobs.len()).into());
        }
        Ok(jobs)
    }
}

async fn expect(response: reqwest::Response, status: u16) -> Fallible<Value> {
    let got = response.status().as_u16();
    let text = response.text().await?;
    if got != status {
        return Err(format!("expected {status}, got {got}: {text}").into());
    }
    Ok(serde_json::from_str(&text)?)
}

/// A keep-alive client that is cheap per request.
fn client() -> Fallible<Client> {
    Ok(Client::builder()
        .pool_max_idle_per_host(4096)
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

/// The bare route, spawned as this binary's `bare-route` subcommand.
fn start_bare_route(dir: &Path) -> Fallible<Served> {
    let port = process::free_port()?;
    let mut command = Command::new(std::env::current_exe()?);
    command.args(["bare-route", &port.to_string()]);
    process::spawn(command, port, &dir.join("bare-route.log"))
}

/// A job a runner took: its id, token and how much log it has.
#[derive(Debug)]
struct TakenJob {
    id: i64,
    token: String,
    offset: tokio::sync::Mutex<u64>,
}

/// Whether `paddock serve --long-poll-timeout` parks a job request whose `last_update`
/// matches: `None` when it does, else why (c) is not measured.
pub fn long_poll_probe(runtime: &Runtime, binary: &Path) -> Fallible<Option<String>> {
    let target = Target::sqlite()?;
    let paddock = Paddock::start(binary, &target, &["--long-poll-timeout", "3"])?;
    let parked = runtime.block_on(async {
        let (_, token) = paddock.runner(json!({})).await?;
        let url = paddock.api("/jobs/request");
        let first = paddock
            .client
            .post(&url)
            .json(&json!({"token": token}))
            .send()
            .await?;
        let last_update = first
            .headers()
            .get("X-GitLab-Last-Update")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let begun = Instant::now();
        paddock
            .client
            .post(&url)
            .json(&json!({"token": token, "last_update": last_update}))
            .send()
            .await?;
        Fallible::Ok(begun.elapsed() >= Duration::from_secs(2))
    })?;
    paddock.served.stop();
    Ok(if parked {
        None
    } else {
        Some("n/a: long polling not in this build (a job request with a matching last_update was answered at once under --long-poll-timeout 3)".into())
    })
}

/// Every scenario against `target`; the rows of its table.
pub fn run(
    runtime: &Runtime,
    binary: &Path,
    target: &Target,
    knobs: &Knobs,
    long_poll: &Option<String>,
) -> Fallible<Vec<Row>> {
    let bare = start_bare_route(target.data_dir())?;
    let paddock = Paddock::start(binary, target, &["--long-poll-timeout", "0"])?;
    std::thread::sleep(Duration::from_millis(500));
    let idle = [
        (paddock.served.rss_bytes(), bare.rss_bytes()),
        (
            paddock.served.ready_in.as_micros() as u64,
            bare.ready_in.as_micros() as u64,
        ),
    ];
    eprintln!("{}: raw update loop", target.label());
    let raw = if knobs.runs('d') {
        target.raw_updates(knobs.phase)?
    } else {
        f64::NAN
    };
    let mut rows = runtime.block_on(http_scenarios(&paddock, &bare, target, knobs, raw))?;
    let title = format!("(c) {} parked long polls", knobs.parked);
    match long_poll {
        _ if !knobs.runs('c') => paddock.served.stop(),
        Some(reason) => {
            rows.insert(rows.len().min(3), Row::new(title, reason.clone()));
            paddock.served.stop();
        }
        None => {
            eprintln!("{}: (c) parked long polls", target.label());
            let timeout = crate::parked::TIMEOUT_SECS.to_string();
            let polling = paddock.restart(binary, target, &["--long-poll-timeout", &timeout])?;
            let parked = runtime.block_on(crate::parked::measure(
                &polling,
                knobs.parked,
                knobs.tagged,
                Duration::from_secs(if knobs.smoke { 1 } else { 15 }),
            ));
            polling.served.stop();
            let at = rows.len().min(3);
            for (i, row) in parked?.into_iter().enumerate() {
                rows.insert(at + i, row);
            }
        }
    }
    let (rss, bare_rss) = idle[0];
    rows.push(
        Row::new("(h) idle RSS", format!("{:.1} MB", rss as f64 / 1e6))
            .baseline(
                format!("{:.1} MB", bare_rss as f64 / 1e6),
                rss as f64 / bare_rss as f64,
            )
            .target("≤ 50 MB", rss <= 50_000_000),
    );
    let (ready, bare_ready) = idle[1];
    rows.push(
        Row::new(
            "(h) start → ready",
            format!("{:.0} ms", ready as f64 / 1000.0),
        )
        .baseline(
            format!("{:.0} ms", bare_ready as f64 / 1000.0),
            ready as f64 / bare_ready as f64,
        )
        .target("≤ 1 s", ready <= 1_000_000),
    );
    if knobs.runs('d') {
        rows.push(Row::new(
            "raw UPDATE loop (baseline of d)",
            format!("{raw:.0} updates/s"),
        ));
    }
    bare.stop();
    Ok(rows)
}

async fn http_scenarios(
    paddock: &Paddock,
    bare: &Served,
    target: &Target,
    knobs: &Knobs,
    raw: f64,
) -> Fallible<Vec<Row>> {
    let mut rows = Vec::new();
    let client = paddock.client.clone();
    let connections = knobs.connections;
    let bare_url = format!("{}/bare", bare.base);
    let label = target.label();

    // The bare route's throughput with a job-request-sized JSON body.
    eprintln!("{label}: bare route");
    let small = json!({"token": "glrt-0123456789abcdefghij", "last_update": "0123456789abcdef"})
        .to_string();
    // A step that POSTs one of `bodies` (rotating) to `url` as JSON.
    let post_json = |url: &str, bodies: Arc<Vec<String>>| {
        let (client, url) = (client.clone(), url.to_owned());
        move |worker: usize, seq: u64| {
            let body = bodies[(worker + seq as usize) % bodies.len()].clone();
            let request = client
                .post(&url)
                .header("Content-Type", "application/json")
                .body(body);
            async move { (send(request).await.0, 0) }
        }
    };
    let bare_step = || post_json(&bare_url, Arc::new(vec![small.clone()]));
    let bare_post = load::closed(connections, knobs.phase, None, bare_step()).await;
    let bare_rate = bare_post.rate();
    let bare_text = format!("{bare_rate:.0} req/s");

    // (a) and (b): idle polls of `connections` runners.
    let tokens = paddock
        .runners(connections.max(*knobs.pollers.iter().max().unwrap_or(&1)))
        .await?;
    let request_url = paddock.api("/jobs/request");
    // Each runner polls with the last `X-GitLab-Last-Update` it was given, as gitlab-runner
    // does (the value is per runner, and moves on when its entry is read again).
    let current: Arc<Vec<std::sync::Mutex<String>>> = Arc::new(
        tokens
            .iter()
            .map(|_| std::sync::Mutex::new(String::new()))
            .collect(),
    );
    let with_last_update = {
        let (client, url, tokens, current) = (
            client.clone(),
            request_url.clone(),
            Arc::new(tokens.clone()),
            current.clone(),
        );
        move |worker: usize, seq: u64| {
            let runner = (worker + seq as usize) % tokens.len();
            let value = current[runner]
                .lock()
                .map(|v| v.clone())
                .unwrap_or_default();
            let mut body = json!({ "token": tokens[runner] });
            if !value.is_empty() {
                body["last_update"] = json!(value);
            }
            let request = client
                .post(&url)
                .header("Content-Type", "application/json")
                .body(body.to_string());
            let current = current.clone();
            async move {
                let Ok(response) = request.send().await else {
                    return (0, 0);
                };
                if let Some(value) = response
                    .headers()
                    .get("X-GitLab-Last-Update")
                    .and_then(|v| v.to_str().ok())
                    && let Ok(mut slot) = current[runner].lock()
                {
                    *slot = value.to_owned();
                }
                let status = response.status().as_u16();
                let _ = response.bytes().await;
                (status, 0)
            }
        }
    };
    let with_last_update = Arc::new(with_last_update);
    // Every runner learns its value first.
    for runner in 0..tokens.len() {
        (with_last_update)(runner, 0).await;
    }
    let without: Arc<Vec<String>> = Arc::new(
        tokens
            .iter()
            .map(|t| json!({"token": t}).to_string())
            .collect(),
    );
    let poll = |bodies: Arc<Vec<String>>| post_json(&request_url, bodies);
    let cached = || {
        let step = with_last_update.clone();
        move |worker: usize, seq: u64| step(worker, seq)
    };
    if knobs.runs('a') {
        eprintln!("{label}: (a) idle poll, matching last_update");
        let a = load::closed(connections, knobs.phase, None, cached()).await;
        rows.push(
            Row::new(
                "(a) idle poll, matching last_update",
                format!("{:.0} req/s ({})", a.rate(), a.status_summary()),
            )
            .baseline(bare_text.clone(), a.rate() / bare_rate)
            .target("≥ 0.50 of bare", a.rate() / bare_rate >= 0.5)
            .client(a.client_cores()),
        );
        let half = bare_rate / 2.0;
        let a_half = load::open(half, knobs.phase, cached()).await;
        // The bare route at the same rate: what the machine (the bench sharing its cores)
        // allows at all.
        let bare_half = load::open(half, knobs.phase, bare_step()).await;
        rows.push(
            Row::new(
                format!("(a) p99 at half the bare rate ({half:.0} req/s)"),
                format!(
                    "p99 {:.2} ms, p50 {:.2} ms (served {:.0} req/s)",
                    a_half.quantile_ms(0.99),
                    a_half.quantile_ms(0.5),
                    a_half.rate()
                ),
            )
            .baseline(
                format!(
                    "p99 {:.2} ms, p50 {:.2} ms (served {:.0} req/s)",
                    bare_half.quantile_ms(0.99),
                    bare_half.quantile_ms(0.5),
                    bare_half.rate()
                ),
                a_half.quantile_ms(0.99) / bare_half.quantile_ms(0.99),
            )
            .target("p99 ≤ 2 ms", a_half.quantile_ms(0.99) <= 2.0)
            .client(a_half.client_cores()),
        );
    }
    if knobs.runs('b') {
        eprintln!("{label}: (b) idle poll, no last_update");
        let b = load::closed(connections, knobs.phase, None, poll(without.clone())).await;
        rows.push(
            Row::new(
                "(b) idle poll, no last_update, no jobs",
                format!("{:.0} req/s ({})", b.rate(), b.status_summary()),
            )
            .baseline(bare_text.clone(), b.rate() / bare_rate)
            .target("≥ 0.20 of bare", b.rate() / bare_rate >= 0.2)
            .client(b.client_cores()),
        );
    }

    // (d) dispatch: each level drains its own pending jobs (or stops at the cap, and the
    // rest is cancelled so that later scenarios see no pending job).
    for &pollers in knobs.pollers.iter().filter(|_| knobs.runs('d')) {
        eprintln!("{label}: (d) seeding {} pending jobs", knobs.jobs);
        let seeding = Instant::now();
        let (project, pipelines) = paddock
            .pending_jobs(&format!("dispatch-{pollers}"), knobs.jobs)
            .await?;
        let seeded_in = seeding.elapsed();
        eprintln!("{label}: (d) dispatch with {pollers} pollers");
        let bodies = without.clone();
        let (client, url) = (client.clone(), request_url.clone());
        let d = load::closed(
            pollers,
            knobs.dispatch_cap,
            Some(204),
            move |worker: usize, _: u64| {
                let request = client
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .body(bodies[worker].clone());
                async move { (send(request).await.0, 0) }
            },
        )
        .await;
        let assigned = d.count(201);
        let conflicts = d.count(409);
        if assigned < knobs.jobs {
            paddock.cancel(project, &pipelines).await?;
        }
        let rate = assigned as f64 / d.elapsed.as_secs_f64();
        let share = conflicts as f64 / (assigned + conflicts).max(1) as f64;
        rows.push(
            Row::new(
                format!("(d) dispatch, {pollers} pollers"),
                format!(
                    "{rate:.0} jobs/s, {:.1}% 409 ({assigned} of {} jobs in {:.1} s{}; seeded in {:.1} s)",
                    share * 100.0,
                    knobs.jobs,
                    d.elapsed.as_secs_f64(),
                    if assigned < knobs.jobs { ", capped" } else { "" },
                    seeded_in.as_secs_f64()
                ),
            )
            .baseline(format!("{raw:.0} updates/s"), rate / raw)
            .target(
                "≥ 0.25 of raw, ≤ 5% 409",
                rate / raw >= 0.25 && share <= 0.05,
            )
            .client(d.client_cores()),
        );
    }
    let appenders = connections.min(16);
    let jobs: Arc<Vec<TakenJob>> = if knobs.runs('e') || knobs.runs('g') {
        Arc::new(paddock.running_jobs(&tokens, 3 * appenders).await?)
    } else {
        Arc::new(Vec::new())
    };

    // (e) log appends: each connection appends to its own job.
    let third = appenders;
    let sizes = [(4 * 1024, "4 KiB", 0), (MIB, "1 MiB", third)];
    for (size, name, first_job) in sizes.into_iter().filter(|_| knobs.runs('e')) {
        eprintln!("{label}: (e) appends of {name}");
        let data = actix_web::web::Bytes::from(vec![b'x'; size]);
        let bare_append = {
            let (client, url, data) = (client.clone(), bare_url.clone(), data.clone());
            load::closed(appenders, knobs.phase, None, move |_, _| {
                let request = client.patch(&url).body(data.clone());
                let bytes = data.len() as u64;
                async move {
                    let status = send(request).await.0;
                    (status, if status == 200 { bytes } else { 0 })
                }
            })
            .await
        };
        let append = append_step(paddock, jobs.clone(), first_job, data);
        let e = load::closed(appenders, knobs.phase, None, append).await;
        let met = if size == MIB {
            ("≥ 200 MB/s".to_owned(), e.mb_per_s() >= 200.0)
        } else {
            ("—".to_owned(), true)
        };
        let mut row = Row::new(
            format!("(e) log append {name}, {appenders} jobs"),
            format!(
                "{:.0} req/s, {:.1} MB/s ({})",
                e.rate(),
                e.mb_per_s(),
                e.status_summary()
            ),
        )
        .baseline(
            format!("{:.1} MB/s", bare_append.mb_per_s()),
            e.mb_per_s() / bare_append.mb_per_s(),
        )
        .client(e.client_cores());
        if size == MIB {
            row = row.target(met.0, met.1);
        }
        rows.push(row);
    }

    if knobs.runs('f') {
        // (f) listing over many runners, one connection.
        eprintln!("{label}: (f) seeding {} runners in SQL", knobs.runners);
        let (template, _) = paddock
            .runner(json!({"description": "template", "tag_list": "docker,linux"}))
            .await?;
        let seeding = Instant::now();
        target.clone_runners(template, knobs.runners)?;
        let seeded_in = seeding.elapsed();
        let queries = Arc::new(
            [
                "/runners/all?tag_list=docker&per_page=20",
                "/runners/all?type=instance_type&paused=false&per_page=20",
                "/runners/all?status=never_contacted&per_page=20&page=50",
                "/runners/all?search=bench-4242&per_page=20",
            ]
            .map(|q| paddock.api(q)),
        );
        eprintln!("{label}: (f) listing");
        let list = {
            let (client, root) = (client.clone(), paddock.root.clone());
            load::closed(1, knobs.phase, None, move |_, seq| {
                let request = client
                    .get(&queries[seq as usize % queries.len()])
                    .header("PRIVATE-TOKEN", &root);
                async move { (send(request).await.0, 0) }
            })
            .await
        };
        let bare_get = {
            let (client, url) = (client.clone(), bare_url.clone());
            load::closed(1, knobs.phase, None, move |_, _| {
                let request = client.get(&url);
                async move { (send(request).await.0, 0) }
            })
            .await
        };
        rows.push(
            Row::new(
                format!(
                    "(f) GET /runners/all + filters, {} SQL-cloned runners (in {:.1} s)",
                    knobs.runners,
                    seeded_in.as_secs_f64()
                ),
                format!(
                    "p50 {:.2} ms, p99 {:.2} ms ({})",
                    list.quantile_ms(0.5),
                    list.quantile_ms(0.99),
                    list.status_summary()
                ),
            )
            .baseline(
                format!(
                    "p50 {:.2} ms, p99 {:.2} ms",
                    bare_get.quantile_ms(0.5),
                    bare_get.quantile_ms(0.99)
                ),
                list.quantile_ms(0.99) / bare_get.quantile_ms(0.99),
            )
            .target("p99 ≤ 20 ms", list.quantile_ms(0.99) <= 20.0)
            .client(list.client_cores()),
        );
    }

    if knobs.runs('g') {
        // (g) mixed runner traffic at a fixed rate: server CPU.
        eprintln!("{label}: (g) mixed traffic");
        let rate = knobs.rate;
        let bare_cpu_before = bare.cpu_seconds();
        let bare_mixed = load::open(rate, knobs.phase, bare_step()).await;
        let bare_cores = (bare.cpu_seconds() - bare_cpu_before) / bare_mixed.elapsed.as_secs_f64();
        let cpu_before = paddock.served.cpu_seconds();
        let mixed = {
            let polls = poll(without);
            let appends = append_step(
                paddock,
                jobs.clone(),
                2 * third,
                actix_web::web::Bytes::from(vec![b'y'; 4 * 1024]),
            );
            let update_jobs = jobs.clone();
            let (client, api) = (client.clone(), paddock.api(""));
            let step = Arc::new((polls, appends));
            load::open(rate, knobs.phase, move |_, seq| {
                let step = step.clone();
                let (client, api, jobs) = (client.clone(), api.clone(), update_jobs.clone());
                async move {
                    match seq % 20 {
                        0..16 => (step.0)(0, seq).await,
                        16..19 => (step.1)(seq as usize % 16, seq).await,
                        _ => {
                            let job = &jobs[seq as usize % jobs.len()];
                            let request = client
                                .put(format!("{api}/jobs/{}", job.id))
                                .header("JOB-TOKEN", &job.token)
                                .header("Content-Type", "application/json")
                                .body(r#"{"state":"running"}"#);
                            (send(request).await.0, 0)
                        }
                    }
                }
            })
            .await
        };
        let cores = (paddock.served.cpu_seconds() - cpu_before) / mixed.elapsed.as_secs_f64();
        let machine = crate::baseline::workers() as f64;
        rows.push(
            Row::new(
                format!("(g) mixed 80/15/5 at {rate:.0} req/s"),
                format!(
                    "{:.2} cores = {:.0}% of {machine:.0} (served {:.0} req/s; p99 {:.1} ms; {})",
                    cores,
                    cores / machine * 100.0,
                    mixed.rate(),
                    mixed.quantile_ms(0.99),
                    mixed.status_summary()
                ),
            )
            .baseline(format!("{bare_cores:.2} cores"), cores / bare_cores)
            .target(
                "≤ 50% of the cores, at the rate",
                cores <= machine / 2.0 && mixed.rate() >= 0.95 * rate,
            )
            .client(mixed.client_cores()),
        );
    }
    Ok(rows)
}

/// `PATCH /jobs/:id/trace` of `data` at the job's end; worker `w` appends to job
/// `first + w`, one append at a time per job. Counts the bytes of 202 answers.
fn append_step(
    paddock: &Paddock,
    jobs: Arc<Vec<TakenJob>>,
    first: usize,
    data: actix_web::web::Bytes,
) -> impl Fn(usize, u64) -> std::pin::Pin<Box<dyn Future<Output = (u16, u64)> + Send>>
+ Send
+ Sync
+ 'static {
    let (client, api) = (paddock.client.clone(), paddock.api(""));
    move |worker, _| {
        let (client, api, jobs, data) = (client.clone(), api.clone(), jobs.clone(), data.clone());
        Box::pin(async move {
            let job = &jobs[(first + worker) % jobs.len()];
            let mut offset = job.offset.lock().await;
            let len = data.len() as u64;
            let request = client
                .patch(format!("{api}/jobs/{}/trace", job.id))
                .header("JOB-TOKEN", &job.token)
                .header("Content-Type", "text/plain")
                .header(
                    "Content-Range",
                    format!("{}-{}", *offset, *offset + len - 1),
                )
                .body(data);
            let status = send(request).await.0;
            if status == 202 {
                *offset += len;
                (status, len)
            } else {
                (status, 0)
            }
        })
    }
}
