//! The Parquet outputs, subscriptions.parquet and findings.parquet, written row group by row group
//! through polars' Parquet encoder at the Arrow level: a column the table already holds as codes
//! reaches the file as a dictionary of those codes, instead of being spelled out row by row and then
//! hashed back into a dictionary by the encoder.
//! Columns are encoded and compressed on the thread pool, one row group at a time.

use super::summary::RowMarks;
use super::write::{BlockWriter, FindingBlock, FINDING_COLUMNS};
use crate::error::{Error, Result};
use crate::pipeline::Checked;
use crate::rules::RuleCode;
use crate::schema::{PointType, Status, SubscriberType};
use polars::prelude::*;
use polars_arrow::array::{
    BooleanArray, DictionaryArray, ListArray, MutableUtf8ValuesArray, PrimitiveArray, Utf8Array,
    LIST_VALUES_NAME,
};
use polars_arrow::datatypes::IntegerType;
use polars_arrow::offset::OffsetsBuffer;
use polars_parquet::write::{
    array_to_columns, fallible_streaming_iterator, get_dtype_encoding, to_parquet_type,
    CompressedDataPage, CompressedPage, CompressionOptions, DynIter, DynStreamingIterator,
    Encoding, FileWriter, Page, StatisticsOptions, Version, WriteOptions, ZstdLevel,
};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Rows per Parquet row group; SIMAUDIT_PARQUET_CHUNK_ROWS overrides it (tests use it to force several
/// groups). Row groups are built and written one at a time, so memory stays bounded by one group (a
/// few hundred MB), not the whole output.
pub(crate) fn group_rows() -> usize {
    std::env::var("SIMAUDIT_PARQUET_CHUNK_ROWS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1 << 16)
}

/// One row group: Arrow columns in file order, each with its field (name and the type readers see).
pub struct RowGroup {
    rows: usize,
    fields: Vec<ArrowField>,
    columns: Vec<Column>,
}

/// One column of a row group: its values, its Parquet encoding and how its pages are compressed.
struct Column {
    array: ArrayRef,
    encoding: Vec<Encoding>,
    matches: Matches,
}

/// What zstd can expect to find in a column's pages. A thread keeps a zstd context for each kind, at
/// the kind's place in this list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Matches {
    /// Repeated byte strings, as in most columns (dictionary pages, keys, dates, prose).
    Usual,
    /// Few matches: phone and ID numbers, whose size comes from the few symbols they use. A small
    /// match table stays in the core's cache and compresses them about as small, in less time.
    Rare,
}

impl Matches {
    /// How many kinds there are (the last one's place, plus one).
    const KINDS: usize = Matches::Rare as usize + 1;
}

impl RowGroup {
    pub fn new(rows: usize) -> RowGroup {
        RowGroup {
            rows,
            fields: Vec::new(),
            columns: Vec::new(),
        }
    }

    /// Adds a column; `nullable` is false for text, which is never null (an empty value is an empty
    /// string): a required column has no definition levels to compute and store.
    fn push(
        &mut self,
        name: &str,
        dtype: ArrowDataType,
        array: ArrayRef,
        encoding: Vec<Encoding>,
        nullable: bool,
        matches: Matches,
    ) {
        self.fields
            .push(ArrowField::new(name.into(), dtype, nullable));
        self.columns.push(Column {
            array,
            encoding,
            matches,
        });
    }

    /// A column of integers, flags, dates, times or lists, encoded as polars' own writer would. Callers
    /// give arrays of the oldest Arrow types (large_list of large_string, date32, timestamp[ms]), the
    /// ones every reader maps: the newest (string_view) make pandas and older Arrow readers fail.
    fn arrow(&mut self, name: &str, array: ArrayRef) {
        let dtype = array.dtype().clone();
        let encoding = get_dtype_encoding(&dtype);
        self.push(name, dtype, array, encoding, true, Matches::Usual);
    }

    /// Text whose values are mostly distinct but share words (findings' details): written plain,
    /// since a dictionary would not pay and even trying costs a pass over the values.
    fn prose<'a>(&mut self, name: &str, values: impl Iterator<Item = &'a str>) {
        let array = Utf8Array::<i64>::from_iter_values(values);
        self.push(
            name,
            ArrowDataType::LargeUtf8,
            array.boxed(),
            vec![Encoding::Plain],
            false,
            Matches::Usual,
        );
    }

    /// Phone or ID numbers (normalised or as written, masked or not), one for each of `rows`, which
    /// `push` adds to the column. Written as their lengths (delta-coded), then the values back to back,
    /// instead of each after its own four-byte length as plain encoding does: zstd then reads fewer
    /// bytes, finds fewer useless matches and makes a smaller file.
    fn numbers(
        &mut self,
        name: &str,
        rows: std::ops::Range<usize>,
        mut push: impl FnMut(&mut MutableUtf8ValuesArray<i64>, usize),
    ) {
        // Room for an ID card's 12 digits a value (a phone number has 10), so that filling the
        // column seldom grows, and copies, its buffer.
        let mut values = MutableUtf8ValuesArray::with_capacities(rows.len(), rows.len() * 12);
        for i in rows {
            push(&mut values, i);
        }
        let array: Utf8Array<i64> = values.into();
        self.push(
            name,
            ArrowDataType::LargeUtf8,
            array.boxed(),
            vec![Encoding::DeltaLengthByteArray],
            false,
            Matches::Rare,
        );
    }

    /// Text given as codes with the value of each code (a table's dictionary-coded column): written
    /// as a dictionary of the values this group uses, in order of first use.
    pub fn coded<V: AsRef<str>>(
        &mut self,
        name: &str,
        codes: impl Iterator<Item = u32>,
        value: impl Fn(u32) -> V,
    ) -> PolarsResult<()> {
        self.dictionary(name, &GroupCodes::of(codes), value)
    }

    /// A dictionary column of the codes `group` gives, the value of each code from `value`: several
    /// columns of the same codes (a name raw, canonical and as a key) share one `group`.
    fn dictionary<V: AsRef<str>>(
        &mut self,
        name: &str,
        group: &GroupCodes,
        value: impl Fn(u32) -> V,
    ) -> PolarsResult<()> {
        let values = Utf8Array::<i64>::from_iter_values(group.used.iter().map(|&c| value(c)));
        let dtype = ArrowDataType::Dictionary(
            IntegerType::UInt32,
            Box::new(ArrowDataType::LargeUtf8),
            false,
        );
        let array = DictionaryArray::<u32>::try_new(dtype, group.keys.clone(), values.boxed())?;
        self.push(
            name,
            ArrowDataType::LargeUtf8,
            array.boxed(),
            vec![Encoding::RleDictionary],
            false,
            Matches::Usual,
        );
        Ok(())
    }

    /// A column of a small enum (a status, a type), each value written as `text` gives it: coded by
    /// the few values seen, compared as values instead of hashed as texts. The dictionary is in order
    /// of first use, as [`RowGroup::repeated_text`] makes it.
    pub fn few<T: Copy + PartialEq>(
        &mut self,
        name: &str,
        values: impl Iterator<Item = T>,
        text: impl Fn(T) -> &'static str,
    ) -> PolarsResult<()> {
        let mut seen: Vec<T> = Vec::new();
        let keys: Vec<u32> = values
            .map(|v| match seen.iter().position(|s| *s == v) {
                Some(c) => c as u32,
                None => {
                    seen.push(v);
                    seen.len() as u32 - 1
                }
            })
            .collect();
        // The keys are already in order of first use: each value is its own code.
        let group = GroupCodes {
            keys: PrimitiveArray::from_vec(keys),
            used: (0..seen.len() as u32).collect(),
        };
        self.dictionary(name, &group, |c| text(seen[c as usize]))
    }

    /// Text with few distinct values given as strings (codes such as a rule or a status): written
    /// as a dictionary. A value equal to the one before it costs one comparison.
    pub fn repeated_text<'a>(
        &mut self,
        name: &str,
        values: impl Iterator<Item = &'a str>,
    ) -> PolarsResult<()> {
        let mut seen: FxHashMap<&'a str, u32> = FxHashMap::default();
        let mut by_code: Vec<&'a str> = Vec::new();
        let mut last: Option<(&'a str, u32)> = None;
        let codes: Vec<u32> = values
            .map(|v| match last {
                Some((l, code)) if l == v => code,
                _ => {
                    let code = *seen.entry(v).or_insert_with(|| {
                        by_code.push(v);
                        by_code.len() as u32 - 1
                    });
                    last = Some((v, code));
                    code
                }
            })
            .collect();
        self.coded(name, codes.into_iter(), |c| by_code[c as usize])
    }
}

