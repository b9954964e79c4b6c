//! Library errors: each says in plain words which file, column or value is at fault and what to do.

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input or options, already phrased for the user.
    #[error("{0}")]
    Input(String),
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

impl Error {
    pub fn read(path: &Path, source: std::io::Error) -> Error {
        Error::Read {
            path: path.display().to_string(),
            source,
        }
    }
    pub fn write(path: &Path, source: std::io::Error) -> Error {
        Error::Write {
            path: path.display().to_string(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
