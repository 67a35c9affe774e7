//! Errors that make a run untrustworthy (exit status 2). Each names the file,
//! and the line and column where there is one.

use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error("{path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    /// The file was read but its content is wrong at a known place.
    #[error("{path}:{line}:{column}: {message}")]
    At {
        path: String,
        line: u32,
        column: u32,
        message: String,
    },
    /// The file's content is wrong as a whole.
    #[error("{path}: {message}")]
    File { path: String, message: String },
    /// A problem not tied to one file (a bad command-line value).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn io(path: impl fmt::Display, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_string(),
            cause: source,
        }
    }

    pub fn at(path: impl fmt::Display, line: u32, column: u32, message: impl Into<String>) -> Self {
        Error::At {
            path: path.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    pub fn file(path: impl fmt::Display, message: impl Into<String>) -> Self {
        Error::File {
            path: path.to_string(),
            message: message.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
