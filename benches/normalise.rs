//! Throughput of the per-value normalisers (values/second), on realistic generated values.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use simaudit::ident::{date, id, phone, DateOrder};
use simaudit::text::{self, ToneStyle};

fn names() -> Vec<String> {
    let surnames = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ",
    ];
    let middles = ["Văn", "Thị", "Đức", "Ngọc", "Hữu", "Minh", "Thanh"];
    let given = [
        "Hùng", "Hoà", "Thuỷ", "Lan", "Nam", "Bắc", "Khoẻ", "Quý", "Tuấn", "Dũng", "Hương", "Ánh",
    ];
    let mut out = Vec::new();
    for (i, s) in surnames.iter().enumerate() {
        for (j, m) in middles.iter().enumerate() {
            for (k, g) in given.iter().enumerate() {
                let name = format!("{s} {m} {g}");
                out.push(match (i + j + k) % 4 {
                    0 => name.to_uppercase(),
                    1 => format!("  {name} "),
                    _ => name,
                });
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let names = names();
    let mut g = c.benchmark_group("normalise");
    g.throughput(Throughput::Elements(names.len() as u64));
    g.bench_function(BenchmarkId::new("canonical_name", names.len()), |b| {
        b.iter(|| {
            names
                .iter()
                .map(|n| text::canonical_name(n, ToneStyle::Old).len())
                .sum::<usize>()
        })
    });
    g.bench_function(BenchmarkId::new("name_key", names.len()), |b| {
        b.iter(|| names.iter().map(|n| text::name_key(n).len()).sum::<usize>())
    });
    g.bench_function(BenchmarkId::new("repair_detect", names.len()), |b| {
        b.iter(|| names.iter().filter(|n| text::repair(n).is_some()).count())
    });

    let ids: Vec<String> = (0..1000u64)
        .map(|i| format!("0330{:02}{:06}", 85 + i % 10, i * 7919 % 1_000_000))
        .collect();
    g.throughput(Throughput::Elements(ids.len() as u64));
    g.bench_function("id_analyse", |b| {
        b.iter(|| {
            ids.iter()
                .map(|v| id::analyse(v, None).problems.iter().count())
                .sum::<usize>()
        })
    });

    let phones: Vec<String> = (0..1000u64)
        .map(|i| match i % 4 {
            0 => format!("09{:08}", i * 104_729 % 100_000_000),
            1 => format!("+84 9{:02} {:03} {:03}", i % 100, i % 1000, (i * 7) % 1000),
            2 => format!("0166{:07}", i * 31),
            _ => format!("09{:02}.{:03}.{:03}", i % 100, i % 1000, (i * 3) % 1000),
        })
        .collect();
    g.bench_function("msisdn_parse", |b| {
        b.iter(|| phones.iter().filter(|p| phone::parse(p).valid()).count())
    });
    // What the pipeline runs per raw number: no normalised text made.
    g.bench_function("msisdn_read", |b| {
        b.iter(|| phones.iter().filter(|p| phone::read(p).value != 0).count())
    });

    let dates: Vec<String> = (0..1000u32)
        .map(|i| {
            format!(
                "{:02}/{:02}/{} {:02}:{:02}",
                1 + i % 28,
                1 + i % 12,
                1950 + i % 70,
                i % 24,
                i % 60
            )
        })
        .collect();
    g.bench_function("date_parse", |b| {
        b.iter(|| {
            dates
                .iter()
                .filter(|d| date::parse(d, DateOrder::Dmy).is_ok())
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