/// A group's codes of one column as dictionary keys: `keys[row]` indexes `used`, the codes in order
/// of first use.
struct GroupCodes {
    keys: PrimitiveArray<u32>,
    used: Vec<u32>,
}

impl GroupCodes {
    fn of(codes: impl Iterator<Item = u32>) -> GroupCodes {
        thread_local! {
            /// Code → its key in the group being built (u32::MAX: not used yet). Codes are dense, so
            /// a vector, not a hash map; kept from group to group, since a column with millions of
            /// distinct values would otherwise allocate and clear one that long for every group.
            static KEYS_OF: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let mut used: Vec<u32> = Vec::new();
        let keys: Vec<u32> = KEYS_OF.with_borrow_mut(|keys_of| {
            let keys = codes
                .map(|code| {
                    let c = code as usize;
                    if c >= keys_of.len() {
                        keys_of.resize(c + 1, u32::MAX);
                    }
                    if keys_of[c] == u32::MAX {
                        keys_of[c] = used.len() as u32;
                        used.push(code);
                    }
                    keys_of[c]
                })
                .collect();
            for &c in &used {
                keys_of[c as usize] = u32::MAX;
            }
            keys
        });
        GroupCodes {
            keys: PrimitiveArray::from_vec(keys),
            used,
        }
    }
}

/// A Parquet file written row group by row group, possibly over several calls (a sharded run appends
/// each shard's rows); it appears under its name only when finished.
pub struct ParquetSink {
    path: PathBuf,
    tmp: PathBuf,
    file: File,
    writer: Option<FileWriter<BufWriter<File>>>,
}

fn options() -> WriteOptions {
    WriteOptions {
        // What polars' own writer writes by default: min, max and null count per column chunk.
        statistics: StatisticsOptions::default(),
        // The pages are compressed by [`compress`], each naming its codec; the writer reads this
        // only for version 2 pages, which these files do not have.
        compression: CompressionOptions::Zstd(ZstdLevel::try_new(ZSTD_LEVEL).ok()),
        version: Version::V1,
        data_page_size: None,
    }
}

/// The compressed pages of every leaf column of `group`, in file order; columns side by side.
fn encode(group: &RowGroup) -> PolarsResult<Vec<Vec<CompressedPage>>> {
    let options = options();
    let per_column: Vec<Vec<Vec<CompressedPage>>> = group
        .fields
        .par_iter()
        .zip(&group.columns)
        .map(|(field, column)| {
            array_to_columns(
                &column.array,
                to_parquet_type(field)?,
                options,
                &column.encoding,
            )?
            .into_iter()
            .map(|pages| {
                pages
                    .map(|page| compress(page?, column.matches))
                    .collect::<PolarsResult<Vec<CompressedPage>>>()
            })
            .collect()
        })
        .collect::<PolarsResult<_>>()?;
    Ok(per_column.into_iter().flatten().collect())
}

/// zstd's level for the Parquet outputs: faster levels made bigger files that took as long to write,
/// and the default level 3 no smaller ones (benches/README.md). polars' own level type accepts only
/// 1–22.
const ZSTD_LEVEL: i32 = 1;

/// log2 of the entries of zstd's match table for the pages of [`Matches::Rare`] columns (smaller
/// than level 1's own; benches/README.md).
const RARE_MATCHES_HASH_LOG: u32 = 10;

/// Compresses one encoded page with zstd, as its column's `matches` suggest. Done here rather than
/// by the encoder's own `compress`, which makes a new zstd context for every page and zero-fills each
/// output buffer first: each thread keeps one context of each kind for the whole run.
fn compress(page: Page, matches: Matches) -> PolarsResult<CompressedPage> {
    use polars_parquet::parquet::compression::Compression;
    use polars_parquet::parquet::page::{CompressedDictPage, DataPageHeader};
    use polars_parquet::parquet::CowBuffer;
    type Context = Option<zstd::bulk::Compressor<'static>>;
    thread_local! {
        /// A context for each kind of [`Matches`], in the enum's order.
        static ZSTD: std::cell::RefCell<[Context; Matches::KINDS]> =
            const { std::cell::RefCell::new([const { None }; Matches::KINDS]) };
    }
    let squeeze = |input: &[u8]| -> PolarsResult<Vec<u8>> {
        ZSTD.with_borrow_mut(|contexts| {
            let slot = &mut contexts[matches as usize];
            let z = match slot {
                Some(z) => z,
                None => {
                    let mut z = zstd::bulk::Compressor::new(ZSTD_LEVEL)?;
                    if matches == Matches::Rare {
                        z.set_parameter(zstd::zstd_safe::CParameter::HashLog(
                            RARE_MATCHES_HASH_LOG,
                        ))?;
                    }
                    slot.insert(z)
                }
            };
            let mut out = Vec::with_capacity(zstd::zstd_safe::compress_bound(input.len()));
            z.compress_to_buffer(input, &mut out)?;
            Ok(out)
        })
        .map_err(|e: std::io::Error| PolarsError::ComputeError(e.to_string().into()))
    };
    Ok(match page {
        // A version 2 page keeps its levels uncompressed: left to the encoder's own `compress` (these
        // files are written as version 1, see `options`).
        Page::Data(page) if !matches!(page.header(), DataPageHeader::V1(_)) => {
            polars_parquet::write::compress(Page::Data(page), Vec::new(), options().compression)?
        }
        // Version 1: levels and values are compressed together.
        Page::Data(page) => {
            let out = squeeze(page.buffer())?;
            let rows = page.num_rows().ok_or_else(|| {
                PolarsError::ComputeError("a Parquet page without a row count".into())
            })?;
            CompressedPage::Data(CompressedDataPage::new(
                page.header().clone(),
                CowBuffer::Owned(out),
                Compression::Zstd,
                page.buffer().len(),
                page.descriptor.clone(),
                rows,
            ))
        }
        Page::Dict(page) => CompressedPage::Dict(CompressedDictPage::new(
            CowBuffer::Owned(squeeze(&page.buffer)?),
            Compression::Zstd,
            page.buffer.len(),
            page.num_values,
            page.is_sorted,
        )),
    })
}

/// Writes `group` into the file through `writer` (made from the first group, even an empty one, which
/// gives the file its columns).
fn write_group(
    file: &File,
    writer: &mut Option<FileWriter<BufWriter<File>>>,
    group: RowGroup,
) -> PolarsResult<()> {
    let w = match writer {
        Some(w) => w,
        None => writer.insert(FileWriter::try_new(
            BufWriter::with_capacity(1 << 20, file.try_clone()?),
            group.fields.iter().cloned().collect(),
            options(),
        )?),
    };
    if group.rows == 0 {
        return Ok(());
    }
    let pages = encode(&group)?;
    let columns = pages.iter().map(|pages| {
        Ok(DynStreamingIterator::new(
            fallible_streaming_iterator::convert(pages.iter().map(Ok)),
        ))
    });
    w.write(group.rows as u64, DynIter::new(columns))
}

impl ParquetSink {
    pub fn create(path: &Path) -> Result<ParquetSink> {
        let tmp = path.with_extension("parquet.tmp");
        let file = File::create(&tmp).map_err(|e| Error::write(path, e))?;
        Ok(ParquetSink {
            path: path.to_path_buf(),
            tmp,
            file,
            writer: None,
        })
    }

