//! Writers for the machine-readable outputs. Every file is written under a temporary name and renamed
//! when complete, so a crash never leaves a half file that looks whole.

pub use super::blocks::{write_blocks, BlockWriter, FindingBlock};
use super::summary::Sheet;
use crate::error::{Error, Result};
use crate::normalize::NumberText;
use crate::pipeline::Checked;
use crate::rules::finding::Finding;
use crate::rules::row::Context;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Write `path` through `fill`, atomically.
pub fn atomic(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<()> {
    let mut file = Staged::create(path)?;
    fill(file.writer()).map_err(|e| file.fail(e))?;
    file.commit()
}

/// A file being written under a temporary name beside `path`, renamed to `path` when complete;
/// removed if dropped before.
pub struct Pending {
    path: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl Pending {
    /// The pending file and its buffered writer.
    pub fn create(path: &Path) -> Result<(Pending, BufWriter<File>)> {
        let tmp: PathBuf = path.with_extension(format!(
            "{}.tmp",
            path.extension().and_then(|e| e.to_str()).unwrap_or("")
        ));
        let file = File::create(&tmp).map_err(|e| Error::write(path, e))?;
        let pending = Pending {
            path: path.to_path_buf(),
            tmp,
            committed: false,
        };
        Ok((pending, BufWriter::with_capacity(1 << 20, file)))
    }

    /// The error `e` met while writing, naming the file.
    pub fn fail(&self, e: std::io::Error) -> Error {
        Error::write(&self.path, e)
    }

    /// Flushes and syncs `w` (the writer [`Pending::create`] gave) and renames the file into place.
    pub fn commit(mut self, mut w: BufWriter<File>) -> Result<()> {
        let done = w
            .flush()
            .and_then(|_| w.get_ref().sync_all())
            .and_then(|_| std::fs::rename(&self.tmp, &self.path));
        done.map_err(|e| self.fail(e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A [`Pending`] file with its writer (dropped first: an unfinished file's last bytes go to the
/// temporary file before it is removed).
pub struct Staged {
    w: BufWriter<File>,
    pending: Pending,
}

impl Staged {
    pub fn create(path: &Path) -> Result<Staged> {
        let (pending, w) = Pending::create(path)?;
        Ok(Staged { pending, w })
    }

    pub fn writer(&mut self) -> &mut BufWriter<File> {
        &mut self.w
    }

    pub fn fail(&self, e: std::io::Error) -> Error {
        self.pending.fail(e)
    }

    pub fn commit(self) -> Result<()> {
        self.pending.commit(self.w)
    }
}

fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(w)
}

fn io(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

pub fn sheet_csv(path: &Path, sheet: &Sheet) -> Result<()> {
    atomic(path, |w| {
        let mut c = csv_writer(w);
        c.write_record(&sheet.columns).map_err(io)?;
        for row in &sheet.rows {
            c.write_record(row.iter().map(|cell| cell.csv()))
                .map_err(io)?;
        }
        c.flush()
    })
}

/// A finding's number: made from its normalised integer (no allocation per finding), its pseudonym
/// (`--mask strict`), or text read back from a shard's findings file.
pub enum NumberCell<'a> {
    Made(NumberText),
    Masked(String),
    Read(&'a str),
}

impl std::ops::Deref for NumberCell<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            NumberCell::Made(n) => n.as_str(),
            NumberCell::Masked(s) => s,
            NumberCell::Read(s) => s,
        }
    }
}

impl<'a> From<&'a str> for NumberCell<'a> {
    fn from(s: &'a str) -> Self {
        NumberCell::Read(s)
    }
}

/// The columns of findings.csv / findings.parquet for one finding.
pub struct FindingRow<'a> {
    pub file: &'a str,
    pub row: u32,
    pub carrier: &'a str,
    pub msisdn: NumberCell<'a>,
    pub subscriber_type: &'a str,
    pub id_type: &'a str,
    pub id_number: std::borrow::Cow<'a, str>,
    pub full_name: std::borrow::Cow<'a, str>,
    pub point_id: &'a str,
    pub rule: &'a str,
    pub severity: &'a str,
    pub detail: std::borrow::Cow<'a, str>,
}

impl FindingRow<'_> {
    /// The texts of the row in [`FINDING_COLUMNS`] order, the row number given as `row` (each writer
    /// writes it its own way).
    pub fn fields<'s>(&'s self, row: &'s str) -> [&'s str; 12] {
        [
            self.file,
            row,
            self.carrier,
            &self.msisdn,
            self.subscriber_type,
            self.id_type,
            &self.id_number,
            &self.full_name,
            self.point_id,
            self.rule,
            self.severity,
            &self.detail,
        ]
    }
}

