//! A run is all or nothing in its output folder. Every output is written into a staging folder
//! inside `--out` (`.simaudit-staging-<random>`) and moved into place only when all are complete:
//!
//! 1. the earlier run's manifest.json is removed (from then on the folder is not a complete run);
//! 2. each new output is renamed into place (same file system, so each rename is atomic);
//! 3. the earlier run's outputs (those its manifest listed) that this run did not write are removed;
//!    other files are not simaudit's and are left alone;
//! 4. the new manifest.json is renamed into place, last.
//!
//! A folder with a manifest.json therefore always holds exactly the outputs it lists. A run killed
//! before step 1 leaves the earlier run untouched; its staging folder is removed by the next run. A
//! run killed (or failing) during steps 1–4 keeps its complete staging folder, manifest included, and
//! the next run finishes moving it into place before it starts. A lock file (`.simaudit.lock`) keeps
//! two runs out of one folder at a time.
//!
//! Outputs that hold personal data in a form that can be read back (a run without `--mask` or with
//! the standard level) are made readable by their owner only: files 0600, a folder simaudit creates
//! 0700.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

const PREFIX: &str = ".simaudit-staging-";
const LOCK: &str = ".simaudit.lock";
/// Inside a staging folder: the earlier run's outputs, saved before step 1 removes its manifest.
const EARLIER: &str = ".earlier-outputs";
const MANIFEST: &str = "manifest.json";

/// The staging folder of one run, and the folder's lock, held until the run ends.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    private: bool,
    /// Step 1 has begun: from then on the staging folder is kept for the next run to finish.
    publishing: bool,
    _lock: std::fs::File,
}

impl Staging {
    /// Creates `out` if needed (0700 when `private`), takes its lock, finishes or removes what killed
    /// runs left there, and makes this run's staging folder.
    pub fn open(out: &Path, private: bool) -> Result<Staging> {
        create_folder(out, private).map_err(|e| Error::write(out, e))?;
        let lock = lock(out)?;
        recover(out)?;
        let suffix = getrandom::u64().map_err(|e| {
            Error::write(out, std::io::Error::other(format!("no random name: {e}")))
        })?;
        let dir = out.join(format!("{PREFIX}{suffix:016x}"));
        create_folder(&dir, true).map_err(|e| Error::write(&dir, e))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            private,
            publishing: false,
            _lock: lock,
        })
    }

    /// Where the run writes its outputs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Moves the outputs named in `written` (manifest.json among them) into the output folder, as
    /// the module's steps say.
    pub fn publish(mut self, written: &[String]) -> Result<()> {
        if self.private {
            for name in written {
                let path = self.dir.join(name);
                restrict(&path).map_err(|e| Error::write(&path, e))?;
            }
        }
        self.publishing = true;
        publish(&self.dir, &self.out, written)
    }
}

impl Drop for Staging {
    /// A run that fails before it publishes leaves nothing of its own behind.
    fn drop(&mut self) {
        if !self.publishing {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Takes the folder's lock (released when the returned file is closed, or the process ends).
fn lock(out: &Path) -> Result<std::fs::File> {
    let path = out.join(LOCK);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::write(&path, e))?;
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a descriptor this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(Error::Input(format!(
                "another simaudit run is writing into {}; wait for it to end or choose another --out",
                out.display()
            )));
        }
    }
    Ok(file)
}

fn create_folder(path: &Path, private: bool) -> std::io::Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    #[cfg(not(unix))]
    let _ = private;
    builder.create(path)
}

/// Owner-only permissions on an output (a folder's entries too).
fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::symlink_metadata(path)?;
        if meta.is_dir() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
            for entry in std::fs::read_dir(path)? {
                restrict(&entry?.path())?;
            }
        } else {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Whether `name` is one a run writes (a manifest read back names nothing else).
fn is_output(name: &str) -> bool {
    super::CSV_OUTPUTS
        .iter()
        .chain(&super::OTHER_OUTPUTS)
        .any(|o| *o == name)
}

/// The outputs a manifest lists, those that are output names; None without a readable manifest.
fn listed_outputs(manifest: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let doc: serde_json::Value = serde_json::from_str(&text).ok()?;
    let names = doc.get("outputs")?.as_array()?;
    Some(
        names
            .iter()
            .filter_map(|n| n.as_str())
            .filter(|n| is_output(n))
            .map(str::to_string)
            .collect(),
    )
}

fn remove(path: &Path) -> Result<()> {
    let gone = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match gone {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::write(path, e)),
        _ => Ok(()),
    }
}

/// Steps 1–4 for the outputs `written` staged in `staged`. Safe to run again on the same staging
/// folder after an interruption: what was already moved is skipped.
fn publish(staged: &Path, out: &Path, written: &[String]) -> Result<()> {
    let earlier_list = staged.join(EARLIER);
    let earlier: Vec<String> = match std::fs::read_to_string(&earlier_list) {
        Ok(text) => text
            .lines()
            .filter(|n| is_output(n))
            .map(str::to_string)
            .collect(),
        Err(_) => {
            let earlier = listed_outputs(&out.join(MANIFEST)).unwrap_or_default();
            let mut text = earlier.join("\n");
            text.push('\n');
            std::fs::write(&earlier_list, text).map_err(|e| Error::write(&earlier_list, e))?;
            earlier
        }
    };
    remove(&out.join(MANIFEST))?;
    let mut moved = 0;
    for name in written.iter().filter(|n| *n != MANIFEST) {
        let (from, to) = (staged.join(name), out.join(name));
        // Moved already by an earlier attempt.
        if !from.exists() && to.exists() {
            continue;
        }
        if to.is_dir() {
            remove(&to)?;
        }
        std::fs::rename(&from, &to).map_err(|e| Error::write(&to, e))?;
        moved += 1;
        if moved == 1 {
            crate::usage::abort_for_test("publish");
        }
    }
    for name in &earlier {
        if !written.contains(name) {
            remove(&out.join(name))?;
        }
    }
    let to = out.join(MANIFEST);
    std::fs::rename(staged.join(MANIFEST), &to).map_err(|e| Error::write(&to, e))?;
    // The renames reach the disk before the run says it is done.
    if let Ok(dir) = std::fs::File::open(out) {
        let _ = dir.sync_all();
    }
    let _ = std::fs::remove_dir_all(staged);
    Ok(())
}

/// What killed runs left in `out` (no run holds the lock, so every staging folder is left over): a
/// complete one (with its manifest.json) is moved into place; any other is removed.
fn recover(out: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(());
    };
    let mut left: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(PREFIX))
        .map(|e| e.path())
        .collect();
    left.sort();
    for dir in left {
        let complete = listed_outputs(&dir.join(MANIFEST)).filter(|written| {
            // Every output is still in the staging folder or already moved.
            written
                .iter()
                .all(|n| dir.join(n).exists() || (n != MANIFEST && out.join(n).exists()))
        });
        match complete {
            Some(written) => publish(&dir, out, &written)?,
            None => remove(&dir)?,
        }
    }
    Ok(())
}
