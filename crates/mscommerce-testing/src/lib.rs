//! Test support shared by the store's integration tests, the black-box tests of the binary and the benchmark:
//! temporary folders, throwaway PostgreSQL databases and test certificates. It depends on no mscommerce crate, so that any of them may use it in tests.

pub mod postgres;
pub mod tls;

use std::path::PathBuf;

use uuid::Uuid;

/// A new folder under the system's temporary folder, removed when dropped (also while a failed test unwinds).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let path =
            std::env::temp_dir().join(format!("mscommerce-test-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
