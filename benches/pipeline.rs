//! Each pipeline stage on a generated extract (rows/second): ingest, normalise, per-row rules,
//! cross-record rules, summaries, and the report writers. The extract is generated once per run into a
//! temporary folder; SIMAUDIT_BENCH_ROWS sets its size (default 200,000 rows).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use simaudit::generate::{generate, GenerateOptions};
use simaudit::ingest::{self, IngestOptions, PointRegistry};
use simaudit::normalize::Normalised;
use simaudit::pipeline::{self, Audit};
use simaudit::report::{self, Formats, Privacy, RowMarks};
use simaudit::rules::finding::Details;
use simaudit::rules::row::{self, Context};
use simaudit::rules::{cross, shipped};
use std::path::PathBuf;

fn bench(c: &mut Criterion) {
    let rows: usize = std::env::var("SIMAUDIT_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let made = generate(&GenerateOptions {
        rows,
        seed: 1,
        carriers: 3,
        out: dir.path().to_path_buf(),
        profile: Default::default(),
    })
    .expect("generate");
    let inputs: Vec<PathBuf> = made
        .files
        .iter()
        .filter(|p| !p.ends_with("points.csv") && !p.ends_with("truth.csv"))
        .cloned()
        .collect();
    let points = PointRegistry::read(&dir.path().join("points.csv")).expect("points");
    let rules = shipped().clone();
    let opts = IngestOptions::default();

    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.throughput(Throughput::Elements(rows as u64));
    g.bench_function("ingest", |b| {
        b.iter(|| ingest::load(&inputs, &opts).expect("load").table.len())
    });
    let loaded = ingest::load(&inputs, &opts).expect("load");
    g.bench_function("normalise", |b| {
        b.iter(|| {
            Normalised::compute(&loaded.table, rules.tone_style)
                .ids
                .len()
        })
    });
    let norm = Normalised::compute(&loaded.table, rules.tone_style);
    // The context decides each distinct name's PS002/PS007 verdicts, and the details go to a new
    // store each time: both are part of the row rules' cost.
    g.bench_function("row_rules", |b| {
        b.iter(|| {
            let details = Details::default();
            row::evaluate(&Context::new(
                &loaded.table,
                &norm,
                &rules,
                Some(&points),
                &details,
            ))
            .len()
        })
    });
    // One store for every iteration: after the first, SB002 and PT001 and any holder rule whose
    // figures are too large find their details already kept, so this measures the rules and the
    // lookups, not the growth of the store.
    let details = Details::default();
    let cx = Context::new(&loaded.table, &norm, &rules, Some(&points), &details);
    g.bench_function("cross_rules", |b| {
        b.iter(|| cross::evaluate(&cx).findings.len())
    });

    let mut audit: Audit =
        pipeline::run(&inputs, &opts, rules.clone(), Some(&points)).expect("run");
    g.bench_function("summaries", |b| {
        b.iter(|| {
            let marks = RowMarks::compute(audit.checked());
            // The summaries take the IDs over the limit: each iteration is given a copy.
            let over_limit = audit.ids_over_limit.clone();
            report::summary::summarise(
                audit.checked(),
                &audit.rejects,
                &marks,
                over_limit,
                &Privacy::Clear,
            )
            .by_point
            .rows
            .len()
        })
    });
    let out = dir.path().join("out");
    // Writing the reports takes the IDs over the limit from the run: each iteration puts them back.
    let over_limit = audit.ids_over_limit.clone();
    for (name, spec) in [
        ("report_csv", "csv"),
        ("report_parquet", "parquet"),
        ("report_xlsx", "xlsx"),
        ("report_html", "html"),
    ] {
        let formats = Formats::parse(spec).expect("formats");
        g.bench_function(name, |b| {
            b.iter(|| {
                audit.ids_over_limit.clone_from(&over_limit);
                report::write_all(
                    &mut audit,
                    &out,
                    formats,
                    &Privacy::Clear,
                    std::time::SystemTime::now(),
                    report::i18n::Lang::Vi,
                )
                .expect("write")
                .1
                .len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
