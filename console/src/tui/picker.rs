//! Choosing an update to stage: a path prompt with a file picker under it,
//! rooted at the console's working directory. The picker lists the
//! directory the typed path is in, narrowed to names starting with what was
//! typed after the last `/`: update crates (directories whose `Cargo.toml`
//! builds a `cdylib`), built libraries (`.so`) and directories to walk
//! into. Other crates are listed too, marked, so that choosing one says why
//! it is refused rather than hiding it.

use std::path::{Path, PathBuf};

use super::table_nav::TableNav;
use crate::update_build::CrateKind;

/// What a listed name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntryKind {
    /// `..`: the directory above.
    Parent,
    /// An update crate: chosen, it is built then applied.
    Crate,
    /// A built update library: chosen, it is applied.
    Library,
    /// Another directory: chosen, the picker walks into it.
    Dir,
    /// A crate that is not an update crate (it builds no `cdylib`): chosen,
    /// the console says why it is refused.
    OtherCrate,
}

/// One listed name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file name (`..` for the parent).
    pub name: String,
    /// What it is.
    pub kind: EntryKind,
}

/// The stage prompt's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    /// Where relative paths start: the console's working directory.
    pub root: PathBuf,
    /// The typed path.
    pub input: String,
    /// The directory of the typed path, narrowed by its last component.
    pub entries: Vec<Entry>,
    /// Selection and scrolling in `entries`.
    pub nav: TableNav,
    /// The arrows moved into the list: Enter takes the selected entry, not
    /// the typed path.
    pub in_list: bool,
}

impl Picker {
    /// A picker on `root` with nothing typed.
    pub fn new(root: PathBuf) -> Picker {
        let mut picker = Picker {
            root,
            input: String::new(),
            entries: Vec::new(),
            nav: TableNav::default(),
            in_list: false,
        };
        picker.refresh();
        picker
    }

    /// Types a character.
    pub fn type_char(&mut self, c: char) {
        self.input.push(c);
        self.refresh();
    }

    /// Erases the last character.
    pub fn erase(&mut self) {
        self.input.pop();
        self.refresh();
    }

    /// Moves the selection up; above the first entry, back to the prompt.
    pub fn up(&mut self) {
        if self.nav.selected == 0 {
            self.in_list = false;
        }
        self.nav.up(1);
    }

    /// Moves the selection into the list (its first entry), then down it.
    pub fn down(&mut self) {
        if self.in_list {
            self.nav.down(1);
        }
        self.in_list = !self.entries.is_empty();
    }

    /// Tab: completes the typed path with the selected (or first) entry.
    pub fn complete(&mut self) {
        let index = if self.in_list { self.nav.selected } else { 0 };
        if let Some(entry) = self.entries.get(index).cloned() {
            self.take(&entry);
        }
    }

    /// Enter: the path to stage, or `None` when Enter walked into a
    /// directory (or nothing was typed).
    pub fn accept(&mut self) -> Option<PathBuf> {
        if self.in_list {
            let entry = self.entries.get(self.nav.selected)?.clone();
            return match entry.kind {
                EntryKind::Parent | EntryKind::Dir => {
                    self.take(&entry);
                    None
                }
                EntryKind::Crate | EntryKind::Library | EntryKind::OtherCrate => {
                    Some(self.path_of(&entry))
                }
            };
        }
        let typed = self.input.trim().to_string();
        if typed.is_empty() {
            return None;
        }
        let path = self.root.join(&typed);
        // A plain directory typed (or completed): walk into it, as Enter on
        // its entry does; staging it could only be refused.
        if path.is_dir() && CrateKind::of(&path).is_none() {
            self.input = if typed.ends_with('/') {
                typed
            } else {
                format!("{typed}/")
            };
            self.input = normalise(&self.input);
            self.refresh();
            return None;
        }
        Some(path)
    }

    /// The typed path's directory part (up to the last `/`) and the rest.
    fn split(&self) -> (&str, &str) {
        match self.input.rfind('/') {
            Some(i) => (&self.input[..=i], &self.input[i + 1..]),
            None => ("", self.input.as_str()),
        }
    }

    fn path_of(&self, entry: &Entry) -> PathBuf {
        let (dir, _) = self.split();
        self.root.join(dir).join(&entry.name)
    }

    /// Puts `entry` in the prompt (a directory with its `/`, to list it).
    fn take(&mut self, entry: &Entry) {
        let (dir, _) = self.split();
        let mut input = format!("{dir}{}", entry.name);
        if entry.kind != EntryKind::Library {
            input.push('/');
        }
        self.input = normalise(&input);
        self.refresh();
    }

    /// Lists the typed path's directory again.
    fn refresh(&mut self) {
        let (dir, prefix) = self.split();
        self.entries = list(&self.root.join(dir), prefix);
        self.nav = TableNav::default();
        self.in_list = false;
    }
}

/// `input` with `dir/../` and `./` folded away (`assets/../` is ``), so
/// the prompt shows where the picker is; a leading `..` that climbs above
/// the root is kept.
pub fn normalise(input: &str) -> String {
    let trailing = input.ends_with('/');
    let absolute = input.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in input.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            part => parts.push(part),
        }
    }
    let mut out = parts.join("/");
    if absolute {
        out.insert(0, '/');
    }
    if trailing && !parts.is_empty() {
        out.push('/');
    }
    out
}