    /// Writes the row groups `produce` sends, as they come: `produce` runs on another thread,
    /// building the next group while this one is encoded and compressed. It should stop when a send
    /// fails.
    pub fn append(
        &mut self,
        produce: impl FnOnce(&dyn Fn(PolarsResult<RowGroup>) -> bool) + Send,
    ) -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let (file, writer) = (&self.file, &mut self.writer);
        let written = std::thread::scope(|scope| {
            scope.spawn(move || produce(&|group| tx.send(group).is_ok()));
            for group in rx {
                write_group(file, writer, group?)?;
            }
            PolarsResult::Ok(())
        });
        written.map_err(|e| self.fail(std::io::Error::other(e)))
    }

    /// Writes one row group, encoded and compressed here.
    pub fn write_group(&mut self, group: RowGroup) -> Result<()> {
        write_group(&self.file, &mut self.writer, group)
            .map_err(|e| self.fail(std::io::Error::other(e)))
    }

    /// Appends `n` rows as groups of [`group_rows`] rows that `group` builds (one empty group when
    /// `n` is 0, so even an empty file has its columns).
    pub fn append_groups(
        &mut self,
        n: usize,
        group: impl Fn(std::ops::Range<usize>) -> PolarsResult<RowGroup> + Sync,
    ) -> Result<()> {
        let rows = group_rows();
        self.append(|send| {
            for start in (0..n.max(1)).step_by(rows) {
                let built = group(start..(start + rows).min(n));
                let failed = built.is_err();
                if !send(built) || failed {
                    break;
                }
            }
        })
    }