/// The position of `row` among [`FINDING_COLUMNS`]: each writer writes the row number its own way.
pub const ROW_COLUMN: usize = 1;

pub const FINDING_COLUMNS: [&str; 12] = [
    "file",
    "row",
    "carrier",
    "msisdn",
    "subscriber_type",
    "id_type",
    "id_number",
    "full_name",
    "point_id",
    "rule",
    "severity",
    "detail",
];

/// The output view of a finding (a rejected record has only file, row, rule, severity and detail).
pub fn finding_row<'a>(
    audit: Checked<'a>,
    wording: &Context,
    privacy: &'a super::Privacy,
    f: &'a Finding,
) -> FindingRow<'a> {
    let file = audit.files[f.file as usize].name.as_str();
    let rule = f.rule.code();
    let severity = audit.rules.severity(f.rule).code();
    let Some(i) = f.subject.index().map(|s| s as usize) else {
        return FindingRow {
            file,
            row: f.row,
            carrier: "",
            msisdn: "".into(),
            subscriber_type: "",
            id_type: "",
            id_number: "".into(),
            full_name: "".into(),
            point_id: "",
            rule,
            severity,
            detail: audit.details.of(f, wording),
        };
    };
    let t = audit.table;
    let n = audit.norm;
    let key = n.id_text(t, i);
    FindingRow {
        file,
        row: f.row,
        carrier: t.carrier.get(i),
        // Made from the number (no dictionary lookups: two cache misses a row at 10 M rows).
        msisdn: {
            let number = n.msisdn_digits(t, i);
            match privacy.msisdn(number.as_str()) {
                std::borrow::Cow::Borrowed(_) => NumberCell::Made(number),
                std::borrow::Cow::Owned(masked) => NumberCell::Masked(masked),
            }
        },
        subscriber_type: t.subscriber_type[i].code(),
        id_type: if key.is_empty() && t.id_type[i].is_none() {
            ""
        } else {
            n.id_kind(t, i).map_or("", |k| k.code())
        },
        id_number: privacy.id(key),
        full_name: privacy.name(&n.name_of(t, i).canonical),
        point_id: t.point_id.get(i),
        rule,
        severity,
        detail: privacy.detail(|| audit.details.of(f, wording), key, f.rule),
    }
}

/// The rows of findings.csv in output order, wherever they are kept: made from a run held in memory,
/// or merged from a sharded run's shards' findings files as they are read.
pub trait FindingRows: Sync {
    /// Calls `each` on every row, in order.
    fn visit(
        &self,
        each: &mut dyn FnMut(&FindingRow) -> std::io::Result<()>,
    ) -> std::io::Result<()>;
}

/// The findings of a run held in memory, masked as `privacy` says.
pub struct HeldFindings<'a> {
    pub audit: Checked<'a>,
    pub privacy: &'a super::Privacy,
}

impl FindingRows for HeldFindings<'_> {
    fn visit(
        &self,
        each: &mut dyn FnMut(&FindingRow) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let a = self.audit;
        let wording = Context::for_wording(a.table, a.norm, a.rules);
        for f in a.findings {
            each(&finding_row(a, &wording, self.privacy, f))?;
        }
        Ok(())
    }
}

/// The rows of findings.csv files this run wrote (a sharded run's shards' parts, each in output order,
/// already masked when the run masks), merged into output order: by file, in `files`' order, then
/// row. All findings of one record are in one part, next to each other, in their order.
pub struct MergedFindings<'a> {
    pub parts: &'a [PathBuf],
    pub files: &'a [crate::ingest::SourceFile],
}