/// The entries of `dir` whose name starts with `prefix`: `..`, then crates,
/// libraries and directories, each sorted by name; hidden names only when
/// the prefix starts with a dot.
pub fn list(dir: &Path, prefix: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    if prefix.is_empty() {
        entries.push(Entry {
            name: "..".into(),
            kind: EntryKind::Parent,
        });
    }
    let Ok(read) = std::fs::read_dir(dir) else {
        return entries;
    };
    for item in read.flatten() {
        let Ok(name) = item.file_name().into_string() else {
            continue;
        };
        if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
            continue;
        }
        let path = item.path();
        let kind = if path.is_dir() {
            match CrateKind::of(&path) {
                Some(CrateKind::Update) => EntryKind::Crate,
                Some(CrateKind::Other) => EntryKind::OtherCrate,
                Some(CrateKind::Workspace) | None => EntryKind::Dir,
            }
        } else if name.ends_with(std::env::consts::DLL_SUFFIX) {
            EntryKind::Library
        } else {
            continue;
        };
        entries.push(Entry { name, kind });
    }
    entries.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("demo/solution/src")).unwrap();
        std::fs::write(
            d.join("demo/solution/Cargo.toml"),
            "[package]\n[lib]\ncrate-type = [\"cdylib\"]",
        )
        .unwrap();
        std::fs::create_dir_all(d.join("demo/app/src")).unwrap();
        std::fs::write(d.join("demo/app/Cargo.toml"), "[package]").unwrap();
        std::fs::create_dir_all(d.join("demo/assets")).unwrap();
        std::fs::write(d.join("demo/libhello_v2.so"), "").unwrap();
        std::fs::write(d.join("demo/notes.txt"), "").unwrap();
        std::fs::create_dir_all(d.join(".git")).unwrap();
        dir
    }

    fn names(p: &Picker) -> Vec<(&str, EntryKind)> {
        p.entries
            .iter()
            .map(|e| (e.name.as_str(), e.kind))
            .collect()
    }

    #[test]
    fn lists_crates_libraries_and_directories_but_no_other_file() {
        let dir = tree();
        let mut p = Picker::new(dir.path().to_path_buf());
        assert_eq!(
            names(&p),
            [("..", EntryKind::Parent), ("demo", EntryKind::Dir)]
        );
        for c in "demo/".chars() {
            p.type_char(c);
        }
        assert_eq!(
            names(&p),
            [
                ("..", EntryKind::Parent),
                ("solution", EntryKind::Crate),
                ("libhello_v2.so", EntryKind::Library),
                ("assets", EntryKind::Dir),
                ("app", EntryKind::OtherCrate),
            ]
        );
        p.type_char('s');
        assert_eq!(names(&p), [("solution", EntryKind::Crate)]);
    }

    #[test]
    fn enter_walks_into_directories_and_chooses_crates_libraries_or_the_typed_path() {
        let dir = tree();
        let root = dir.path().to_path_buf();
        let mut p = Picker::new(root.clone());
        assert_eq!(p.accept(), None, "nothing typed");
        p.down();
        p.down();
        assert_eq!(p.accept(), None, "walked into demo");
        assert_eq!(p.input, "demo/");
        p.down();
        p.down();
        p.down();
        assert_eq!(p.accept(), Some(root.join("demo/libhello_v2.so")));
        p.down();
        p.down();
        assert_eq!(
            p.accept(),
            Some(root.join("demo/app")),
            "another crate is chosen, to be refused with the reason"
        );
        p.up();
        p.up();
        p.up();
        p.complete();
        assert_eq!(p.input, "demo/solution/", "tab completes the selection");
        p.erase();
        assert_eq!(p.accept(), Some(root.join("demo/solution")));
    }

    #[test]
    fn the_first_down_selects_the_first_row_and_parents_are_folded() {
        // Defect 8.
        let dir = tree();
        let root = dir.path().to_path_buf();
        let mut p = Picker::new(root.clone());
        assert!(!p.in_list, "nothing is selected before Down");
        p.down();
        assert!(p.in_list);
        assert_eq!(p.nav.selected, 0, "the first Down selects the first row");
        for c in "demo/assets/".chars() {
            p.type_char(c);
        }
        p.down();
        assert_eq!(p.entries[0].kind, EntryKind::Parent);
        assert_eq!(p.accept(), None, "walked up");
        assert_eq!(p.input, "demo/", "assets/../ is folded");
        assert_eq!(normalise("a/b/../../.."), "..");
        assert_eq!(normalise("./a/./b/"), "a/b/");
    }

    #[test]
    fn enter_on_a_typed_directory_walks_into_it_instead_of_staging_it() {
        // Defect 8: Enter on `assets/` staged the directory itself.
        let dir = tree();
        let mut p = Picker::new(dir.path().to_path_buf());
        for c in "demo/assets".chars() {
            p.type_char(c);
        }
        assert_eq!(p.accept(), None);
        assert_eq!(p.input, "demo/assets/");
    }
}
