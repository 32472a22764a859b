//! The printed result: one row per figure, with its baseline, ratio and target.

use std::path::Path;

use crate::Knobs;

/// One line of a table.
#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: String,
    pub figure: String,
    pub baseline: String,
    pub ratio: String,
    pub target: String,
    /// `None`: no target, or not measured.
    pub met: Option<bool>,
    /// The bench process's CPU during the measurement, in cores.
    pub client: String,
}

impl Row {
    pub fn new(scenario: impl Into<String>, figure: impl Into<String>) -> Self {
        Self {
            scenario: scenario.into(),
            figure: figure.into(),
            baseline: "—".into(),
            ratio: "—".into(),
            target: "—".into(),
            met: None,
            client: "—".into(),
        }
    }

    pub fn baseline(mut self, text: impl Into<String>, ratio: f64) -> Self {
        self.baseline = text.into();
        self.ratio = if ratio.is_finite() {
            format!("{ratio:.2}")
        } else {
            "—".into()
        };
        self
    }

    pub fn target(mut self, text: impl Into<String>, met: bool) -> Self {
        self.target = text.into();
        self.met = Some(met);
        self
    }

    pub fn client(mut self, cores: f64) -> Self {
        self.client = format!("{cores:.2}");
        self
    }
}

pub fn print_header(knobs: &Knobs, paddock: &Path) {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "paddock-bench: {} run, {} build of {}",
        if knobs.smoke { "smoke" } else { "full" },
        if crate::process::is_release() {
            "release"
        } else {
            "DEBUG (figures not meaningful)"
        },
        paddock.display()
    );
    println!(
        "  cpus {}, load average {}, phase {:.1} s, {} connections, {} pending jobs per dispatch \
         run, {} runners listed, mixed traffic at {} req/s",
        crate::baseline::workers(),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        knobs.phase.as_secs_f64(),
        knobs.connections,
        knobs.jobs,
        knobs.runners,
        knobs.rate,
    );
}

pub fn print(label: &str, rows: &[Row]) {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "\n## {label} (load average after the run: {})\n",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let headers = [
        "scenario",
        "figure",
        "baseline",
        "ratio",
        "target",
        "met?",
        "client CPU",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.scenario.clone(),
                r.figure.clone(),
                r.baseline.clone(),
                r.ratio.clone(),
                r.target.clone(),
                match r.met {
                    Some(true) => "yes".into(),
                    Some(false) => "NO".into(),
                    None => "—".into(),
                },
                r.client.clone(),
            ]
        })
        .collect();
    let mut widths = headers.map(|h| h.chars().count());
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        println!("| {} |", padded.join(" | "));
    };
    line(headers.to_vec());
    println!(
        "|{}|",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("|")
    );
    for row in &cells {
        line(row.iter().map(String::as_str).collect());
    }
}