impl FindingRows for MergedFindings<'_> {
    fn visit(
        &self,
        each: &mut dyn FnMut(&FindingRow) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let rank: rustc_hash::FxHashMap<&str, usize> = self
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.as_str(), i))
            .collect();
        let named = |k: usize, why: String| {
            std::io::Error::other(format!("{}: {why}", self.parts[k].display()))
        };
        // The parts' buffers are held beside the writers: 8 MiB between them at most, unless there
        // are more than 128 parts.
        let buffer = ((8 << 20) / self.parts.len().max(1)).clamp(64 << 10, 1 << 20);
        let mut readers = Vec::with_capacity(self.parts.len());
        for (k, p) in self.parts.iter().enumerate() {
            let reader = csv::ReaderBuilder::new()
                .buffer_capacity(buffer)
                .from_path(p)
                .map_err(|e| named(k, e.to_string()))?;
            readers.push(reader);
        }
        let mut current = vec![csv::StringRecord::new(); self.parts.len()];
        // Reads part k's next record; its (file rank, row) when there is one.
        let mut next = |k: usize, current: &mut [csv::StringRecord]| {
            let rec = &mut current[k];
            if !readers[k]
                .read_record(rec)
                .map_err(|e| named(k, e.to_string()))?
            {
                return Ok(None);
            }
            let file = rank.get(rec.get(0).unwrap_or("")).copied();
            let row = rec.get(1).and_then(|r| r.parse::<u32>().ok());
            match (file, row) {
                (Some(file), Some(row)) => Ok(Some((file, row))),
                _ => Err(named(
                    k,
                    "a finding with an unknown file or a bad row number".into(),
                )),
            }
        };
        let mut heap = BinaryHeap::with_capacity(self.parts.len());
        for k in 0..self.parts.len() {
            if let Some(at) = next(k, &mut current)? {
                heap.push(Reverse((at, k)));
            }
        }
        while let Some(Reverse((at, k))) = heap.pop() {
            // The record's findings follow each other in its part: taken together.
            loop {
                let rec = &current[k];
                let (file, row) = at;
                let field = |i: usize| rec.get(i).unwrap_or("");
                each(&FindingRow {
                    file: self.files[file].name.as_str(),
                    row,
                    carrier: field(2),
                    msisdn: field(3).into(),
                    subscriber_type: field(4),
                    id_type: field(5),
                    id_number: field(6).into(),
                    full_name: field(7).into(),
                    point_id: field(8),
                    rule: field(9),
                    severity: field(10),
                    detail: field(11).into(),
                })?;
                match next(k, &mut current)? {
                    Some(again) if again == at => {}
                    Some(later) => {
                        heap.push(Reverse((later, k)));
                        break;
                    }
                    None => break,
                }
            }
        }
        Ok(())
    }
}

/// findings.csv (or a shard's part of it) alone.
pub fn findings_csv(path: &Path, findings: &dyn FindingRows) -> Result<()> {
    let csv: Box<dyn BlockWriter> = Box::new(CsvBlocks::create(path)?);
    write_blocks(findings, vec![csv]).map(|_| ())
}

/// findings.csv, written block by block.
pub struct CsvBlocks {
    file: Staged,
    line: Vec<u8>,
}

impl CsvBlocks {
    pub fn create(path: &Path) -> Result<CsvBlocks> {
        let mut file = Staged::create(path)?;
        let mut line = Vec::with_capacity(1024);
        csv_record(&mut line, FINDING_COLUMNS);
        file.writer().write_all(&line).map_err(|e| file.fail(e))?;
        Ok(CsvBlocks { file, line })
    }
}

impl BlockWriter for CsvBlocks {
    fn name(&self) -> &'static str {
        "findings.csv"
    }

    fn write(&mut self, block: &FindingBlock) -> Result<()> {
        // One record at a time into the file's buffered writer.
        for i in 0..block.len() {
            self.line.clear();
            let row = NumberText::of_u32(block.row(i));
            csv_record(&mut self.line, block.fields(i, &row));
            let w = self.file.writer();
            w.write_all(&self.line).map_err(|e| self.file.fail(e))?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<()> {
        self.file.commit()
    }
}

/// Appends one CSV record as the `csv` crate writes it with [`csv_writer`]: a field is quoted only
/// when it holds a comma, a quote or a line break, and its quotes are doubled. Written by hand for
/// findings.csv, which has millions of rows (a general writer's state machine runs per byte).
pub fn csv_record<'f>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = &'f str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let bytes = field.as_bytes();
        if bytes
            .iter()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        {
            out.push(b'"');
            for &b in bytes {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(bytes);
        }
    }
    out.push(b'\n');
}