    pub fn finish(mut self) -> Result<()> {
        let Some(mut writer) = self.writer.take() else {
            return Err(self.fail(std::io::Error::other("no rows were built")));
        };
        let done = writer
            .end(None)
            .map_err(std::io::Error::other)
            .and_then(|_| writer.into_inner().flush())
            .and_then(|_| self.file.sync_all())
            .and_then(|_| std::fs::rename(&self.tmp, &self.path));
        done.map_err(|e| self.fail(e))
    }

    fn fail(&self, e: std::io::Error) -> Error {
        let _ = std::fs::remove_file(&self.tmp);
        Error::write(&self.path, e)
    }
}

impl Drop for ParquetSink {
    /// A sink dropped unfinished (a failed run) leaves no half file behind.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// findings.parquet: the columns of findings.csv, `row` as an integer; a row group per block.
pub struct FindingsParquet(ParquetSink);

impl FindingsParquet {
    pub fn create(path: &Path) -> Result<FindingsParquet> {
        ParquetSink::create(path).map(FindingsParquet)
    }
}

impl BlockWriter for FindingsParquet {
    fn name(&self) -> &'static str {
        "findings.parquet"
    }

    fn write(&mut self, block: &FindingBlock) -> Result<()> {
        let group = findings_group(block).map_err(|e| self.0.fail(std::io::Error::other(e)))?;
        self.0.write_group(group)
    }

