//! A run is all or nothing in its output folder. Every output is written into a staging folder
//! inside `--out` (`.simaudit-staging-<pid>`) and moved into place only when all are complete:
//!
//! 1. the earlier run's manifest.json is removed (from then on the folder is not a complete run);
//! 2. each new output is renamed into place (same file system, so each rename is atomic);
//! 3. the earlier run's outputs that this run did not write are removed (other files are left alone);
//! 4. the new manifest.json is renamed into place, last.
//!
//! A folder with a manifest.json therefore always holds exactly the outputs it lists. A run killed
//! before step 1 leaves the earlier run untouched; its staging folder is removed by the next run. A
//! run killed during steps 1–4 (a few renames) leaves its complete staging folder, manifest included:
//! the next run finishes moving it into place before it starts.
//!
//! Outputs that hold ID numbers or names (a run without `--mask`) are made readable by their owner
//! only (files 0600, a folder simaudit creates 0700).

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

const PREFIX: &str = ".simaudit-staging-";

/// The staging folder of one run; removed if the run ends without publishing.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    private: bool,
    published: bool,
}

impl Staging {
    /// Creates `out` if needed (0700 when `private`), finishes or removes what killed runs left there,
    /// and makes this run's staging folder.
    pub fn open(out: &Path, private: bool) -> Result<Staging> {
        create_folder(out, private).map_err(|e| Error::write(out, e))?;
        recover(out)?;
        let dir = out.join(format!("{PREFIX}{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::write(&dir, e))?;
        }
        create_folder(&dir, true).map_err(|e| Error::write(&dir, e))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            private,
            published: false,
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
                restrict(&self.dir.join(name))
                    .map_err(|e| Error::write(&self.dir.join(name), e))?;
            }
        }
        publish(&self.dir, &self.out, written)?;
        self.published = true;
        Ok(())
    }
}

impl Drop for Staging {
    /// A run that fails leaves nothing of its own behind.
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
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

fn publish(staged: &Path, out: &Path, written: &[String]) -> Result<()> {
    let manifest = "manifest.json";
    let remove = |path: &Path| -> Result<()> {
        let gone = if path.is_dir() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        };
        match gone {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::write(path, e)),
            _ => Ok(()),
        }
    };
    remove(&out.join(manifest))?;
    let mut moved = 0;
    for name in written.iter().filter(|n| *n != manifest) {
        let (from, to) = (staged.join(name), out.join(name));
        // A run being finished by a later one may already have moved some.
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
    // Every name a run may write; other files in the folder are not simaudit's.
    for name in super::CSV_OUTPUTS.iter().chain(&super::OTHER_OUTPUTS) {
        if !written.iter().any(|w| w == name) {
            remove(&out.join(name))?;
        }
    }
    let to = out.join(manifest);
    std::fs::rename(staged.join(manifest), &to).map_err(|e| Error::write(&to, e))?;
    // The renames reach the disk before the run says it is done.
    if let Ok(dir) = std::fs::File::open(out) {
        let _ = dir.sync_all();
    }
    let _ = std::fs::remove_dir_all(staged);
    Ok(())
}

/// What killed runs left in `out`: a staging folder with its manifest.json was being moved into
/// place, and that is finished; any other is removed. A staging folder of a run still going
/// (another simaudit writing into the same folder) is an error.
fn recover(out: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(());
    };
    let mut stale: Vec<(PathBuf, u32)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let pid = name.strip_prefix(PREFIX)?.parse().ok()?;
            Some((e.path(), pid))
        })
        .collect();
    stale.sort();
    for (dir, pid) in stale {
        if pid != std::process::id() && alive(pid) {
            return Err(Error::Input(format!(
                "another simaudit run (process {pid}) is writing into {}; wait for it to end or \
                 choose another --out",
                out.display()
            )));
        }
        let manifest = dir.join("manifest.json");
        let listed = std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|doc| {
                doc.get("outputs")?.as_array().map(|names| {
                    names
                        .iter()
                        .filter_map(|n| n.as_str().map(str::to_string))
                        .collect::<Vec<_>>()
                })
            });
        match listed {
            Some(written) => publish(&dir, out, &written)?,
            None => std::fs::remove_dir_all(&dir).map_err(|e| Error::write(&dir, e))?,
        }
    }
    Ok(())
}

/// Whether a process with this id exists.
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists and may be signalled.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        false
    }
}
