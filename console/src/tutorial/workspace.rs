//! Where the tutorial lives: the moult workspace whose `demo-apps/` holds the
//! exercises and whose `assets/tutorial/` holds their statements. The
//! console builds apps and updates from there with cargo.

use std::path::{Path, PathBuf};

use super::exercise::Exercise;

/// Environment variable naming the workspace when the console runs from
/// elsewhere (an installed `moult-console`).
pub const ROOT_ENV: &str = "MOULT_TUTORIAL_ROOT";

/// The moult workspace the tutorial is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// Its root (holds the workspace `Cargo.toml`).
    pub root: PathBuf,
}

/// No workspace was found.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot find the moult workspace (a folder with demo-apps/ and assets/tutorial/) \
     above {searched}; run from inside it or set {ROOT_ENV}=<path to the moult checkout>"
)]
pub struct NotFound {
    /// Where the search started.
    pub searched: String,
}

impl Workspace {
    /// `$MOULT_TUTORIAL_ROOT`, else the first folder holding the tutorial
    /// at or above the working directory, else the checkout this console
    /// was built from (when it still exists).
    pub fn locate() -> Result<Workspace, NotFound> {
        if let Some(root) = std::env::var_os(ROOT_ENV) {
            let root = PathBuf::from(root);
            return if is_root(&root) {
                Ok(Workspace { root })
            } else {
                Err(NotFound {
                    searched: format!("{ROOT_ENV}={}", root.display()),
                })
            };
        }
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).parent();
        cwd.ancestors()
            .chain(built_from)
            .find(|dir| is_root(dir))
            .map(|root| Workspace {
                root: root.to_path_buf(),
            })
            .ok_or(NotFound {
                searched: cwd.display().to_string(),
            })
    }

    /// The exercise's folder (`demo-apps/<id>`).
    pub fn exercise_dir(&self, exercise: &Exercise) -> PathBuf {
        self.root.join("demo-apps").join(exercise.id)
    }

    /// The crate the learner edits (`demo-apps/<id>/starter`).
    pub fn starter_dir(&self, exercise: &Exercise) -> PathBuf {
        self.exercise_dir(exercise).join("starter")
    }

    /// The reference update (`demo-apps/<id>/solution`).
    pub fn solution_dir(&self, exercise: &Exercise) -> PathBuf {
        self.exercise_dir(exercise).join("solution")
    }

    /// The exercise's statement (`assets/tutorial/<id>.md`).
    pub fn statement_path(&self, exercise: &Exercise) -> PathBuf {
        self.root
            .join("assets")
            .join("tutorial")
            .join(format!("{}.md", exercise.id))
    }

    /// The statement's text, or a line saying where it should have been.
    pub fn statement(&self, exercise: &Exercise) -> String {
        let path = self.statement_path(exercise);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| format!("(cannot read the statement {}: {e})", path.display()))
    }
}

/// A moult checkout: the tutorial's two folders and a workspace manifest.
fn is_root(dir: &Path) -> bool {
    dir.join("Cargo.toml").is_file()
        && dir.join("demo-apps").is_dir()
        && dir.join("assets").join("tutorial").is_dir()
}
