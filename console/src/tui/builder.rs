//! Building an update crate in the background, its output streamed to the
//! UI line by line (the UI keeps drawing while cargo runs).

use std::path::PathBuf;
use std::sync::mpsc::Sender;

use super::feed::Feed;
use crate::update_build;

/// Starts building the crate in `dir` in `profile`; reports each line of
/// cargo's output, then the library or why there is none.
pub fn spawn(dir: PathBuf, profile: String, feed: Sender<Feed>) {
    std::thread::spawn(move || {
        let lines = feed.clone();
        let built = update_build::build_reporting(&dir, &profile, |line| {
            let _ = lines.send(Feed::BuildLine(line.to_string()));
        });
        let _ = feed.send(Feed::BuildDone(built.map_err(|e| e.to_string())));
    });
}