    fn finish(self: Box<Self>) -> Result<()> {
        self.0.finish()
    }
}

fn findings_group(block: &FindingBlock) -> PolarsResult<RowGroup> {
    let mut group = RowGroup::new(block.len());
    for (c, name) in FINDING_COLUMNS.iter().enumerate() {
        let texts = block.column(c);
        match *name {
            "row" => group.arrow(name, PrimitiveArray::from_slice(block.rows()).boxed()),
            "msisdn" | "id_number" => {
                group.numbers(name, 0..texts.len(), |v, i| v.push(texts.get(i)))
            }
            "detail" => group.prose(name, texts.iter()),
            _ => group.repeated_text(name, texts.iter())?,
        }
    }
    Ok(group)
}

/// subscriptions.parquet: every accepted row, normalised, with its rule codes.
pub fn subscriptions_parquet(
    path: &Path,
    audit: Checked,
    marks: &RowMarks,
    privacy: &super::Privacy,
) -> Result<()> {
    let mut sink = ParquetSink::create(path)?;
    sink.append_groups(audit.table.len(), |rows| {
        subscriptions_group(audit, marks, privacy, rows)
    })?;
    sink.finish()
}

pub fn subscriptions_group(
    audit: Checked,
    marks: &RowMarks,
    privacy: &super::Privacy,
    rows: std::ops::Range<usize>,
) -> PolarsResult<RowGroup> {
    let t = audit.table;
    let n = audit.norm;
    let mut g = RowGroup::new(rows.len());
    let all = || rows.clone();
    g.coded("file", all().map(|i| u32::from(t.file[i])), |c| {
        audit.files.get(c as usize).map_or("", |f| f.name.as_str())
    })?;
    g.arrow("row", PrimitiveArray::from_slice(&t.row[all()]).boxed());
    g.coded("carrier", all().map(|i| t.carrier.codes[i]), |c| {
        t.carrier.value(c)
    })?;
    g.numbers("msisdn", all(), |v, i| {
        v.push(privacy.msisdn(&n.msisdn_digits(t, i)))
    });
    g.few(
        "subscriber_type",
        all().map(|i| t.subscriber_type[i]),
        SubscriberType::code,
    )?;
    // Names repeat (and their canonical form and key follow from the raw name): dictionaries of the
    // raw name's code, which also compress better than the spelled-out values. The three name
    // columns share the group's keys.
    let names = GroupCodes::of(all().map(|i| t.full_name.codes[i]));
    g.dictionary("full_name", &names, |c| {
        privacy.name(&n.name_facts(c).canonical)
    })?;
    // A date of birth as a date (1 January when only the year is known), and how much of it is
    // known beside it: readers get a real date type, and nothing pretends to more than was read.
    let epoch = crate::ident::Date::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let days = |w: crate::ident::When| (w.date() - epoch).num_days() as i32;
    let births: Vec<Option<crate::ident::When>> = all()
        .map(|i| t.date_of_birth[i].value().map(|w| privacy.birth(w)))
        .collect();
    g.arrow(
        "date_of_birth",
        PrimitiveArray::<i32>::from_iter(births.iter().map(|w| w.map(days)))
            .to(ArrowDataType::Date32)
            .boxed(),
    );
    g.few(
        "date_of_birth_precision",
        births.iter().map(|w| w.map(|w| w.precision)),
        |p| p.map_or("", |p| p.code()),
    )?;
    let shows_sex = privacy.shows_sex();
    g.few(
        "gender",
        all().map(|i| t.gender[i].filter(|_| shows_sex)),
        |s| s.map_or("", |s| s.code()),
    )?;
    g.few("id_type", all().map(|i| n.id_kind(t, i)), |k| {
        k.map_or("", |k| k.code())
    })?;
    g.numbers("id_number", all(), |v, i| {
        v.push(privacy.id(n.id_text(t, i)))
    });
    g.arrow(
        "id_issue_date",
        PrimitiveArray::<i32>::from_iter(all().map(|i| {
            t.id_issue_date[i]
                .value()
                .and_then(|w| privacy.issue_date(w))
                .map(days)
        }))
        .to(ArrowDataType::Date32)
        .boxed(),
    );
    g.coded(
        "id_issue_place",
        all().map(|i| t.id_issue_place.codes[i]),
        |c| t.id_issue_place.value(c),
    )?;
    g.coded(
        "nationality",
        all().map(|i| t.nationality.codes[i]),
        |c| match t.nationality.value(c) {
            "" => "VN",
            other => other,
        },
    )?;
    g.arrow(
        "activation_time",
        PrimitiveArray::<i64>::from_iter(all().map(|i| {
            t.activation_time[i]
                .value()
                .map(|w| privacy.activation(w).at.and_utc().timestamp_millis())
        }))
        .to(ArrowDataType::Timestamp(
            polars_arrow::datatypes::TimeUnit::Millisecond,
            None,
        ))
        .boxed(),
    );
    g.few("status", all().map(|i| t.status[i]), Status::code)?;
    g.coded("point_id", all().map(|i| t.point_id.codes[i]), |c| {
        t.point_id.value(c)
    })?;
    g.coded("point_name", all().map(|i| t.point_name.codes[i]), |c| {
        t.point_name.value(c)
    })?;
    g.few(
        "point_type",
        all().map(|i| t.point_type[i]),
        PointType::code,
    )?;
    g.coded("district", all().map(|i| t.district.codes[i]), |c| {
        t.district.value(c)
    })?;
    g.dictionary("name_key", &names, |c| privacy.name(&n.name_facts(c).key))?;
    g.numbers("msisdn_raw", all(), |v, i| {
        v.push(privacy.msisdn(t.msisdn.get(i)))
    });
    g.numbers("id_number_raw", all(), |v, i| {
        v.push(privacy.raw_id(t.id_number.get(i)))
    });
    g.dictionary("full_name_raw", &names, |c| {
        privacy.name(t.full_name.value(c))
    })?;
    let (violation, warning) = super::summary::severity_masks(audit.rules);
    let masks = &marks.rules[all()];
    g.arrow("rules", rule_lists(masks)?.boxed());
    let flagged = masks.iter().map(|m| m & (violation | warning) != 0);
    g.arrow(
        "flagged",
        BooleanArray::from_trusted_len_values_iter(flagged).boxed(),
    );
    // The source's other columns, as they were, under their own headers (`extra_` put before one
    // that an output column already has). Masked runs leave them out: what they hold is unknown,
    // so they cannot be masked.
    if !privacy.is_masked() {
        for (header, column) in &t.extra {
            let mut name = header.clone();
            while g.fields.iter().any(|f| f.name.as_str() == name) {
                name = format!("extra_{name}");
            }
            g.coded(&name, all().map(|i| column.codes[i]), |c| column.value(c))?;
        }
    }
    Ok(g)
}