pub fn rejects_csv(path: &Path, run: super::RunView, privacy: &super::Privacy) -> Result<()> {
    atomic(path, |w| {
        let mut c = csv_writer(w);
        c.write_record(["file", "row", "line", "reason", "raw"])
            .map_err(io)?;
        for r in run.rejects {
            let (row, line) = (r.row.to_string(), r.line.to_string());
            c.write_record([
                run.files[r.file as usize].name.as_str(),
                &row,
                &line,
                &r.reason,
                &privacy.raw_record(&r.raw),
            ])
            .map_err(io)?;
        }
        c.flush()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a shard's findings file with these (file, row, rule) rows, in that order.
    fn part(dir: &Path, name: &str, rows: &[(&str, u32, &str)]) -> PathBuf {
        let path = dir.join(name);
        let mut text = FINDING_COLUMNS.join(",") + "\n";
        for (file, row, rule) in rows {
            text += &format!("{file},{row},VIETTEL,0912345678,individual,CCCD,001089012345,Lê Văn A,P1,{rule},warning,\"a, b\"\n");
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    fn merged(
        parts: &[PathBuf],
        files: &[crate::ingest::SourceFile],
    ) -> std::io::Result<Vec<String>> {
        let mut got = Vec::new();
        MergedFindings { parts, files }.visit(&mut |r| {
            assert_eq!(r.detail, "a, b");
            got.push(format!("{} {} {}", r.file, r.row, r.rule));
            Ok(())
        })?;
        Ok(got)
    }

    #[test]
    fn shards_findings_merge_in_output_order() {
        let dir = tempfile::tempdir().unwrap();
        // Files in the run's order, which is not the order of their names here.
        let files: Vec<crate::ingest::SourceFile> = ["b.csv", "a.csv"]
            .iter()
            .map(|n| crate::ingest::SourceFile {
                name: n.to_string(),
                ..Default::default()
            })
            .collect();
        let parts = [
            part(
                dir.path(),
                "0.csv",
                &[
                    ("b.csv", 2, "ID001"),
                    ("b.csv", 2, "XR001"),
                    ("a.csv", 1, "SB002"),
                ],
            ),
            part(
                dir.path(),
                "1.csv",
                &[
                    ("b.csv", 1, "PS001"),
                    ("b.csv", 10, "ID002"),
                    ("a.csv", 3, "PT001"),
                    ("a.csv", 3, "PT003"),
                ],
            ),
            part(dir.path(), "2.csv", &[]),
        ];
        assert_eq!(
            merged(&parts, &files).unwrap(),
            [
                "b.csv 1 PS001",
                "b.csv 2 ID001",
                "b.csv 2 XR001",
                "b.csv 10 ID002",
                "a.csv 1 SB002",
                "a.csv 3 PT001",
                "a.csv 3 PT003",
            ]
        );
        assert!(merged(&[], &files).unwrap().is_empty());
        // A row of a file the run did not read, or a row that is not a number: an error.
        let unknown = part(dir.path(), "3.csv", &[("c.csv", 1, "ID001")]);
        assert!(merged(&[parts[0].clone(), unknown], &files).is_err());
        let bad = dir.path().join("4.csv");
        std::fs::write(
            &bad,
            FINDING_COLUMNS.join(",") + "\nb.csv,x,,,,,,,,ID001,warning,\n",
        )
        .unwrap();
        assert!(merged(&[bad], &files).is_err());
        assert!(merged(&[dir.path().join("missing.csv")], &files).is_err());
    }

    proptest::proptest! {
        /// The hand-written record is the `csv` crate's, byte for byte.
        #[test]
        fn csv_records_as_the_csv_crate_writes_them(
            fields in proptest::collection::vec("[a,\"\r\n ;]{0,4}|\\PC{0,8}", 1..6)
        ) {
            let mut ours = Vec::new();
            csv_record(&mut ours, fields.iter().map(String::as_str));
            let mut theirs = csv_writer(Vec::new());
            theirs.write_record(&fields).unwrap();
            let theirs = theirs.into_inner().unwrap();
            // The crate writes a record of one empty field as `""`; a findings row is never that.
            if fields != [""] {
                proptest::prop_assert_eq!(ours, theirs);
            }
        }
    }
}
