//! The rows of the findings are made once, a block of consecutive findings at a time, and each block is
//! handed to every findings writer (findings.csv, findings.parquet, report.xlsx's findings sheet) side by
//! side: a row's lookups (name, number, detail, masking) are paid once, not once per file.

use super::write::{FindingRow, FindingRows, FINDING_COLUMNS, ROW_COLUMN};
use crate::error::{Error, Result};
use crate::ingest::Strings;
use rayon::prelude::*;
use std::sync::mpsc;

/// The output rows of consecutive findings, column by column (the `row` column as numbers apart).
pub struct FindingBlock {
    columns: Vec<Strings>,
    rows: Vec<u32>,
}

impl Default for FindingBlock {
    fn default() -> FindingBlock {
        FindingBlock {
            columns: vec![Strings::default(); FINDING_COLUMNS.len()],
            rows: Vec::new(),
        }
    }
}

impl FindingBlock {
    pub fn push(&mut self, r: &FindingRow) {
        for (c, (column, value)) in self.columns.iter_mut().zip(r.fields("")).enumerate() {
            if c != ROW_COLUMN {
                column.push(value);
            }
        }
        self.rows.push(r.row);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row number of row `i`.
    pub fn row(&self, i: usize) -> u32 {
        self.rows[i]
    }

    pub fn rows(&self) -> &[u32] {
        &self.rows
    }

    /// Column `c` of [`FINDING_COLUMNS`] (empty for the row number: see [`FindingBlock::rows`]).
    pub fn column(&self, c: usize) -> &Strings {
        &self.columns[c]
    }

    /// The texts of row `i` in [`FINDING_COLUMNS`] order, its row number given as `row` (each writer
    /// writes it its own way).
    pub fn fields<'s>(&'s self, i: usize, row: &'s str) -> [&'s str; 12] {
        std::array::from_fn(|c| {
            if c == ROW_COLUMN {
                row
            } else {
                self.columns[c].get(i)
            }
        })
    }

    /// Empty, its room kept for the next block.
    fn clear(&mut self) {
        self.columns.iter_mut().for_each(Strings::clear);
        self.rows.clear();
    }
}

/// One file made from the findings' rows, a block at a time.
pub trait BlockWriter: Send {
    /// The file's name among the outputs.
    fn name(&self) -> &'static str;
    fn write(&mut self, block: &FindingBlock) -> Result<()>;
    /// Completes the file and moves it into place.
    fn finish(self: Box<Self>) -> Result<()>;
}

/// Rows per block: a findings.parquet row group.
pub fn rows_per_block() -> usize {
    super::parquet::group_rows()
}

/// Makes the rows of `findings` in blocks and hands each block to every writer, side by side; then
/// finishes every writer. The next block is made (on a thread of its own) while the writers write
/// this one: two blocks are held at once. Returns each writer's name and the seconds of its own work
/// (the rows are made once for all of them). Every writer gets at least one block, empty when there
/// are no findings.
pub fn write_blocks<'w>(
    findings: &dyn FindingRows,
    mut writers: Vec<Box<dyn BlockWriter + 'w>>,
) -> Result<Vec<(String, f64)>> {
    let per_block = rows_per_block();
    let mut seconds = vec![0.0; writers.len()];
    // Full blocks go to the writers; written ones come back to be filled again.
    let (full_tx, full_rx) = mpsc::sync_channel::<FindingBlock>(0);
    let (empty_tx, empty_rx) = mpsc::channel::<FindingBlock>();
    let (read, written) = std::thread::scope(|scope| {
        let maker = scope.spawn(move || {
            let mut block = FindingBlock::default();
            let mut handed = false;
            let read = findings.visit(&mut |r| {
                block.push(r);
                if block.len() == per_block {
                    let next = empty_rx.try_recv().unwrap_or_default();
                    // A closed channel: the writers failed; stop reading.
                    full_tx
                        .send(std::mem::replace(&mut block, next))
                        .map_err(|_| std::io::Error::other("the findings writers stopped"))?;
                    handed = true;
                }
                Ok(())
            });
            if read.is_ok() && (!block.is_empty() || !handed) {
                let _ = full_tx.send(block);
            }
            read
        });
        let mut written = Ok(());
        for mut block in full_rx.iter() {
            let done: Vec<Result<f64>> = writers
                .par_iter_mut()
                .map(|w| {
                    let clock = std::time::Instant::now();
                    w.write(&block)?;
                    Ok(clock.elapsed().as_secs_f64())
                })
                .collect();
            for (total, s) in seconds.iter_mut().zip(done) {
                match s {
                    Ok(s) => *total += s,
                    Err(e) => written = Err(e),
                }
            }
            if written.is_err() {
                // Dropping the receiver stops the maker at its next block.
                break;
            }
            block.clear();
            let _ = empty_tx.send(block);
        }
        drop(full_rx);
        let read = maker
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the findings reader panicked")));
        (read, written)
    });
    written?;
    read.map_err(|e| Error::Input(format!("cannot read the findings: {e}")))?;
    let names: Vec<&'static str> = writers.iter().map(|w| w.name()).collect();
    let finished: Vec<Result<f64>> = writers
        .into_par_iter()
        .map(|w| {
            let clock = std::time::Instant::now();
            w.finish()?;
            Ok(clock.elapsed().as_secs_f64())
        })
        .collect();
    names
        .into_iter()
        .zip(seconds)
        .zip(finished)
        .map(|((name, s), f)| Ok((name.to_string(), s + f?)))
        .collect()
}