/// Each row's rule codes as a list, in the registry's order (a code's bit in a mask is its place in
/// the registry, as [`RowMarks`] sets it).
fn rule_lists(masks: &[crate::rules::registry::RuleMask]) -> PolarsResult<ListArray<i64>> {
    let mut offsets: Vec<i64> = Vec::with_capacity(masks.len() + 1);
    let mut codes = MutableUtf8ValuesArray::<i64>::new();
    offsets.push(0);
    for &mask in masks {
        for bit in crate::rules::registry::set_bits(mask) {
            let code = RuleCode::ALL
                .get(bit)
                .ok_or_else(|| PolarsError::ComputeError("a rule mask bit with no rule".into()))?;
            codes.push(code.code());
        }
        offsets.push(codes.len() as i64);
    }
    let codes: Utf8Array<i64> = codes.into();
    // The type polars gives a list of texts at its oldest Arrow level (see `RowGroup::arrow`).
    let dtype = ArrowDataType::LargeList(Box::new(ArrowField::new(
        LIST_VALUES_NAME,
        ArrowDataType::LargeUtf8,
        true,
    )));
    ListArray::try_new(
        dtype,
        OffsetsBuffer::try_from(offsets)?,
        codes.boxed(),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(lists: &ListArray<i64>, row: usize) -> Vec<String> {
        let values = lists.value(row);
        let values = values.as_any().downcast_ref::<Utf8Array<i64>>().unwrap();
        values.values_iter().map(str::to_string).collect()
    }

    #[test]
    fn rule_lists_follow_the_registry() {
        let last = RuleCode::ALL.len() - 1;
        let masks = [0, 1 | 1 << 3 | 1 << last, 1 << last, 0];
        let lists = rule_lists(&masks).unwrap();
        assert_eq!(lists.len(), 4);
        assert!(listed(&lists, 0).is_empty());
        assert_eq!(
            listed(&lists, 1),
            [RuleCode::ALL[0], RuleCode::ALL[3], RuleCode::ALL[last]].map(|r| r.code().to_string())
        );
        assert_eq!(listed(&lists, 2), [RuleCode::ALL[last].code()]);
        assert!(listed(&lists, 3).is_empty());
        assert_eq!(lists.offsets().as_slice(), &[0, 0, 3, 4, 4]);
        // A bit no rule has is an error, not a panic nor a code dropped in silence.
        if let Some(unknown) = 1u64.checked_shl(RuleCode::ALL.len() as u32) {
            assert!(rule_lists(&[unknown]).is_err());
        }
    }

    #[test]
    fn rare_and_usual_pages_decompress_to_what_was_encoded() {
        let mut g = RowGroup::new(3);
        g.numbers("msisdn", 0..3, |v, i| {
            v.push(["0912345678", "", "0398765432"][i])
        });
        g.prose("detail", ["a b", "a b c", ""].into_iter());
        let mut checked = 0;
        for (field, column) in g.fields.iter().zip(&g.columns) {
            let pages = array_to_columns(
                &column.array,
                to_parquet_type(field).unwrap(),
                options(),
                &column.encoding,
            )
            .unwrap();
            for page in pages.into_iter().flatten() {
                let page = page.unwrap();
                let Page::Data(data) = &page else { continue };
                checked += 1;
                let raw = data.buffer().to_vec();
                let CompressedPage::Data(mut squeezed) = compress(page, column.matches).unwrap()
                else {
                    panic!("a data page compressed into another kind")
                };
                let bytes: &[u8] = squeezed.slice_mut();
                assert_eq!(zstd::bulk::decompress(bytes, raw.len()).unwrap(), raw);
            }
        }
        assert_eq!(checked, 2, "a data page for each column");
    }
}
